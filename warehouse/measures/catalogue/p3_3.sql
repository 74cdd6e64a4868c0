-- P3.3 % of MDT reviews that agreed a plan (docs/domain.md §2.5): QI-log mdt_review
-- rows, one review per resident, home and day, in the period of the review; a review
-- has a plan when its outcome is plan_agreed (no_change and referred are reviews
-- without a new plan of care).
WITH review AS (
    SELECT site_id, home_id, pseudo_id, activity_date,
           bool_or(outcome = 'plan_agreed') AS planned
    FROM stg_qi_activity
    WHERE activity_type = 'mdt_review' AND pseudo_id IS NOT NULL
    GROUP BY site_id, home_id, pseudo_id, activity_date
),
counted AS (
    SELECT site_id, home_id, CAST(date_trunc($period, activity_date) AS DATE) AS period,
           count(*) FILTER (WHERE planned) AS planned, count(*) AS reviews
    FROM review GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(c.planned, 0) AS numerator,
       coalesce(c.reviews, 0) AS denominator, 'qi_log' AS source
FROM home_periods($period) AS h
LEFT JOIN counted AS c USING (site_id, home_id, period)
