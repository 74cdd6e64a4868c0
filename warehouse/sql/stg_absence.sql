-- Nights away from the home (docs/domain.md §1.2 absence); hospital stays are not OBDs.
-- An absence in several files (each month's export repeats the earlier ones) counts
-- once, as the file loaded last has it (a return date added later wins).
CREATE OR REPLACE TABLE stg_absence AS
SELECT pseudo_id, site_id, home_id, start_dt, end_dt, reason, file_id, source_row
FROM raw_carehome_absence
QUALIFY file_id = max(file_id) OVER (PARTITION BY site_id, home_id, pseudo_id, start_dt);
