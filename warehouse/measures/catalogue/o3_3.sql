-- O3.3 ambulance (999) call-outs per 1,000 OBD (docs/domain.md §2.5): incidents of any
-- type in the home's incident log with ambulance_called, one per resident, minute and
-- type, in the period of the incident. Where the home's log is absent for the period
-- (incident_log_months) there is no count: the numerator is NULL, never a zero.
WITH called AS (
    SELECT site_id, home_id, CAST(date_trunc($period, incident_date) AS DATE) AS period,
           count(DISTINCT (pseudo_id, date_trunc('minute', incident_dt), incident_type))
               AS callouts
    FROM stg_incident
    WHERE ambulance_called
    GROUP BY ALL
)
SELECT b.site_id, b.home_id, b.period,
       CASE WHEN c.period IS NOT NULL THEN coalesce(a.callouts, 0) END AS numerator,
       b.obd AS denominator, 'carehome' AS source
FROM bed_days($period) AS b
LEFT JOIN incident_log_months($period) AS c USING (site_id, home_id, period)
LEFT JOIN called AS a USING (site_id, home_id, period)
