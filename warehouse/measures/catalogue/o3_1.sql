-- O3.1 emergency admissions in the at-risk cohort (docs/domain.md §2.5): hospital spells
-- with an emergency admission method, attributed to the home lived in on admission and
-- counted in the period of the admission date, of residents with a QI-log at-risk
-- triage (any home of the site) dated from cohort_days before the admission to the
-- admission day.
WITH triage AS (
    SELECT DISTINCT site_id, pseudo_id, activity_date AS triage_date
    FROM stg_qi_activity
    WHERE activity_type = 'triage_tool' AND outcome = 'at_risk' AND pseudo_id IS NOT NULL
),
admitted AS (
    SELECT s.site_id, s.home_id, CAST(date_trunc($period, s.admit_date) AS DATE) AS period,
           count(DISTINCT s.spell_id) AS admissions
    FROM stg_hospital_spell AS s
    WHERE s.emergency AND s.home_id IS NOT NULL
      AND EXISTS (SELECT 1 FROM triage AS t
                  WHERE t.site_id = s.site_id AND t.pseudo_id = s.pseudo_id
                    AND t.triage_date BETWEEN s.admit_date - CAST($cohort_days AS INTEGER)
                                          AND s.admit_date)
    GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(a.admissions, 0) AS numerator,
       CAST(NULL AS DOUBLE) AS denominator, 'hospital' AS source
FROM home_periods($period) AS h
LEFT JOIN admitted AS a USING (site_id, home_id, period)
