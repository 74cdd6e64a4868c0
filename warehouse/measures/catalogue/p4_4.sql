-- P4.4 days from admission to the admission MDT review (docs/domain.md §2.6): for each
-- residence episode, the first QI-log admission_mdt_review of the resident in that home
-- dated from the admission day to the end of the stay; its wait is the calendar days
-- from the admission. The mean wait per home and period of that review: numerator the
-- days summed, denominator the admissions reviewed.
WITH reviewed AS (
    SELECT e.site_id, e.home_id, e.pseudo_id, e.start_date,
           min(q.activity_date) AS review_date
    FROM stg_residence_episode AS e
    JOIN stg_qi_activity AS q
      ON q.site_id = e.site_id AND q.home_id = e.home_id AND q.pseudo_id = e.pseudo_id
     AND q.activity_type = 'admission_mdt_review'
     AND q.activity_date >= e.start_date
     AND (e.end_date IS NULL OR q.activity_date <= e.end_date)
    GROUP BY e.site_id, e.home_id, e.pseudo_id, e.start_date
),
counted AS (
    SELECT site_id, home_id, CAST(date_trunc($period, review_date) AS DATE) AS period,
           sum(review_date - start_date) AS days, count(*) AS reviewed
    FROM reviewed GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(c.days, 0) AS numerator,
       coalesce(c.reviewed, 0) AS denominator, 'qi_log' AS source
FROM home_periods($period) AS h
LEFT JOIN counted AS c USING (site_id, home_id, period)
