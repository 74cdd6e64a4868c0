-- P2.2 % new admissions screened within 7 days (docs/domain.md §2.4): stays that began
-- in the period (admissions()), counted in the month of admission and only once their
-- window (admission day to window_days after it) has ended by the site's last day of
-- data (site_data_end); numerator: those with a MUST score dated in that window,
-- wherever the resident was, from the admitting home's source for the period (its
-- care-home record, or the GP record where that holds no MUST scores:
-- observation_source).
WITH followed AS (
    SELECT a.site_id, a.home_id, a.period, a.pseudo_id, a.start_date,
           count(m.event_date) > 0 AS screened
    FROM admissions($period) AS a
    JOIN observation_source($period, 'must_score') AS s USING (site_id, home_id, period)
    JOIN site_data_end($period) AS d USING (site_id)
    LEFT JOIN observed('must_score') AS m
      ON m.site_id = a.site_id AND m.pseudo_id = a.pseudo_id AND m.source = s.source
     AND m.event_date BETWEEN a.start_date
                          AND a.start_date + CAST($window_days AS INTEGER)
    WHERE a.start_date + CAST($window_days AS INTEGER) <= d.data_end
    GROUP BY ALL
),
counts AS (
    SELECT site_id, home_id, period, count(*) FILTER (WHERE screened) AS screened,
           count(*) AS admissions
    FROM followed GROUP BY ALL
)
SELECT s.site_id, s.home_id, s.period, coalesce(c.screened, 0) AS numerator,
       coalesce(c.admissions, 0) AS denominator, s.source
FROM observation_source($period, 'must_score') AS s
LEFT JOIN counts AS c USING (site_id, home_id, period)
