-- Care-home incidents (falls, pressure ulcers) with harm: the designated source of
-- falls measures (docs/domain.md §2.7 S1, S2).
--
-- One incident per resident, event time and type (docs/domain.md §2.7 S1;
-- docs/extracts.md §8). The event time is taken to the minute: care-home records keep
-- incident times to the minute, and one export writes 09:57, another 09:57:00 or
-- 09:57:41 for the same fall. The same incident written more than once, in one file or
-- in several, counts once, and its row wins whole:
--   1. from the file loaded last (a harm level revised in a later export wins);
--   2. within that file, the row with the highest harm level (none < low < moderate <
--      severe < death; an empty harm level lowest), so a fall is never counted as less
--      harmful than a row of the export says;
--   3. then the last of those rows in the file.
CREATE OR REPLACE TABLE stg_incident AS
SELECT pseudo_id, site_id, home_id, incident_dt, CAST(incident_dt AS DATE) AS incident_date,
       incident_type, harm_level,
       harm_level IN ('moderate', 'severe', 'death') OR coalesce(hospital_transfer, false) AS with_harm,
       hospital_transfer, ambulance_called, gp_called, out_of_hours, file_id,
       source_row
FROM raw_carehome_incident
QUALIFY row_number() OVER (
    PARTITION BY site_id, pseudo_id, date_trunc('minute', incident_dt), incident_type
    ORDER BY file_id DESC,
             list_position(['none', 'low', 'moderate', 'severe', 'death'], harm_level)
                 DESC NULLS LAST,
             source_row DESC
) = 1;
