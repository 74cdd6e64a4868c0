-- The QI activity log: activities no clinical system records (one row each). A log
-- re-sent with the month's new rows added repeats the earlier ones: a row counts from
-- the file loaded last that has it.
CREATE OR REPLACE TABLE stg_qi_activity AS
SELECT site_id, home_id, pseudo_id, activity_date, activity_type, outcome, file_id, source_row
FROM raw_qi_activity
QUALIFY file_id = max(file_id) OVER (PARTITION BY site_id, home_id, pseudo_id, activity_date,
                                                  activity_type, outcome);
