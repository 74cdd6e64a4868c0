-- O2.1 % residents with unintentional weight loss of 5% or more over 3 months
-- (docs/domain.md §2.4): residents on roll at the period's end with a latest weight in
-- the recent_days that end on its last day (last_day - recent_days < date <= last_day)
-- and a weight in the baseline window (last_day - baseline_from_days to last_day -
-- recent_days, inclusive); numerator: those whose latest weight is loss_percent or more
-- below the highest weight of the baseline window. Weights from the home's designated
-- source for the period: its care-home record (weight_kg), or the GP record (27113001)
-- where that holds no weights (observation_source), in any home of the site; several
-- on one day: the highest. No source records weight loss as intentional, so none is
-- left out. The latest weight is latest_readings', the baseline window's
-- baseline_readings', as O2.3's.
WITH src AS (
    SELECT * FROM observation_source($period, 'weight_kg')
),
latest AS (
    SELECT * FROM latest_readings($period, 'weight_kg', CAST($recent_days AS INTEGER))
),
compared AS (
    SELECT l.site_id, l.home_id, l.period, l.person, l.latest, b.highest
    FROM latest AS l
    JOIN baseline_readings($period, 'weight_kg', CAST($baseline_from_days AS INTEGER),
                           CAST($recent_days AS INTEGER)) AS b
      ON b.person = l.person AND b.source = l.source AND b.period = l.period
),
counts AS (
    SELECT site_id, home_id, period,
           count(*) FILTER (WHERE 100 * (highest - latest) >= $loss_percent * highest) AS losing,
           count(*) AS residents
    FROM compared GROUP BY ALL
)
SELECT s.site_id, s.home_id, s.period, coalesce(c.losing, 0) AS numerator,
       coalesce(c.residents, 0) AS denominator, s.source
FROM src AS s
LEFT JOIN counts AS c USING (site_id, home_id, period)
