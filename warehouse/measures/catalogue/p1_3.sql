-- P1.3 SMRs completed (docs/domain.md §2.3): structured medication reviews
-- (1239511000000100) in the GP record (EMIS or SystmOne) dated in the period, in the
-- home the resident lived in that day; a resident counts once a day.
WITH smr AS (
    SELECT site_id, home_id, CAST(date_trunc($period, event_date) AS DATE) AS period,
           count(DISTINCT (pseudo_id, event_date)) AS reviews
    FROM gp_events()
    WHERE source_system IN ('emis', 'systmone') AND concept_id = '1239511000000100'
      AND home_id IS NOT NULL
    GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(s.reviews, 0) AS numerator,
       CAST(NULL AS DOUBLE) AS denominator, 'gp' AS source
FROM home_periods($period) AS h
LEFT JOIN smr AS s USING (site_id, home_id, period)
