-- O4.1 % of new admissions with an emergency hospital admission within 30 days
-- (docs/domain.md §2.6): the stays beginning in the period (admissions: any type, moves
-- from another home included) whose follow_up_days have passed inside the site's data
-- (start date + follow_up_days on or before its last day); an admission counts in the
-- numerator when the person has a hospital spell with an emergency admission method at
-- the site admitted from the admission day to follow_up_days after it.
WITH judged AS (
    SELECT a.site_id, a.home_id, a.period,
           EXISTS (SELECT 1 FROM stg_hospital_spell AS s
                   WHERE s.site_id = a.site_id AND s.pseudo_id = a.pseudo_id AND s.emergency
                     AND s.admit_date BETWEEN a.start_date
                                          AND a.start_date + CAST($follow_up_days AS INTEGER))
               AS admitted
    FROM admissions($period) AS a
    JOIN site_data_end('month') AS e ON e.site_id = a.site_id
    WHERE a.start_date + CAST($follow_up_days AS INTEGER) <= e.data_end
),
counted AS (
    SELECT site_id, home_id, period, count(*) FILTER (WHERE admitted) AS admitted,
           count(*) AS admissions
    FROM judged GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(c.admitted, 0) AS numerator,
       coalesce(c.admissions, 0) AS denominator, 'hospital' AS source
FROM home_periods($period) AS h
LEFT JOIN counted AS c USING (site_id, home_id, period)
