-- Measure values per site and month, and per home and month (home_id null: all the site's
-- homes), each with its data-quality state from dq_results (expectations/sql/dq_results.sql
-- dq_point): a point whose tables have an ERROR for its site-home-month is kept with
-- data_complete = false and no value, never shown as a zero or dropped without a word.
-- $tables: the staged tables of S1 (data/measures/measures.csv).
CREATE OR REPLACE TABLE measure_values AS
WITH falls AS (
    -- S1 falls per 1,000 OBD (docs/domain.md §2.7 S1): the care-home incident log.
    SELECT site_id, home_id, date_trunc('month', incident_date)::DATE AS month,
           count(*) AS falls
    FROM stg_incident WHERE incident_type = 'fall' GROUP BY ALL
    -- within the months the warehouse has bed days for (no points from mistyped dates)
    HAVING month BETWEEN (SELECT min(month) FROM stg_occupied_bed_days)
                     AND (SELECT max(month) FROM stg_occupied_bed_days)
),
by_home AS (
    -- every home-month with bed days or falls: falls with no bed days to divide by are a
    -- point too (marked by the gate), not a silent gap
    SELECT site_id, home_id, month, coalesce(f.falls, 0) AS numerator,
           o.occupied_bed_days AS denominator
    FROM stg_occupied_bed_days AS o FULL JOIN falls AS f USING (site_id, home_id, month)
),
points AS (
    SELECT site_id, home_id, month, numerator, denominator FROM by_home
    UNION ALL
    SELECT site_id, NULL, month, sum(numerator), sum(denominator)::BIGINT FROM by_home
    GROUP BY ALL
),
judged AS (
    SELECT *, dq_point(site_id, home_id, month, $tables::VARCHAR[]) AS dq FROM points
)
SELECT 'S1' AS measure_id, site_id, home_id, month, dq.data_complete,
       CASE WHEN dq.data_complete THEN numerator END AS numerator,
       CASE WHEN dq.data_complete THEN denominator END AS denominator,
       CASE WHEN dq.data_complete THEN numerator * $multiply / denominator END AS "value",
       dq.dq_warning, dq.dq_checks
FROM judged
ORDER BY site_id, home_id NULLS FIRST, month;
