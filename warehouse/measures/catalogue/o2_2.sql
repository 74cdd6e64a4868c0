-- O2.2 % residents at high risk (MUST 2 or more) at their latest score (docs/domain.md
-- §2.4): residents on roll at the period's end with a MUST score in the window_days
-- that end on its last day (last_day - window_days < date <= last_day), in any home of
-- the site, from the home's designated source for the period (its care-home record, or
-- the GP record where that holds no MUST scores: observation_source); numerator: those
-- whose latest score in the window (the highest, if several that day) is high_risk or
-- more.
WITH src AS (
    SELECT * FROM observation_source($period, 'must_score')
),
latest AS (
    SELECT r.site_id, r.home_id, r.period, r.pseudo_id,
           arg_max(m.value_num, m.event_date) AS score
    FROM on_roll($period) AS r
    JOIN src AS s USING (site_id, home_id, period)
    JOIN observed('must_score') AS m
      ON m.site_id = r.site_id AND m.pseudo_id = r.pseudo_id AND m.source = s.source
     AND m.event_date > r.last_day - CAST($window_days AS INTEGER)
     AND m.event_date <= r.last_day
    WHERE m.value_num IS NOT NULL
    GROUP BY ALL
),
counts AS (
    SELECT site_id, home_id, period, count(*) FILTER (WHERE score >= $high_risk) AS high,
           count(*) AS screened
    FROM latest GROUP BY ALL
)
SELECT s.site_id, s.home_id, s.period, coalesce(c.high, 0) AS numerator,
       coalesce(c.screened, 0) AS denominator, s.source
FROM src AS s
LEFT JOIN counts AS c USING (site_id, home_id, period)
