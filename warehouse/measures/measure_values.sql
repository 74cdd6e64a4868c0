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
--   the point's homes and months; residents files for the bed days. A site point's
--   list is every file of its homes' points, the collaborative's every file of its
--   sites' points.
--
-- The checks and the files depend on a measure only through the tables it reads and its
-- period unit, so both are worked out once per such set of tables (table_sets: 14 sets
-- for the 44 measures of the catalogue), not once per measure. And a site point whose
-- home points are exactly the site's homes with bed days in the period (grid_periods),
-- as every measure counted over home_periods(), bed_days() or the other shared
-- denominators has, takes the files of those homes (site_files) rather than merging its
-- homes' lists again; the collaborative likewise (all_files) when its sites are every
-- site, each with all its homes. Other points merge their own homes' (sites') lists.
-- Either way the lists are the same.
CREATE OR REPLACE TABLE measure_values AS
WITH grid AS (
    SELECT DISTINCT site_id, home_id, month FROM stg_occupied_bed_days
),
table_sets AS (
    -- each measure's set of tables and period unit, numbered: measures with the same
    -- set share its checks and files
    SELECT measure_id, period_unit, tables,
           dense_rank() OVER (ORDER BY tables, period_unit) AS set_id
    FROM (SELECT measure_id, period_unit, list_sort(list_distinct(tables)) AS tables
          FROM ref_measure)
),
set_tables AS (
    SELECT DISTINCT set_id, period_unit, unnest(tables) AS table_name FROM table_sets
),
sets AS (
    SELECT DISTINCT set_id, period_unit FROM table_sets
),
grid_periods AS (
    -- per period unit, the home-periods with bed days: those of home_periods()
    SELECT DISTINCT u.period_unit, g.site_id, g.home_id,
           CAST(date_trunc(u.period_unit, g.month) AS DATE) AS period
    FROM grid AS g CROSS JOIN (SELECT DISTINCT period_unit FROM ref_measure) AS u
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
set_flags AS (
    -- per set of tables, home and period: the checks that failed on its tables (a result
    -- without a table, on all of them)
    SELECT t.set_id, f.site_id, f.home_id,
           CAST(date_trunc(t.period_unit, f.month) AS DATE) AS period,
           bool_or(f.severity = 'ERROR') AS error, bool_or(f.severity = 'WARN') AS warn,
           list(DISTINCT f."check" ORDER BY f."check") AS checks
    FROM (SELECT * FROM failures WHERE table_name IS NOT NULL) AS f
    JOIN set_tables AS t USING (table_name)
    GROUP BY ALL
    UNION ALL BY NAME
    SELECT s.set_id, f.site_id, f.home_id,
           CAST(date_trunc(s.period_unit, f.month) AS DATE) AS period,
           bool_or(f.severity = 'ERROR') AS error, bool_or(f.severity = 'WARN') AS warn,
           list(DISTINCT f."check" ORDER BY f."check") AS checks
    FROM (SELECT * FROM failures WHERE table_name IS NULL) AS f
    CROSS JOIN (SELECT DISTINCT set_id, period_unit FROM set_tables) AS s  -- a table or more
    GROUP BY ALL
),
home_flags AS (
    -- the two halves of set_flags merged (a home-period may have both kinds)
    SELECT set_id, site_id, home_id, period, bool_or(error) AS error, bool_or(warn) AS warn,
           list_sort(list_distinct(flatten(list(checks)))) AS checks
    FROM set_flags GROUP BY ALL
),
site_flags AS (
    -- per set, site and period: the checks failed for any of its homes, charted or not
    SELECT set_id, site_id, period, bool_or(error) AS error, bool_or(warn) AS warn,
           list_sort(list_distinct(flatten(list(checks)))) AS checks
    FROM home_flags GROUP BY ALL
),
coverage AS (
    -- each site's months per source system: [first_month, last_month]
    SELECT site_id, 'carehome' AS source, first_month, last_month FROM extract_period()
    UNION ALL
    SELECT site_id, 'gp', CAST(date_trunc('month', min(d)) AS DATE),
           CAST(date_trunc('month', max(d)) AS DATE) FROM (
        SELECT site_id, event_date AS d FROM stg_event
        WHERE source_system IN ('emis', 'emis_report', 'systmone')
          AND event_date <= current_date
        UNION ALL
        SELECT site_id, issue_date FROM stg_medication_issue WHERE issue_date <= current_date
    ) GROUP BY ALL
    UNION ALL
    SELECT site_id, 'hospital', CAST(date_trunc('month', min(d)) AS DATE),
           CAST(date_trunc('month', max(d)) AS DATE) FROM (
        SELECT site_id, admit_date AS d FROM stg_hospital_spell WHERE admit_date <= current_date
        UNION ALL
        SELECT site_id, arrival_date FROM stg_ae_attendance WHERE arrival_date <= current_date
    ) GROUP BY ALL
    UNION ALL
    SELECT site_id, 'qi_log', CAST(date_trunc('month', min(activity_date)) AS DATE),
           CAST(date_trunc('month', max(activity_date)) AS DATE)
    FROM stg_qi_activity WHERE activity_date <= current_date
    GROUP BY ALL
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
set_files AS (
    -- per set, site, home and period: each file with rows of one of the set's tables
    SELECT DISTINCT t.set_id, f.site_id, f.home_id,
           CAST(date_trunc(t.period_unit, f.month) AS DATE) AS period, f.file_id
    FROM set_tables AS t JOIN staged_files AS f USING (table_name)
),
home_files AS (
    SELECT set_id, site_id, home_id, period, list(file_id ORDER BY file_id) AS files
    FROM set_files GROUP BY ALL
),
grid_files AS (
    -- the files of set_files of the home-periods with bed days
    SELECT f.*
    FROM set_files AS f
    JOIN sets AS s USING (set_id)
    SEMI JOIN grid_periods AS g
      ON g.period_unit = s.period_unit AND g.site_id = f.site_id AND g.home_id = f.home_id
     AND g.period = f.period
),
site_files AS (
    -- per set, site and period: the files of all the site's homes with bed days then
    SELECT set_id, site_id, period, list(DISTINCT file_id ORDER BY file_id) AS files
    FROM grid_files GROUP BY ALL
),
all_files AS (
    -- per set and period: the files of every site's homes with bed days then
    SELECT set_id, period, list(DISTINCT file_id ORDER BY file_id) AS files
    FROM grid_files GROUP BY ALL
),
cover AS (
    -- per measure, site and period: the coverage checks, alike for every home of the site
    SELECT m.measure_id, g.site_id, g.period,
           NOT coalesce(c.covered, true) OR coalesce(q.partial, false)
               OR coalesce(hs.short, false) AS incomplete,
           list_concat(CASE WHEN NOT coalesce(c.covered, true)
                            THEN ['source_not_received: ' || m.source] ELSE [] END,
                       CASE WHEN q.partial THEN ['period_partly_covered'] ELSE [] END,
                       CASE WHEN hs.short THEN ['history_before_records: ' || m.source]
                            ELSE [] END) AS checks
    FROM ref_measure AS m
    JOIN (SELECT DISTINCT period_unit, site_id, period FROM grid_periods) AS g
      ON g.period_unit = m.period_unit
    LEFT JOIN covered AS c USING (measure_id, site_id, period)
    LEFT JOIN partial AS q USING (measure_id, site_id, period)
    LEFT JOIN history AS hs USING (measure_id, site_id, period)
),
home AS (
    SELECT p.measure_id, 'home' AS level, p.site_id, p.home_id, p.period,
           p.numerator, p.denominator, p.source,
           coalesce(f.error, false) OR coalesce(c.incomplete, false) AS incomplete,
           coalesce(f.warn, false) AS warn,
           list_concat(coalesce(f.checks, []), coalesce(c.checks, [])) AS checks,
           coalesce(pf.files, []) AS files,
           coalesce(c.checks, []) AS cover_checks, t.set_id, g.home_id IS NOT NULL AS in_grid
    FROM measure_points AS p
    JOIN ref_measure AS m USING (measure_id)
    JOIN table_sets AS t USING (measure_id)
    LEFT JOIN cover AS c USING (measure_id, site_id, period)
    LEFT JOIN home_flags AS f USING (set_id, site_id, home_id, period)
    LEFT JOIN home_files AS pf USING (set_id, site_id, home_id, period)
    LEFT JOIN grid_periods AS g
      ON g.period_unit = m.period_unit AND g.site_id = p.site_id AND g.home_id = p.home_id
     AND g.period = p.period
),
site_homes AS (
    -- per measure, site and period: whether its home points are all the site's homes
    -- with bed days in the period, and no other
    SELECT h.measure_id, h.site_id, h.period,
           count(*) = any_value(g.homes) AND bool_and(h.in_grid) AS all_homes
    FROM home AS h
    JOIN ref_measure AS m USING (measure_id)
    LEFT JOIN (SELECT period_unit, site_id, period, count(*) AS homes
               FROM grid_periods GROUP BY ALL) AS g
      ON g.period_unit = m.period_unit AND g.site_id = h.site_id AND g.period = h.period
    GROUP BY h.measure_id, h.site_id, h.period
),
site_own_files AS (
    -- the files of any other site point: its homes' lists merged
    SELECT h.measure_id, h.site_id, h.period,
           list_sort(list_distinct(flatten(list(h.files)))) AS files
    FROM home AS h
    SEMI JOIN site_homes AS s
      ON s.measure_id = h.measure_id AND s.site_id = h.site_id AND s.period = h.period
     AND NOT s.all_homes
    GROUP BY h.measure_id, h.site_id, h.period
),
site AS (
    SELECT h.measure_id, 'site' AS level, h.site_id, NULL AS home_id, h.period,
           sum(h.numerator) AS numerator, sum(h.denominator) AS denominator,
           string_agg(DISTINCT h.source, ',' ORDER BY h.source) AS source,
           bool_or(h.incomplete) OR coalesce(any_value(f.error), false) AS incomplete,
           bool_or(h.warn) OR coalesce(any_value(f.warn), false) AS warn,
           -- every check of its homes' points: the site's failures (site_flags: those of
           -- all its homes) and the coverage checks, alike for all its homes
           list_sort(list_distinct(list_concat(coalesce(any_value(f.checks), []),
                                               any_value(h.cover_checks)))) AS checks,
           any_value(h.set_id) AS set_id
    FROM home AS h
    LEFT JOIN site_flags AS f USING (set_id, site_id, period)
    GROUP BY h.measure_id, h.site_id, h.period
),
site_points AS (
    SELECT s.*, sh.all_homes,
           coalesce(o.files, CASE WHEN sh.all_homes THEN coalesce(sf.files, []) END)
               AS files
    FROM site AS s
    JOIN site_homes AS sh USING (measure_id, site_id, period)
    LEFT JOIN site_own_files AS o USING (measure_id, site_id, period)
    LEFT JOIN site_files AS sf USING (set_id, site_id, period)
),
collaborative_sites AS (
    -- per measure and period: whether its site points are every site's with bed days in
    -- the period, each with all its homes
    SELECT s.measure_id, s.period,
           count(*) = any_value(g.sites) AND bool_and(s.all_homes) AS all_sites
    FROM site_points AS s
    JOIN ref_measure AS m USING (measure_id)
    LEFT JOIN (SELECT period_unit, period, count(DISTINCT site_id) AS sites
               FROM grid_periods GROUP BY ALL) AS g
      ON g.period_unit = m.period_unit AND g.period = s.period
    GROUP BY s.measure_id, s.period
),
collaborative_own_files AS (
    -- the files of any other collaborative point: its sites' lists merged
    SELECT s.measure_id, s.period, list_sort(list_distinct(flatten(list(s.files)))) AS files
    FROM site_points AS s
    SEMI JOIN collaborative_sites AS c
      ON c.measure_id = s.measure_id AND c.period = s.period AND NOT c.all_sites
    GROUP BY s.measure_id, s.period
),
collaborative AS (
    SELECT s.measure_id, 'collaborative' AS level, NULL AS site_id, NULL AS home_id, s.period,
           sum(s.numerator) AS numerator, sum(s.denominator) AS denominator,
           string_agg(DISTINCT s.source, ',' ORDER BY s.source) AS source,
           bool_or(s.incomplete) AS incomplete, bool_or(s.warn) AS warn,
           list_sort(list_distinct(flatten(list(s.checks)))) AS checks,
           any_value(s.set_id) AS set_id
    FROM site_points AS s
    GROUP BY s.measure_id, s.period
),
collaborative_points AS (
    SELECT p.* EXCLUDE (set_id),
           coalesce(o.files, CASE WHEN c.all_sites THEN coalesce(a.files, []) END) AS files
    FROM collaborative AS p
    JOIN collaborative_sites AS c USING (measure_id, period)
    LEFT JOIN collaborative_own_files AS o USING (measure_id, period)
    LEFT JOIN all_files AS a USING (set_id, period)
),
points AS (
    SELECT * EXCLUDE (set_id, in_grid, cover_checks) FROM home
    UNION ALL BY NAME SELECT * EXCLUDE (set_id, all_homes) FROM site_points
    UNION ALL BY NAME SELECT * FROM collaborative_points
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
