-- P2.1 MUST screening compliance (docs/domain.md §2.4): residents on roll at the
-- period's end, less those admitted fewer than settled_days before its last day, with a
-- MUST score dated in the window_days that end on that day (last_day - window_days <
-- date <= last_day), in any home of the site; out of those residents. The score counts
-- from the home's designated source, its care-home record (must_score), or the GP
-- record (444297006) where the home's record holds no MUST scores for the period
-- (observation_source). Screened: the resident's latest score on or before the last day
-- (readings_at_end) is in the window.
WITH src AS (
    SELECT * FROM observation_source($period, 'must_score')
),
residents AS (
    SELECT site_id, home_id, period,
           coalesce(read_on > last_day - CAST($window_days AS INTEGER), false) AS screened
    FROM readings_at_end($period, 'must_score')
    WHERE last_day - start_date >= $settled_days
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
