-- O2.3 mean weight change (kg) per resident over 3 months (docs/domain.md §2.4):
-- residents on roll at the period's end with a latest weight in the recent_days that
-- end on its last day and an earlier weight in the baseline window (last_day -
-- baseline_from_days to last_day - recent_days, inclusive), as O2.1; numerator: the sum
-- of their latest weight less the latest weight of the baseline window (kg; a loss is
-- negative); denominator: those residents. Weights from the home's designated source
-- (observation_source), in any home of the site; several on one day: the highest. The
-- latest weight is latest_readings', the baseline window's baseline_readings', as
-- O2.1's.
WITH src AS (
    SELECT * FROM observation_source($period, 'weight_kg')
),
latest AS (
    SELECT * FROM latest_readings($period, 'weight_kg', CAST($recent_days AS INTEGER))
),
compared AS (
    SELECT l.site_id, l.home_id, l.period, l.person, l.latest, b.latest AS earlier
    FROM latest AS l
    JOIN baseline_readings($period, 'weight_kg', CAST($baseline_from_days AS INTEGER),
                           CAST($recent_days AS INTEGER)) AS b
      ON b.person = l.person AND b.source = l.source AND b.period = l.period
),
counts AS (
    SELECT site_id, home_id, period, sum(latest - earlier) AS change, count(*) AS residents
    FROM compared GROUP BY ALL
)
SELECT s.site_id, s.home_id, s.period, coalesce(c.change, 0) AS numerator,
       coalesce(c.residents, 0) AS denominator, s.source
FROM src AS s
LEFT JOIN counts AS c USING (site_id, home_id, period)
