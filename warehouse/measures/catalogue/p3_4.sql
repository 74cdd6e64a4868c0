-- P3.4 days from an at-risk triage to the MDT review (docs/domain.md §2.5): each QI-log
-- mdt_review answers the resident's latest at-risk triage on or before its date (any
-- home of the site); a triage's wait is the days to the first review that answers it.
-- The mean wait per home and period of that first review: numerator the days summed,
-- denominator the triages reviewed.
WITH triage AS (
    SELECT DISTINCT site_id, pseudo_id, activity_date AS triage_date
    FROM stg_qi_activity
    WHERE activity_type = 'triage_tool' AND outcome = 'at_risk' AND pseudo_id IS NOT NULL
),
review AS (
    SELECT site_id, pseudo_id, activity_date AS review_date, min(home_id) AS home_id
    FROM stg_qi_activity
    WHERE activity_type = 'mdt_review' AND pseudo_id IS NOT NULL
    GROUP BY site_id, pseudo_id, activity_date
),
answered AS (
    SELECT r.site_id, r.pseudo_id, t.triage_date, min(r.review_date) AS review_date,
           arg_min(r.home_id, r.review_date) AS home_id
    FROM review AS r
    ASOF JOIN triage AS t
      ON t.site_id = r.site_id AND t.pseudo_id = r.pseudo_id AND r.review_date >= t.triage_date
    GROUP BY r.site_id, r.pseudo_id, t.triage_date
),
counted AS (
    SELECT site_id, home_id, CAST(date_trunc($period, review_date) AS DATE) AS period,
           sum(review_date - triage_date) AS days, count(*) AS reviewed
    FROM answered GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(c.days, 0) AS numerator,
       coalesce(c.reviewed, 0) AS denominator, 'qi_log' AS source
FROM home_periods($period) AS h
LEFT JOIN counted AS c USING (site_id, home_id, period)
