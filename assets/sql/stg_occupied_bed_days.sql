-- Occupied bed days per home and day (domain-spec §2.1): the nights each resident spent
-- in the home, excluding nights away in hospital (bed held), ending at death. Open
-- episodes run to the end of the site's extract period; nights outside it (residents
-- admitted years before) are not counted. The period runs from the first to the last
-- month of the site's care-home observations and incidents. Stored per home and month.
CREATE OR REPLACE TABLE stg_occupied_bed_days AS
WITH site_window AS (
    -- The extract period of each site: the months its care-home activity files cover.
    SELECT site_id,
           CAST(date_trunc('month', min(d)) AS DATE) AS first_date,
           CAST(date_trunc('month', max(d)) + INTERVAL 1 MONTH AS DATE) AS last_date
    FROM (
        SELECT site_id, CAST(obs_dt AS DATE) AS d FROM raw_carehome_observation
        UNION ALL
        SELECT site_id, CAST(incident_dt AS DATE) FROM raw_carehome_incident
    ) GROUP BY site_id
),
nights AS (
    SELECT e.site_id, e.home_id, e.pseudo_id,
           unnest(generate_series(greatest(e.start_date, s.first_date),
                                  least(coalesce(e.end_date, s.last_date), s.last_date) - 1,
                                  INTERVAL 1 DAY))::DATE AS night
    FROM stg_residence_episode AS e JOIN site_window AS s USING (site_id)
    WHERE least(coalesce(e.end_date, s.last_date), s.last_date) > greatest(e.start_date, s.first_date)
),
away AS (
    SELECT a.site_id, a.pseudo_id,
           unnest(generate_series(CAST(a.start_dt AS DATE),
                                  coalesce(CAST(a.end_dt AS DATE), s.last_date) - 1, INTERVAL 1 DAY))::DATE AS night
    FROM raw_carehome_absence AS a
    JOIN site_window AS s ON s.site_id = a.site_id
    WHERE a.reason = 'hospital_admission'
      AND coalesce(CAST(a.end_dt AS DATE), s.last_date) > CAST(a.start_dt AS DATE)
)
SELECT n.site_id, n.home_id, date_trunc('month', n.night)::DATE AS month, count(*) AS occupied_bed_days,
       count(DISTINCT n.pseudo_id) AS residents
FROM nights AS n
ANTI JOIN away AS a ON a.site_id = n.site_id AND a.pseudo_id = n.pseudo_id AND a.night = n.night
GROUP BY ALL;
