-- P1.2 % residents with a structured medication review (SMR) in the last 12 months
-- (docs/domain.md §2.3): as P1.1, counting only the SMR code 1239511000000100. People
-- are joined by their number (person, people()).
WITH reviews AS (
    SELECT DISTINCT k.person, e.event_date
    FROM gp_events() AS e
    JOIN people() AS k USING (site_id, pseudo_id)
    WHERE e.source_system IN ('emis', 'systmone') AND e.concept_id = '1239511000000100'
),
residents AS (
    -- reviewed: the latest review on or before the last day (ASOF) is in the lookback
    SELECT r.site_id, r.home_id, r.period,
           coalesce(v.event_date >= r.last_day - CAST($lookback_days AS INTEGER), false)
               AS reviewed
    FROM on_roll($period) AS r
    ASOF LEFT JOIN reviews AS v ON v.person = r.person AND v.event_date <= r.last_day
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
