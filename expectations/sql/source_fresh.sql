-- Freshness: each source's newest record at a site, across all the tables it feeds,
-- against how old it may be (data/reference/extract_schedule.csv). A source that has gone
-- quiet leaves every month since its last record short: each such month is a failing
-- cell of each table the source feeds, so measures of those months wait for the extract
-- instead of showing a fall to zero.
WITH dated AS (
    -- each staged table's newest row per site and source (expectations.measure.staged_dates,
    -- from the declarations in warehouse/tables.py)
    SELECT * FROM staged_dates
),
judged AS (
    SELECT d.table_name, d.site_id, s.label, s.max_age_days,
           max(d.latest) OVER (PARTITION BY d.site_id, d.source) AS latest
    FROM dated AS d JOIN read_csv($schedule, header = true) AS s USING (source)
),
months AS (
    SELECT *, $run_date::DATE - latest > max_age_days AS late,
           unnest(CASE WHEN $run_date::DATE - latest > max_age_days
                       THEN generate_series(date_trunc('month', latest + 1),
                                            date_trunc('month', $run_date::DATE),
                                            INTERVAL 1 MONTH)
                       ELSE [date_trunc('month', latest + 1)] END)::DATE AS period
    FROM judged
)
SELECT DISTINCT table_name, site_id, NULL AS home_id, period, NULL::BIGINT AS file_id,
       1 AS "rows", late::INT AS failing, []::BIGINT[] AS lines,
       format('{} records end on {}, {} days before this run (expected within {} days), so '
              '{} has none', label, strftime(latest, '%-d %B %Y'), $run_date::DATE - latest,
              max_age_days, strftime(period, '%B %Y')) AS detail
FROM months
