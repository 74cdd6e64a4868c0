-- Care-home incidents (falls, pressure ulcers) with harm: the designated source of
-- falls measures (docs/domain.md §2.7 S1, S2). One incident per resident, time and type
-- (docs/domain.md §2.7 S1): repeated in several files, it counts once, as the file loaded last
-- has it (a harm level revised later wins).
CREATE OR REPLACE TABLE stg_incident AS
SELECT pseudo_id, site_id, home_id, incident_dt, CAST(incident_dt AS DATE) AS incident_date,
       incident_type, harm_level,
       harm_level IN ('moderate', 'severe', 'death') OR coalesce(hospital_transfer, false) AS with_harm,
       hospital_transfer, ambulance_called, gp_called, out_of_hours, file_id,
       source_row
FROM raw_carehome_incident
QUALIFY file_id = max(file_id) OVER (PARTITION BY site_id, pseudo_id, incident_dt, incident_type);
