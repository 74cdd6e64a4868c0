-- O1.5 drug cost per resident-month (docs/domain.md §2.3): the GP system's estimated
-- NHS cost (EMIS EstimatedNhsCost) of every issue dated in the period, repeat or acute,
-- hospital medication left out, in the home the resident lived in that day; out of the
-- home's resident-months. Only at sites whose medication issues carry a cost: a
-- SystmOne extract has none, and its homes get no point rather than a false zero.
WITH costed AS (
    SELECT DISTINCT site_id FROM stg_medication_issue WHERE estimated_cost IS NOT NULL
),
cost AS (
    SELECT site_id, home_id, CAST(date_trunc($period, issue_date) AS DATE) AS period,
           sum(estimated_cost) AS cost
    FROM stg_medication_issue
    WHERE home_id IS NOT NULL AND NOT coalesce(is_hospital, false)
      AND estimated_cost IS NOT NULL
    GROUP BY ALL
)
SELECT r.site_id, r.home_id, r.period, coalesce(c.cost, 0) AS numerator,
       r.resident_months AS denominator, 'gp' AS source
FROM resident_months($period) AS r
JOIN costed USING (site_id)
LEFT JOIN cost AS c USING (site_id, home_id, period)
