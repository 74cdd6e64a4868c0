-- Occupied bed days per home and day (domain-spec §2.1): the nights each resident spent
-- in the home, excluding nights away in hospital (bed held), ending at death. Open
-- episodes run to the site's last date of care-home data. Stored per home and month.
CREATE OR REPLACE TABLE stg_occupied_bed_days AS
WITH site_end AS (
    SELECT site_id, max(d) AS last_date FROM (
        SELECT site_id, max(greatest(admission_date, coalesce(discharge_date, admission_date))) AS d
        FROM raw_carehome_resident GROUP BY site_id
        UNION ALL
        SELECT site_id, max(CAST(obs_dt AS DATE)) FROM raw_carehome_observation GROUP BY site_id
    ) GROUP BY site_id
),
nights AS (
    SELECT e.site_id, e.home_id, e.pseudo_id,
           unnest(generate_series(e.start_date, coalesce(e.end_date, s.last_date) - 1, INTERVAL 1 DAY))::DATE AS night
    FROM stg_residence_episode AS e JOIN site_end AS s USING (site_id)
    WHERE coalesce(e.end_date, s.last_date) > e.start_date
),
away AS (
    SELECT a.site_id, a.pseudo_id,
           unnest(generate_series(CAST(a.start_dt AS DATE),
                                  coalesce(CAST(a.end_dt AS DATE), s.last_date) - 1, INTERVAL 1 DAY))::DATE AS night
    FROM raw_carehome_absence AS a
    JOIN site_end AS s ON s.site_id = a.site_id
    WHERE a.reason = 'hospital_admission'
      AND coalesce(CAST(a.end_dt AS DATE), s.last_date) > CAST(a.start_dt AS DATE)
)
SELECT n.site_id, n.home_id, date_trunc('month', n.night)::DATE AS month, count(*) AS occupied_bed_days,
       count(DISTINCT n.pseudo_id) AS residents
FROM nights AS n
ANTI JOIN away AS a ON a.site_id = n.site_id AND a.pseudo_id = n.pseudo_id AND a.night = n.night
GROUP BY ALL;
