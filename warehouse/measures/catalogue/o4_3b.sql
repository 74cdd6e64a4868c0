-- O4.3b % of the deaths within 90 days of admission that were in hospital
-- (docs/domain.md §2.6): O4.3's deaths, by the place of death (place_of_death:
-- 'hospital' when a hospital spell was under way at the death).
WITH died AS (
    SELECT site_id, home_id, period,
           count(*) FILTER (WHERE place_of_death = 'hospital') AS in_hospital,
           count(*) AS deaths
    FROM place_of_death($period)
    WHERE death_date - start_date <= CAST($within_days AS INTEGER)
    GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(d.in_hospital, 0) AS numerator,
       coalesce(d.deaths, 0) AS denominator, 'carehome' AS source
FROM home_periods($period) AS h
LEFT JOIN died AS d USING (site_id, home_id, period)
