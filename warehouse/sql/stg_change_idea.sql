-- The QI change log (docs/extracts.md §6.1): one row per change idea, measure and home
-- (home_id NULL: every home of the site), for the charts to annotate. A change log
-- re-sent with rows added repeats the earlier ones: each change idea (site, change_id)
-- counts once, whole, as the file loaded last has it. A change idea a later file leaves
-- out is kept from the file that has it. Measure ids stay as the site wrote them; the
-- measures engine checks them against its catalogue.
CREATE OR REPLACE TABLE stg_change_idea AS
WITH latest AS (
    SELECT * FROM raw_qi_change_idea
    QUALIFY file_id = max(file_id) OVER (PARTITION BY site_id, change_id)
),
by_home AS (
    SELECT *, unnest(coalesce(home_ids, [NULL::VARCHAR])) AS home_id FROM latest
)
SELECT site_id, change_id, title, home_id, unnest(measure_ids) AS measure_id, start_date,
       cycle, owner, file_id, source_row
FROM by_home
ORDER BY site_id, start_date, change_id, home_id NULLS FIRST, measure_id;
