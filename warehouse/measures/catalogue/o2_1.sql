-- O2.1 % residents with unintentional weight loss of 5% or more over 3 months
-- (docs/domain.md §2.4): residents on roll at the period's end with a latest weight in
-- the recent_days that end on its last day (last_day - recent_days < date <= last_day)
-- and a weight in the baseline window (last_day - baseline_from_days to last_day -
-- recent_days, inclusive); numerator: those whose latest weight is loss_percent or more
-- below the highest weight of the baseline window. Weights from the home's designated
-- source for the period: its care-home record (weight_kg), or the GP record (27113001)
-- where that holds no weights (observation_source), in any home of the site; several
-- on one day: the highest. No source records weight loss as intentional, so none is
-- left out.
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
           max(w.value_num) AS highest
    FROM latest AS l
    JOIN weights AS w
      ON w.site_id = l.site_id AND w.pseudo_id = l.pseudo_id AND w.source = l.source
     AND w.event_date BETWEEN l.last_day - CAST($baseline_from_days AS INTEGER)
                          AND l.last_day - CAST($recent_days AS INTEGER)
    GROUP BY ALL
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
