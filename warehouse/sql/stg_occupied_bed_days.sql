-- Occupied bed days per home and day (domain-spec §2.1): the nights each resident spent
-- in the home, excluding nights away in hospital (bed held), ending at death. Open
-- episodes run to the end of the site's extract period; nights outside it (residents
-- admitted years before) are not counted. Stored per home and month.
--
-- extract_period(): each site's extract period, the months its care-home extracts
-- (observations and incidents) cover, found so that a stray date cannot stretch it
-- (docs/data-quality.md, "The extract period"). The data-quality checks read it too.
--   * Rows dated before 1900 or after today (the day it is read) do not count: they are
--     the date checks' findings (event_date_plausible, incident_date_plausible).
--   * A home-month is substantial when it holds at least a quarter of the rows of the
--     site's typical home-month (the median, over the site's homes and months, of the
--     rows a home sends in a month). A handful of mistyped dates (2014 for 2024), or a
--     month barely begun when the extract was taken, is not.
--   * The period runs from the first to the last month in which some home of the site is
--     substantial. Every month in between counts, however thin, so a home that stops
--     sending mid-period still has bed days and the census checks (home_month_observed,
--     home_month_weighed) name each month it missed; a home that joins later does not
--     cut its site's period.
CREATE OR REPLACE MACRO extract_period() AS TABLE
WITH home_months AS (
    SELECT site_id, home_id, month, count(*) AS n
    FROM (
        SELECT site_id, home_id, CAST(date_trunc('month', CAST(obs_dt AS DATE)) AS DATE) AS month
        FROM raw_carehome_observation
        UNION ALL
        SELECT site_id, home_id, CAST(date_trunc('month', CAST(incident_dt AS DATE)) AS DATE)
        FROM raw_carehome_incident
    )
    WHERE month BETWEEN DATE '1900-01-01' AND current_date
    GROUP BY ALL
)
SELECT site_id, min(month) AS first_month, max(month) AS last_month
FROM (SELECT *, median(n) OVER (PARTITION BY site_id) AS typical FROM home_months)
WHERE n >= typical / 4
GROUP BY site_id;

CREATE OR REPLACE TABLE stg_occupied_bed_days AS
WITH site_window AS (
    -- the extract period of each site as [first_date, last_date): whole months
    SELECT site_id, first_month AS first_date,
           CAST(last_month + INTERVAL 1 MONTH AS DATE) AS last_date
    FROM extract_period()
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
