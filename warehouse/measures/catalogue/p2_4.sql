-- P2.4 % residents weighed in the month (docs/domain.md §2.4): residents on roll at the
-- period's end with a weight dated in the period (first to last day), in any home of
-- the site, from the home's designated source: its care-home record (weight_kg), or the
-- GP record (27113001, bulk extract or report) where the home's record holds no weights
-- for the period (observation_source); out of the residents on roll. Weighed: the
-- resident's latest weight on or before the last day (readings_at_end) is in the period.
WITH src AS (
    SELECT * FROM observation_source($period, 'weight_kg')
),
residents AS (
    SELECT site_id, home_id, period, coalesce(read_on >= first_day, false) AS weighed
    FROM readings_at_end($period, 'weight_kg')
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
