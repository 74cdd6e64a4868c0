-- The QI team's decisions on a chart's limits (docs/extracts.md §6.2; docs/spc.md): one
-- row per decision and home (home_id NULL: every home of the site). action 'freeze':
-- the limits are computed from the points up to and including effective_date's month and
-- extended; 'rebase': new limits from effective_date's month on. A decision repeated in
-- re-sent files counts once per (site, measure, home, action, date), as the file loaded
-- last has it (its decided_by, decided_on and reason win).
CREATE OR REPLACE TABLE stg_baseline_decision AS
WITH by_home AS (
    SELECT *, unnest(coalesce(home_ids, [NULL::VARCHAR])) AS home_id FROM raw_qi_baseline
)
SELECT site_id, measure_id, home_id, action, effective_date, decided_by, decided_on, reason,
       file_id, source_row
FROM by_home
QUALIFY row_number() OVER (PARTITION BY site_id, measure_id, home_id, action, effective_date
                           ORDER BY file_id DESC, source_row DESC) = 1
ORDER BY site_id, measure_id, home_id NULLS FIRST, effective_date, action;
