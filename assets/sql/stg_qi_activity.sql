-- The QI activity log: activities no clinical system records (one row each).
CREATE OR REPLACE TABLE stg_qi_activity AS
SELECT site_id, home_id, pseudo_id, activity_date, activity_type, outcome, file_id
FROM raw_qi_activity;
