-- O4.3 deaths within 90 days of admission (docs/domain.md §2.6): residence episodes
-- ending 'died' (deaths) no more than within_days days after the episode's admission
-- date, in the home and period of the death.
WITH died AS (
    SELECT site_id, home_id, period, count(*) AS deaths
    FROM deaths($period)
    WHERE death_date - start_date <= CAST($within_days AS INTEGER)
    GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(d.deaths, 0) AS numerator,
       CAST(NULL AS DOUBLE) AS denominator, 'carehome' AS source
FROM home_periods($period) AS h
LEFT JOIN died AS d USING (site_id, home_id, period)
