-- Medication issues from EMIS and SystmOne (docs/domain.md §1.2), attributed to homes.
-- An issue in several extracts counts once, as the file loaded last has it, and not at
-- all if a later file withdrew it (deleted at source).
CREATE OR REPLACE TABLE stg_medication_issue AS
WITH issues AS (
    SELECT site_id, pseudo_id, 'emis' AS source_system, source_record_id, issue_date,
           code_id AS product_code, NULL AS product_name, NULL::BOOLEAN AS is_repeat,
           false AS is_hospital, estimated_cost, file_id, source_row
    FROM current_records('raw_emis_issue')
    UNION ALL
    SELECT site_id, pseudo_id, 'systmone', source_record_id, issue_date, dmd_code, product_name,
           is_repeat, coalesce(is_hospital, false) OR coalesce(is_other, false), NULL, file_id,
           source_row
    FROM current_records('raw_sr_medication')
)
SELECT i.*, ep.home_id
FROM issues AS i
LEFT JOIN stg_residence_episode AS ep
    ON ep.site_id = i.site_id AND ep.pseudo_id = i.pseudo_id
   AND i.issue_date >= ep.start_date AND (ep.end_date IS NULL OR i.issue_date < ep.end_date)
QUALIFY row_number() OVER (PARTITION BY i.source_system, i.file_id, i.source_record_id
                           ORDER BY ep.start_date DESC NULLS LAST) = 1;
