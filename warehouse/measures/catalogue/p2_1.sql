-- P2.1 MUST screening compliance (docs/domain.md §2.4): residents on roll at the
-- period's end, less those admitted fewer than settled_days before its last day, with a
-- MUST score dated in the window_days that end on that day (last_day - window_days <
-- date <= last_day), in any home of the site; out of those residents. The score counts
-- from the home's designated source, its care-home record (must_score), or the GP
-- record (444297006) where the home's record holds no MUST scores for the period
-- (observation_source).
WITH src AS (
    SELECT * FROM observation_source($period, 'must_score')
),
residents AS (
    SELECT r.site_id, r.home_id, r.period, r.pseudo_id, count(m.event_date) > 0 AS screened
    FROM on_roll($period) AS r
    JOIN src AS s USING (site_id, home_id, period)
    LEFT JOIN observed('must_score') AS m
      ON m.site_id = r.site_id AND m.pseudo_id = r.pseudo_id AND m.source = s.source
     AND m.event_date > r.last_day - CAST($window_days AS INTEGER)
     AND m.event_date <= r.last_day
    WHERE r.last_day - r.start_date >= $settled_days
    GROUP BY ALL
),
counts AS (
    SELECT site_id, home_id, period, count(*) FILTER (WHERE screened) AS screened,
           count(*) AS residents
    FROM residents GROUP BY ALL
)
SELECT s.site_id, s.home_id, s.period, coalesce(c.screened, 0) AS numerator,
       coalesce(c.residents, 0) AS denominator, s.source
FROM src AS s
LEFT JOIN counts AS c USING (site_id, home_id, period)
