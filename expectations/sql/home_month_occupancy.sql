-- Completeness against the census: a home with care-home activity in a month (incidents,
-- observations, QI activities) but no occupied bed days, so no denominator for any rate:
-- its residents file is missing or does not cover the month. Months before 1900 or after
-- the run date are the date checks' business, not this one's.
WITH activity AS (
    SELECT site_id, home_id, date_trunc('month', incident_date)::DATE AS month
    FROM stg_incident
    UNION ALL
    SELECT site_id, home_id, date_trunc('month', event_date)::DATE FROM stg_event
    WHERE source_system = 'carehome'
    UNION ALL
    SELECT site_id, home_id, date_trunc('month', activity_date)::DATE FROM stg_qi_activity
)
SELECT 'stg_occupied_bed_days' AS table_name, a.site_id, a.home_id, a.month AS period,
       NULL::BIGINT AS file_id, 1 AS "rows",
       (coalesce(any_value(o.occupied_bed_days), 0) = 0)::INT AS failing, []::BIGINT[] AS lines,
       format('{} has {} care-home records in {} but no resident living there that month, '
              'so no occupied bed days to divide by', a.home_id, count(*),
              strftime(a.month, '%B %Y')) AS detail
FROM activity AS a
LEFT JOIN stg_occupied_bed_days AS o USING (site_id, home_id, month)
WHERE a.home_id IS NOT NULL AND a.month BETWEEN DATE '1900-01-01' AND $run_date
GROUP BY a.site_id, a.home_id, a.month
