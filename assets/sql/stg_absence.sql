-- Nights away from the home (domain-spec §1.6 absence); hospital stays are not OBDs.
CREATE OR REPLACE TABLE stg_absence AS
SELECT pseudo_id, site_id, home_id, start_dt, end_dt, reason, file_id FROM raw_carehome_absence;
