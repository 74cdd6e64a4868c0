-- S2 falls with harm per 1,000 OBD (docs/domain.md §2.7): falls in the home's incident
-- log, one per resident, minute and type, with harm moderate or worse or a hospital
-- transfer (stg_incident.with_harm), in the period of the fall. The GP record does not
-- code harm, so there is no fallback: where the home's log is absent for the period
-- (incident_log_months) the numerator is NULL, never a zero.
WITH harmed AS (
    SELECT site_id, home_id, CAST(date_trunc($period, incident_date) AS DATE) AS period,
           count(DISTINCT (pseudo_id, date_trunc('minute', incident_dt))) AS falls
    FROM stg_incident
    WHERE incident_type = 'fall' AND with_harm
    GROUP BY ALL
)
SELECT b.site_id, b.home_id, b.period,
       CASE WHEN c.period IS NOT NULL THEN coalesce(f.falls, 0) END AS numerator,
       b.obd AS denominator, 'carehome' AS source
FROM bed_days($period) AS b
LEFT JOIN incident_log_months($period) AS c USING (site_id, home_id, period)
LEFT JOIN harmed AS f USING (site_id, home_id, period)
