-- Completeness against the census: a home with residents in a month but no weight from
-- any source (care home, GP) for any of them. Weighing monthly is expected (BAPEN); a
-- whole home with none usually means the weights were not exported.
SELECT 'stg_event' AS table_name, o.site_id, o.home_id, o.month AS period,
       NULL::BIGINT AS file_id, 1 AS "rows", (count(e.home_id) = 0)::INT AS failing,
       []::BIGINT[] AS lines,
       format('{} had {} in {} but not one weight was recorded for them',
              home_name(o.site_id, o.home_id), counted(o.residents, 'resident'),
              strftime(o.month, '%B %Y')) AS detail
FROM stg_occupied_bed_days AS o
LEFT JOIN stg_event AS e
    ON e.concept_id = '27113001' AND e.site_id = o.site_id AND e.home_id = o.home_id
   AND e.event_date >= o.month AND e.event_date < o.month + INTERVAL 1 MONTH
WHERE o.residents > 0
GROUP BY o.site_id, o.home_id, o.month, o.residents
