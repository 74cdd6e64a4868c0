-- P1.2 % residents with a structured medication review (SMR) in the last 12 months
-- (docs/domain.md §2.3): as P1.1, counting only the SMR code 1239511000000100.
WITH reviews AS (
    SELECT DISTINCT site_id, pseudo_id, event_date
    FROM stg_event
    WHERE source_system IN ('emis', 'systmone') AND concept_id = '1239511000000100'
),
residents AS (
    SELECT r.site_id, r.home_id, r.period, r.pseudo_id, count(v.event_date) > 0 AS reviewed
    FROM on_roll($period) AS r
    LEFT JOIN reviews AS v
      ON v.site_id = r.site_id AND v.pseudo_id = r.pseudo_id
     AND v.event_date BETWEEN r.last_day - CAST($lookback_days AS INTEGER) AND r.last_day
    GROUP BY ALL
),
counts AS (
    SELECT site_id, home_id, period, count(*) FILTER (WHERE reviewed) AS reviewed,
           count(*) AS residents
    FROM residents GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(c.reviewed, 0) AS numerator,
       coalesce(c.residents, 0) AS denominator, 'gp' AS source
FROM home_periods($period) AS h
LEFT JOIN counts AS c USING (site_id, home_id, period)
