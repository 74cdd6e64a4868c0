-- Completeness against the census: a home with residents in a month (occupied bed days)
-- but not one care-home observation from it that month: its observations file is
-- missing or was cut short, so weights, MUST scores and checks would count as zero.
-- Bed days run only over the site's extract period (warehouse/sql/stg_occupied_bed_days.sql),
-- so a stray date never adds months to check.
SELECT 'stg_event' AS table_name, o.site_id, o.home_id, o.month AS period,
       NULL::BIGINT AS file_id, 1 AS "rows", (count(e.home_id) = 0)::INT AS failing,
       []::BIGINT[] AS lines,
       format('{} had {} in {} but no care-home observations (weights, MUST, checks) from '
              'that month', home_name(o.site_id, o.home_id), counted(o.residents, 'resident'),
              strftime(o.month, '%B %Y')) AS detail
FROM stg_occupied_bed_days AS o
LEFT JOIN stg_event AS e
    ON e.source_system = 'carehome' AND e.site_id = o.site_id AND e.home_id = o.home_id
   AND e.event_date >= o.month AND e.event_date < o.month + INTERVAL 1 MONTH
WHERE o.residents > 0
GROUP BY o.site_id, o.home_id, o.month, o.residents
