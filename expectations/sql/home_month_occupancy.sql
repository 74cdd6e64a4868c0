-- Completeness against the census: a home with care-home activity in a month (incidents,
-- observations, QI activities) but no occupied bed days, so no denominator for any rate:
-- its residents file is missing or does not cover the month. Months before 1900 or after
-- the run date are the date checks' business, not this one's.
-- Months outside the site's extract period (extract_period(), warehouse/sql/
-- stg_occupied_bed_days.sql) have no bed days by design and are not charted:
--   * a month at its edge (every month between it and the period has activity) is the
--     thin start or end of the extract, a month barely begun: not measured;
--   * a month apart from it (a gap of months without any activity between) holds stray
--     records, usually mistyped dates: one finding for the home and month, saying so.
-- A site with no extract period yet (no care-home observations or incidents) has every
-- month measured as in its period.
WITH activity AS (
    SELECT site_id, home_id, date_trunc('month', incident_date)::DATE AS month
    FROM stg_incident
    UNION ALL
    SELECT site_id, home_id, date_trunc('month', event_date)::DATE FROM stg_event
    WHERE source_system = 'carehome'
    UNION ALL
    SELECT site_id, home_id, date_trunc('month', activity_date)::DATE FROM stg_qi_activity
),
dated AS (
    SELECT * FROM activity
    WHERE home_id IS NOT NULL AND month BETWEEN DATE '1900-01-01' AND $run_date
),
runs AS (
    -- each site's months with activity, numbered so that consecutive months share a run
    SELECT site_id, month,
           datediff('month', DATE '1900-01-01', month)
               - row_number() OVER (PARTITION BY site_id ORDER BY month) AS run
    FROM (SELECT DISTINCT site_id, month FROM dated)
),
placed AS (
    SELECT r.site_id, r.month, p.first_month, p.last_month,
           CASE WHEN p.site_id IS NULL OR r.month BETWEEN p.first_month AND p.last_month
                    THEN 'in'
                WHEN r.run IN (SELECT e.run FROM runs AS e WHERE e.site_id = r.site_id
                               AND e.month IN (p.first_month, p.last_month))
                    THEN 'edge'
                ELSE 'apart' END AS place
    FROM runs AS r LEFT JOIN extract_period() AS p ON p.site_id = r.site_id
)
SELECT 'stg_occupied_bed_days' AS table_name, a.site_id, a.home_id, a.month AS period,
       NULL::BIGINT AS file_id, 1 AS "rows",
       (coalesce(any_value(o.occupied_bed_days), 0) = 0)::INT AS failing, []::BIGINT[] AS lines,
       CASE WHEN any_value(p.place) = 'in'
            THEN format('{} has {} in {} but no resident living there that month, so no '
                        'occupied bed days to divide by', home_name(a.site_id, a.home_id),
                        counted(count(*), 'care-home record'), strftime(a.month, '%B %Y'))
            ELSE format('{} has {} dated {}, apart from the months of its site''s extracts '
                        '({} to {}), so in no month''s rates', home_name(a.site_id, a.home_id),
                        counted(count(*), 'care-home record'), strftime(a.month, '%B %Y'),
                        strftime(any_value(p.first_month), '%B %Y'),
                        strftime(any_value(p.last_month), '%B %Y')) END AS detail
FROM dated AS a
JOIN placed AS p ON p.site_id = a.site_id AND p.month = a.month AND p.place <> 'edge'
LEFT JOIN stg_occupied_bed_days AS o
    ON o.site_id = a.site_id AND o.home_id = a.home_id AND o.month = a.month
GROUP BY a.site_id, a.home_id, a.month
