-- P3.2 % of at-risk triages reviewed by the MDT within 7 days (docs/domain.md §2.5).
-- Each at-risk triage (one per resident, home and day) counts in the period of its
-- date, once its window has ended inside the site's data (triage date + window_days on
-- or before the last day of the data); it is reviewed when the QI log has an mdt_review
-- of the same resident (any outcome, any home of the site) dated from the triage day to
-- window_days after it.
WITH triage AS (
    SELECT DISTINCT site_id, home_id, pseudo_id, activity_date AS triage_date
    FROM stg_qi_activity
    WHERE activity_type = 'triage_tool' AND outcome = 'at_risk' AND pseudo_id IS NOT NULL
),
review AS (
    SELECT DISTINCT site_id, pseudo_id, activity_date AS review_date
    FROM stg_qi_activity
    WHERE activity_type = 'mdt_review' AND pseudo_id IS NOT NULL
),
judged AS (
    SELECT t.site_id, t.home_id, CAST(date_trunc($period, t.triage_date) AS DATE) AS period,
           EXISTS (SELECT 1 FROM review AS r
                   WHERE r.site_id = t.site_id AND r.pseudo_id = t.pseudo_id
                     AND r.review_date BETWEEN t.triage_date
                                           AND t.triage_date + CAST($window_days AS INTEGER))
               AS reviewed
    FROM triage AS t
    JOIN site_data_end('month') AS e USING (site_id)
    WHERE t.triage_date + CAST($window_days AS INTEGER) <= e.data_end
),
counted AS (
    SELECT site_id, home_id, period, count(*) FILTER (WHERE reviewed) AS reviewed,
           count(*) AS triaged
    FROM judged GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(c.reviewed, 0) AS numerator,
       coalesce(c.triaged, 0) AS denominator, 'qi_log' AS source
FROM home_periods($period) AS h
LEFT JOIN counted AS c USING (site_id, home_id, period)
