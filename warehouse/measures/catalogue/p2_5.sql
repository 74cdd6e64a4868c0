-- P2.5 ONS items per 100 resident-months (docs/domain.md §2.4): issues of oral
-- nutritional supplements (ons_issues: ref_ons_products, by product code or name;
-- hospital medication left out) dated in the period, in the home the resident lived in
-- that day, one per resident, day and product; out of the home's resident-months.
WITH ons AS (
    SELECT site_id, home_id, CAST(date_trunc($period, issue_date) AS DATE) AS period,
           count(DISTINCT (pseudo_id, issue_date, coalesce(product_code, product_name)))
               AS items
    FROM ons_issues()
    WHERE home_id IS NOT NULL
    GROUP BY ALL
)
SELECT r.site_id, r.home_id, r.period, coalesce(o.items, 0) AS numerator,
       r.resident_months AS denominator, 'gp' AS source
FROM resident_months($period) AS r
LEFT JOIN ons AS o USING (site_id, home_id, period)
