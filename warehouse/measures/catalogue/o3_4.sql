-- O3.4 (= S11) % of deaths in the preferred place (docs/domain.md §2.5, §2.7): residents
-- who died while on a home's roll (residence episode ending 'died'), by the period of
-- the death, whose stay records a preferred place of death. The actual place is
-- place_of_death: 'hospital' when a hospital spell was under way at the death, else
-- 'care_home'. A preference is met when it is care_home and the resident died in the
-- home, or hospital and they died in hospital; 'home' (their own home) and 'hospice'
-- are never met by a death on the roll.
WITH judged AS (
    SELECT site_id, home_id, period,
           count(*) FILTER (WHERE preferred_place_of_death = place_of_death) AS met,
           count(*) AS stated
    FROM place_of_death($period)
    WHERE nullif(trim(preferred_place_of_death), '') IS NOT NULL
    GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(j.met, 0) AS numerator,
       coalesce(j.stated, 0) AS denominator, 'carehome' AS source
FROM home_periods($period) AS h
LEFT JOIN judged AS j USING (site_id, home_id, period)
