-- P2.5b ONS cost per resident-month (docs/domain.md §2.4): the estimated NHS cost (EMIS
-- EstimatedNhsCost) of the issues P2.5 counts, dated in the period, in the home the
-- resident lived in that day; out of the home's resident-months. As O1.5, only at sites
-- whose medication issues carry a cost (SystmOne's have none): no point elsewhere.
WITH costed AS (
    SELECT DISTINCT site_id FROM stg_medication_issue WHERE estimated_cost IS NOT NULL
),
ons AS (
    SELECT site_id, home_id, CAST(date_trunc($period, issue_date) AS DATE) AS period,
           sum(estimated_cost) AS cost
    FROM ons_issues()
    WHERE home_id IS NOT NULL AND estimated_cost IS NOT NULL
    GROUP BY ALL
)
SELECT r.site_id, r.home_id, r.period, coalesce(o.cost, 0) AS numerator,
       r.resident_months AS denominator, 'gp' AS source
FROM resident_months($period) AS r
JOIN costed USING (site_id)
LEFT JOIN ons AS o USING (site_id, home_id, period)
