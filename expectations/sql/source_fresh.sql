-- Freshness: each source's newest record at a site, across all the tables it feeds,
-- against how old it may be (expectations/extract_schedule.csv). A source whose newest
-- record is older than that is one finding per site and source, whatever the number of
-- tables it feeds or months since: the extract has stopped or is late, and someone must
-- chase it. It is about no staged table and no month (table_name 'extract schedule: ' and
-- the source, one result per site and source; period null), so the gate (dq_point)
-- neither leaves out nor marks any chart point for it: the months up to the last extract
-- are as complete as they were, and months after it have no records of the source to
-- chart.
WITH latest AS (
    -- each staged table's newest row per site and source up to the run date
    -- (expectations.measure.staged_dates, from the declarations in warehouse/tables.py)
    SELECT site_id, source, max(latest) AS latest FROM staged_dates GROUP BY ALL
),
judged AS (
    SELECT l.site_id, l.source, l.latest, s.max_age_days, $run_date::DATE - l.latest AS age,
           -- "care-home records" -> "care-home": the label names the source, not its rows
           regexp_replace(s.label, '\s+records?$', '') AS source_name
    FROM latest AS l JOIN read_csv($schedule, header = true) AS s USING (source)
)
SELECT format('extract schedule: {}', source) AS table_name, site_id, NULL AS home_id,
       NULL::DATE AS period, NULL::BIGINT AS file_id, 1 AS "rows", (age > max_age_days)::INT AS failing,
       []::BIGINT[] AS lines,
       format('The newest {} record is dated {}, {} before this run; the extract schedule '
              'expects one every {} at most. Months after it are not charted until the next '
              'extract arrives', source_name, strftime(latest, '%-d %B %Y'),
              counted(age, 'day'), counted(max_age_days, 'day')) AS detail
FROM judged
