-- P4.3 % of new admissions with the whole admission bundle within 7 working days
-- (docs/domain.md §2.6): the admissions admission_reviews judges, by the period of the
-- admission date, with an admission_mdt_review of outcome bundle_complete in the window.
WITH counted AS (
    SELECT site_id, home_id, period, count(*) FILTER (WHERE bundled) AS met,
           count(*) AS admissions
    FROM admission_reviews($period, $window_working_days, $min_stay_days)
    GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(c.met, 0) AS numerator,
       coalesce(c.admissions, 0) AS denominator, 'qi_log' AS source
FROM home_periods($period) AS h
LEFT JOIN counted AS c USING (site_id, home_id, period)
