-- Rows set aside per file for any reason but the NHS number (nhs_number_valid has those):
-- a resident in no residents file, a date or number that cannot be read, a required
-- field empty. Files now in force only; every row is either loaded or set aside.
SELECT staged_table(l.table_name) AS table_name, l.site_id, home_of_path(l.path) AS home_id,
       NULL::DATE AS period, l.file_id, l.rows_in - l.rows_skipped AS "rows",
       count(q.source_row) AS failing,
       list(q.source_row ORDER BY q.source_row)[1:5] AS lines, NULL AS detail
FROM load_log AS l
LEFT JOIN quarantine AS q ON q.file_id = l.file_id AND q.rule <> 'nhs_number'
WHERE l.status IN ('loaded', 'replaced') AND NOT l.superseded AND l.rows_in > 0
GROUP BY ALL
