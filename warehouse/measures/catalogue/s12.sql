-- S12 % of residents' deaths in hospital (docs/domain.md §2.7): residents who died
-- while on a home's roll (residence episode ending 'died'), in the home and period of
-- the death; in hospital when a hospital spell was under way at the death
-- (place_of_death).
WITH died AS (
    SELECT site_id, home_id, period,
           count(*) FILTER (WHERE place_of_death = 'hospital') AS in_hospital,
           count(*) AS deaths
    FROM place_of_death($period)
    GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(d.in_hospital, 0) AS numerator,
       coalesce(d.deaths, 0) AS denominator, 'carehome' AS source
FROM home_periods($period) AS h
LEFT JOIN died AS d USING (site_id, home_id, period)
