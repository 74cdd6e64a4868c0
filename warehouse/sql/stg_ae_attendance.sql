-- A&E attendances (docs/domain.md §1.2), attributed to the home lived in on arrival.
CREATE OR REPLACE TABLE stg_ae_attendance AS
SELECT a.pseudo_id, a.site_id, ep.home_id, a.source_record_id AS attendance_id, a.arrival_dt,
       CAST(a.arrival_dt AS DATE) AS arrival_date, a.dept_type, a.disposal, a.file_id,
       a.source_row
FROM current_records('raw_hospital_ae') AS a
LEFT JOIN stg_residence_episode AS ep
    ON ep.site_id = a.site_id AND ep.pseudo_id = a.pseudo_id
   AND CAST(a.arrival_dt AS DATE) >= ep.start_date
   AND (ep.end_date IS NULL OR CAST(a.arrival_dt AS DATE) < ep.end_date)
QUALIFY row_number() OVER (PARTITION BY a.site_id, a.source_record_id
                           ORDER BY ep.start_date DESC NULLS LAST) = 1;
