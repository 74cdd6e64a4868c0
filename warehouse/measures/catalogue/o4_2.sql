-- O4.2 falls in the first 30 days of a stay per 1,000 OBD of those days (docs/domain.md
-- §2.6). Exposure: the nights of each residence episode from its admission day to
-- first_days - 1 days after it (and before it ends), inside the site's extract period,
-- less nights away on a hospital_admission absence, in the period of the night (as
-- stg_occupied_bed_days counts nights). Events: falls in the home's incident log, one
-- per resident, minute and type, dated in the same first first_days days of the
-- resident's episode in that home (on or before its end), in the period of the fall.
-- Where the home's log is absent for the period the numerator is NULL. People are joined
-- by their number (person, people()).
WITH site_window AS (
    SELECT site_id, min(month) AS first_date,
           CAST(max(month) + INTERVAL 1 MONTH AS DATE) AS last_date
    FROM stg_occupied_bed_days GROUP BY site_id
),
early AS (
    SELECT e.site_id, e.home_id, k.person, e.start_date, e.end_date,
           greatest(e.start_date, w.first_date) AS from_night,
           least(coalesce(e.end_date, w.last_date), w.last_date,
                 e.start_date + CAST($first_days AS INTEGER)) AS to_night
    FROM stg_residence_episode AS e
    JOIN site_window AS w USING (site_id)
    LEFT JOIN people() AS k USING (site_id, pseudo_id)
),
nights AS (
    SELECT site_id, home_id, person,
           unnest(generate_series(from_night, to_night - 1, INTERVAL 1 DAY))::DATE AS night
    FROM early WHERE to_night > from_night
),
away AS (
    -- each hospital_admission absence: away the nights from from_night to to_night - 1
    SELECT k.person, CAST(a.start_dt AS DATE) AS from_night,
           coalesce(CAST(a.end_dt AS DATE), w.last_date) AS to_night
    FROM stg_absence AS a
    JOIN site_window AS w USING (site_id)
    JOIN people() AS k USING (site_id, pseudo_id)
    WHERE a.reason = 'hospital_admission'
),
exposure AS (
    SELECT n.site_id, n.home_id, CAST(date_trunc($period, n.night) AS DATE) AS period,
           count(*) AS obd
    FROM nights AS n
    ANTI JOIN away AS a
      ON a.person = n.person AND n.night >= a.from_night AND n.night < a.to_night
    GROUP BY ALL
),
falls AS (
    SELECT i.site_id, i.home_id, CAST(date_trunc($period, i.incident_date) AS DATE) AS period,
           count(DISTINCT (i.pseudo_id, date_trunc('minute', i.incident_dt))) AS falls
    FROM stg_incident AS i
    JOIN stg_residence_episode AS e
      ON e.site_id = i.site_id AND e.home_id = i.home_id AND e.pseudo_id = i.pseudo_id
     AND i.incident_date >= e.start_date
     AND i.incident_date < e.start_date + CAST($first_days AS INTEGER)
     AND (e.end_date IS NULL OR i.incident_date <= e.end_date)
    WHERE i.incident_type = 'fall'
    GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period,
       CASE WHEN c.period IS NOT NULL THEN coalesce(f.falls, 0) END AS numerator,
       coalesce(x.obd, 0) AS denominator, 'carehome' AS source
FROM home_periods($period) AS h
LEFT JOIN incident_log_months($period) AS c USING (site_id, home_id, period)
LEFT JOIN exposure AS x USING (site_id, home_id, period)
LEFT JOIN falls AS f USING (site_id, home_id, period)
