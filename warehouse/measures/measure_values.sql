-- measure_values: every measure per home and period, per site and per collaborative,
-- from the home points each measure's SQL gave (measure_points), with the data-quality
-- gate, the source coverage, the measure's version and the files behind each point.
--
-- * Site and collaborative points sum the homes' numerators and denominators; they
--   never average rates (docs/domain.md §2.1).
-- * The gate (expectations/sql/dq_results.sql, dq_point): an ERROR in a table the
--   measure reads, for the point's site, home and months, leaves the point incomplete
--   (data_complete false, no value), a WARN marks it. A result with no site, home,
--   period or table applies to all of them. A site's point is judged on all its homes;
--   the collaborative's on every site.
-- * Coverage: a point after the last month of its designated source's extract at the
--   site (or a quarter only partly covered) is incomplete, with the check
--   'source_not_received: <source>', never a false zero; a quarter the site's data
--   cover only in part is incomplete with 'period_partly_covered'; a point whose
--   look-back (the measure's history_days) starts before the site's records of its
--   source is incomplete with 'history_before_records: <source>'.
-- * files: the extract files (load_log.file_id) with rows of the measure's tables for
--   the point's homes and months; residents files for the bed days.
CREATE OR REPLACE TABLE measure_values AS
WITH grid AS (
    SELECT DISTINCT site_id, home_id, month FROM stg_occupied_bed_days
),
failures AS (
    -- each failing result, spread over the home-months it concerns: a result without a
    -- site, home or month concerns all of them; a home may be one with no bed days at
    -- all (its residents list was set aside), whose failure still concerns its site
    SELECT DISTINCT r.table_name, sm.site_id, coalesce(r.home_id, h.home_id) AS home_id,
           sm.month, r.severity, r."check"
    FROM dq_results AS r
    JOIN (SELECT DISTINCT site_id, month FROM grid) AS sm
      ON (r.site_id IS NULL OR r.site_id = sm.site_id)
     AND (r.period IS NULL OR r.period = sm.month)
    LEFT JOIN (SELECT DISTINCT site_id, home_id FROM grid) AS h
      ON r.home_id IS NULL AND h.site_id = sm.site_id
    WHERE r.status = 'fail'
),
measure_tables AS (
    SELECT measure_id, unnest(tables) AS table_name, period_unit FROM ref_measure
),
home_flags AS (
    -- per measure, home and period: the checks that failed on its tables
    SELECT t.measure_id, f.site_id, f.home_id,
           CAST(date_trunc(t.period_unit, f.month) AS DATE) AS period,
           bool_or(f.severity = 'ERROR') AS error, bool_or(f.severity = 'WARN') AS warn,
           list(DISTINCT f."check" ORDER BY f."check") AS checks
    FROM failures AS f
    JOIN measure_tables AS t ON f.table_name IS NULL OR f.table_name = t.table_name
    GROUP BY ALL
),
coverage AS (
    -- each site's months per source system: [first_month, last_month]
    SELECT site_id, 'carehome' AS source, first_month, last_month FROM extract_period()
    UNION ALL
    SELECT site_id, 'gp', min(m), max(m) FROM (
        SELECT site_id, CAST(date_trunc('month', event_date) AS DATE) AS m FROM stg_event
        WHERE source_system IN ('emis', 'emis_report', 'systmone')
          AND event_date <= current_date
        UNION ALL
        SELECT site_id, CAST(date_trunc('month', issue_date) AS DATE) FROM stg_medication_issue
        WHERE issue_date <= current_date
    ) GROUP BY ALL
    UNION ALL
    SELECT site_id, 'hospital', min(m), max(m) FROM (
        SELECT site_id, CAST(date_trunc('month', admit_date) AS DATE) AS m
        FROM stg_hospital_spell WHERE admit_date <= current_date
        UNION ALL
        SELECT site_id, CAST(date_trunc('month', arrival_date) AS DATE) FROM stg_ae_attendance
        WHERE arrival_date <= current_date
    ) GROUP BY ALL
    UNION ALL
    SELECT site_id, 'qi_log', min(m), max(m) FROM (
        SELECT site_id, CAST(date_trunc('month', activity_date) AS DATE) AS m
        FROM stg_qi_activity WHERE activity_date <= current_date
    ) GROUP BY ALL
),
covered AS (
    -- per measure, site and period: whether the designated source covers every month
    SELECT m.measure_id, g.site_id, CAST(date_trunc(m.period_unit, g.month) AS DATE) AS period,
           bool_and(c.site_id IS NOT NULL) AS covered
    FROM ref_measure AS m
    CROSS JOIN (SELECT DISTINCT site_id, month FROM grid) AS g
    LEFT JOIN coverage AS c
      ON c.site_id = g.site_id AND c.source = m.source
     AND g.month BETWEEN c.first_month AND c.last_month
    WHERE m.source IS NOT NULL
    GROUP BY ALL
),
history AS (
    -- per measure, site and period: a look-back (history_days) that starts before the
    -- site's records of the designated source do
    SELECT m.measure_id, g.site_id, g.period, c.first_month IS NULL
               OR g.last_day - CAST(m.history_days AS INTEGER) < c.first_month AS short
    FROM ref_measure AS m
    JOIN (SELECT DISTINCT site_id, period_unit,
                 CAST(date_trunc(period_unit, month) AS DATE) AS period,
                 CAST(date_trunc(period_unit, month)
                      + CASE period_unit WHEN 'quarter' THEN INTERVAL 3 MONTH
                                         ELSE INTERVAL 1 MONTH END - INTERVAL 1 DAY AS DATE)
                     AS last_day
          FROM grid CROSS JOIN (SELECT DISTINCT period_unit FROM ref_measure)) AS g
      ON g.period_unit = m.period_unit
    LEFT JOIN coverage AS c ON c.site_id = g.site_id AND c.source = m.source
    WHERE m.history_days > 0
),
partial AS (
    -- per measure, site and period: a quarter the site's data cover only part of
    SELECT m.measure_id, g.site_id, CAST(date_trunc(m.period_unit, g.month) AS DATE) AS period,
           count(DISTINCT g.month) < max(CASE m.period_unit WHEN 'quarter' THEN 3 ELSE 1 END)
               AS partial
    FROM ref_measure AS m CROSS JOIN (SELECT DISTINCT site_id, month FROM grid) AS g
    GROUP BY ALL
),
point_files AS (
    SELECT measure_id, site_id, home_id, period, list(DISTINCT file_id ORDER BY file_id) AS files
    FROM (
        SELECT t.measure_id, f.site_id, f.home_id,
               CAST(date_trunc(t.period_unit, f.month) AS DATE) AS period, f.file_id
        FROM staged_files AS f JOIN measure_tables AS t USING (table_name)
    )
    GROUP BY ALL
),
home AS (
    SELECT p.measure_id, 'home' AS level, p.site_id, p.home_id, p.period,
           p.numerator, p.denominator, p.source,
           coalesce(f.error, false) OR NOT coalesce(c.covered, true)
               OR coalesce(q.partial, false) OR coalesce(hs.short, false) AS incomplete,
           coalesce(f.warn, false) AS warn,
           list_concat(coalesce(f.checks, []),
                       CASE WHEN NOT coalesce(c.covered, true)
                            THEN ['source_not_received: ' || m.source] ELSE [] END,
                       CASE WHEN q.partial THEN ['period_partly_covered'] ELSE [] END,
                       CASE WHEN hs.short THEN ['history_before_records: ' || m.source]
                            ELSE [] END)
               AS checks,
           coalesce(pf.files, []) AS files
    FROM measure_points AS p
    JOIN ref_measure AS m USING (measure_id)
    LEFT JOIN home_flags AS f USING (measure_id, site_id, home_id, period)
    LEFT JOIN covered AS c USING (measure_id, site_id, period)
    LEFT JOIN partial AS q USING (measure_id, site_id, period)
    LEFT JOIN history AS hs USING (measure_id, site_id, period)
    LEFT JOIN point_files AS pf USING (measure_id, site_id, home_id, period)
),
site_flags AS (
    -- per measure, site and period: the checks failed for any of its homes, charted or not
    SELECT measure_id, site_id, period, bool_or(error) AS error, bool_or(warn) AS warn,
           list_sort(list_distinct(flatten(list(checks)))) AS checks
    FROM home_flags GROUP BY ALL
),
site AS (
    SELECT h.measure_id, 'site' AS level, h.site_id, NULL AS home_id, h.period,
           sum(h.numerator) AS numerator, sum(h.denominator) AS denominator,
           string_agg(DISTINCT h.source, ',' ORDER BY h.source) AS source,
           bool_or(h.incomplete) OR coalesce(any_value(f.error), false) AS incomplete,
           bool_or(h.warn) OR coalesce(any_value(f.warn), false) AS warn,
           list_sort(list_distinct(list_concat(flatten(list(h.checks)),
                                               coalesce(any_value(f.checks), [])))) AS checks,
           list_sort(list_distinct(flatten(list(h.files)))) AS files
    FROM home AS h
    LEFT JOIN site_flags AS f USING (measure_id, site_id, period)
    GROUP BY h.measure_id, h.site_id, h.period
),
collaborative AS (
    SELECT measure_id, 'collaborative' AS level, NULL AS site_id, NULL AS home_id, period,
           sum(numerator) AS numerator, sum(denominator) AS denominator,
           string_agg(DISTINCT source, ',' ORDER BY source) AS source,
           bool_or(incomplete) AS incomplete, bool_or(warn) AS warn,
           list_sort(list_distinct(flatten(list(checks)))) AS checks,
           list_sort(list_distinct(flatten(list(files)))) AS files
    FROM site GROUP BY ALL
),
points AS (
    SELECT * FROM home UNION ALL BY NAME SELECT * FROM site
    UNION ALL BY NAME SELECT * FROM collaborative
)
SELECT p.measure_id, m.version, p.level, p.site_id, p.home_id, p.period,
       NOT p.incomplete AS data_complete,
       CASE WHEN NOT p.incomplete THEN p.numerator END AS numerator,
       CASE WHEN NOT p.incomplete THEN p.denominator END AS denominator,
       CASE WHEN p.incomplete THEN NULL
            WHEN m.has_denominator THEN p.numerator * m.multiplier / nullif(p.denominator, 0)
            ELSE p.numerator * m.multiplier END AS "value",
       p.source, p.warn AS dq_warning, p.checks AS dq_checks, p.files
FROM points AS p JOIN ref_measure AS m USING (measure_id)
ORDER BY m.position, p.site_id NULLS FIRST, p.home_id NULLS FIRST, p.period;
