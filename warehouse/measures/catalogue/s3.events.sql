-- S3's emergency admissions one by one (as s3.sql), for the t chart of days between
-- unplanned hospital admissions in homes where they are rare (O3.2, docs/domain.md §2.5).
SELECT site_id, home_id, admit_date AS event_date
FROM (SELECT DISTINCT site_id, home_id, spell_id, admit_date
      FROM stg_hospital_spell
      WHERE emergency AND home_id IS NOT NULL)
