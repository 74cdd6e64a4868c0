-- O2.3 mean weight change (kg) per resident over 3 months (docs/domain.md §2.4):
-- residents on roll at the period's end with a latest weight in the recent_days that
-- end on its last day and an earlier weight in the baseline window (last_day -
-- baseline_from_days to last_day - recent_days, inclusive), as O2.1; numerator: the sum
-- of their latest weight less the latest weight of the baseline window (kg; a loss is
-- negative); denominator: those residents. Weights from the home's designated source
-- (observation_source), in any home of the site; several on one day: the highest.
WITH src AS (
    SELECT * FROM observation_source($period, 'weight_kg')
),
weights AS (
    SELECT * FROM observed('weight_kg') WHERE value_num IS NOT NULL
),
latest AS (
    SELECT r.site_id, r.home_id, r.period, r.pseudo_id, r.last_day, s.source,
           arg_max(w.value_num, w.event_date) AS latest
    FROM on_roll($period) AS r
    JOIN src AS s USING (site_id, home_id, period)
    JOIN weights AS w
      ON w.site_id = r.site_id AND w.pseudo_id = r.pseudo_id AND w.source = s.source
     AND w.event_date > r.last_day - CAST($recent_days AS INTEGER)
     AND w.event_date <= r.last_day
    GROUP BY ALL
),
compared AS (
    SELECT l.site_id, l.home_id, l.period, l.pseudo_id, l.latest,
           arg_max(w.value_num, w.event_date) AS earlier
    FROM latest AS l
    JOIN weights AS w
      ON w.site_id = l.site_id AND w.pseudo_id = l.pseudo_id AND w.source = l.source
     AND w.event_date BETWEEN l.last_day - CAST($baseline_from_days AS INTEGER)
                          AND l.last_day - CAST($recent_days AS INTEGER)
    GROUP BY ALL
),
counts AS (
    SELECT site_id, home_id, period, sum(latest - earlier) AS change, count(*) AS residents
    FROM compared GROUP BY ALL
)
SELECT s.site_id, s.home_id, s.period, coalesce(c.change, 0) AS numerator,
       coalesce(c.residents, 0) AS denominator, s.source
FROM src AS s
LEFT JOIN counts AS c USING (site_id, home_id, period)
