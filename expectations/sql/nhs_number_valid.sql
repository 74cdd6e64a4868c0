-- NHS-number validity per file: rows set aside because the NHS number is missing, not ten
-- digits or fails the modulus 11 check, out of the file's rows (files now in force only).
SELECT staged_table(l.table_name) AS table_name, l.site_id, home_of_path(l.path) AS home_id,
       NULL::DATE AS period, l.file_id, l.rows_in - l.rows_skipped AS "rows",
       count(q.source_row) AS failing,
       list(q.source_row ORDER BY q.source_row)[1:5] AS lines, NULL AS detail
FROM load_log AS l
LEFT JOIN quarantine AS q ON q.file_id = l.file_id AND q.rule = 'nhs_number'
WHERE l.status IN ('loaded', 'replaced') AND NOT l.superseded
  AND l.table_name IN ('Admin_Patient', 'SRPatient', 'residents', 'report',
                       'inpatient_spells', 'ae_attendances')
GROUP BY ALL
