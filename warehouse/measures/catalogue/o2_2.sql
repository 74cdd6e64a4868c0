-- O2.2 % residents at high risk (MUST 2 or more) at their latest score (docs/domain.md
-- §2.4): residents on roll at the period's end with a MUST score in the window_days
-- that end on its last day (last_day - window_days < date <= last_day), in any home of
-- the site, from the home's designated source for the period (its care-home record, or
-- the GP record where that holds no MUST scores: observation_source); numerator: those
-- whose latest score in the window (the highest, if several that day) is high_risk or
-- more. The latest score is latest_readings'.
WITH counts AS (
    SELECT site_id, home_id, period, count(*) FILTER (WHERE latest >= $high_risk) AS high,
           count(*) AS screened
    FROM latest_readings($period, 'must_score', CAST($window_days AS INTEGER))
    GROUP BY ALL
)
SELECT s.site_id, s.home_id, s.period, coalesce(c.high, 0) AS numerator,
       coalesce(c.screened, 0) AS denominator, s.source
FROM observation_source($period, 'must_score') AS s
LEFT JOIN counts AS c USING (site_id, home_id, period)
