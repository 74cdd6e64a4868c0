-- P1.4 % new admissions with an SMR within 28 days (docs/domain.md §2.3): stays that
-- began in the period (admissions(): new residents, moves from another home, returning
-- respite residents), counted in the month of admission, and only once their window
-- (admission day to window_days after it) has ended by the site's last day of data
-- (site_data_end); numerator: those with an SMR (1239511000000100) in the GP record
-- (EMIS or SystmOne) dated in that window, wherever the resident was.
WITH smr AS (
    SELECT DISTINCT site_id, pseudo_id, event_date
    FROM gp_events()
    WHERE source_system IN ('emis', 'systmone') AND concept_id = '1239511000000100'
),
followed AS (
    SELECT a.site_id, a.home_id, a.period, a.pseudo_id, a.start_date,
           count(s.event_date) > 0 AS reviewed
    FROM admissions($period) AS a
    JOIN site_data_end($period) AS d USING (site_id)
    LEFT JOIN smr AS s
      ON s.site_id = a.site_id AND s.pseudo_id = a.pseudo_id
     AND s.event_date BETWEEN a.start_date
                          AND a.start_date + CAST($window_days AS INTEGER)
    WHERE a.start_date + CAST($window_days AS INTEGER) <= d.data_end
    GROUP BY ALL
),
counts AS (
    SELECT site_id, home_id, period, count(*) FILTER (WHERE reviewed) AS reviewed,
           count(*) AS admissions
    FROM followed GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(c.reviewed, 0) AS numerator,
       coalesce(c.admissions, 0) AS denominator, 'gp' AS source
FROM home_periods($period) AS h
LEFT JOIN counts AS c USING (site_id, home_id, period)
