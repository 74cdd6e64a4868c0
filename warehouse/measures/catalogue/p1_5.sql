-- P1.5 % pharmacist recommendations accepted (docs/domain.md §2.3): from the QI log's
-- pharmacist_medication_review rows dated in the period, each row once. Recommendations
-- made: reviews with the outcome changes_made or recommendations_sent (a review with
-- no_change made none); accepted: changes_made (the prescriber made the change).
WITH log AS (
    SELECT site_id, home_id, CAST(date_trunc($period, activity_date) AS DATE) AS period,
           count(*) FILTER (WHERE outcome = 'changes_made') AS accepted,
           count(*) FILTER (WHERE outcome IN ('changes_made', 'recommendations_sent')) AS made
    FROM stg_qi_activity
    WHERE activity_type = 'pharmacist_medication_review'
    GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(l.accepted, 0) AS numerator,
       coalesce(l.made, 0) AS denominator, 'qi_log' AS source
FROM home_periods($period) AS h
LEFT JOIN log AS l USING (site_id, home_id, period)
