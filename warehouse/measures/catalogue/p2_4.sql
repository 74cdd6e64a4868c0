-- P2.4 % residents weighed in the month (docs/domain.md §2.4): residents on roll at the
-- period's end with a weight dated in the period (first to last day), in any home of
-- the site, from the home's designated source: its care-home record (weight_kg), or the
-- GP record (27113001, bulk extract or report) where the home's record holds no weights
-- for the period (observation_source); out of the residents on roll.
WITH src AS (
    SELECT * FROM observation_source($period, 'weight_kg')
),
residents AS (
    SELECT r.site_id, r.home_id, r.period, r.pseudo_id, count(w.event_date) > 0 AS weighed
    FROM on_roll($period) AS r
    JOIN src AS s USING (site_id, home_id, period)
    LEFT JOIN observed('weight_kg') AS w
      ON w.site_id = r.site_id AND w.pseudo_id = r.pseudo_id AND w.source = s.source
     AND w.event_date BETWEEN s.first_day AND s.last_day
    GROUP BY ALL
),
counts AS (
    SELECT site_id, home_id, period, count(*) FILTER (WHERE weighed) AS weighed,
           count(*) AS residents
    FROM residents GROUP BY ALL
)
SELECT s.site_id, s.home_id, s.period, coalesce(c.weighed, 0) AS numerator,
       coalesce(c.residents, 0) AS denominator, s.source
FROM src AS s
LEFT JOIN counts AS c USING (site_id, home_id, period)
