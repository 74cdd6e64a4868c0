-- S1 falls per 1,000 OBD (docs/domain.md §2.7): falls in the incident log, the
-- designated source; where a home's log is absent for the month, the GP record's
-- fall codes (1912002, 161898004) of its residents that month.
WITH logged AS (
    SELECT site_id, home_id, CAST(date_trunc($period, incident_date) AS DATE) AS period,
           count(*) AS falls
    FROM stg_incident WHERE incident_type = 'fall' GROUP BY ALL
),
gp AS (
    SELECT site_id, home_id, CAST(date_trunc($period, event_date) AS DATE) AS period,
           count(DISTINCT (pseudo_id, event_date)) AS falls
    FROM gp_events()
    WHERE source_system IN ('emis', 'systmone') AND concept_id IN ('1912002', '161898004')
    GROUP BY ALL
)
SELECT b.site_id, b.home_id, b.period,
       CASE WHEN c.period IS NOT NULL THEN coalesce(l.falls, 0) ELSE coalesce(g.falls, 0) END
           AS numerator,
       b.obd AS denominator,
       CASE WHEN c.period IS NOT NULL THEN 'carehome' ELSE 'gp' END AS source
FROM bed_days($period) AS b
LEFT JOIN incident_log_months($period) AS c USING (site_id, home_id, period)
LEFT JOIN logged AS l USING (site_id, home_id, period)
LEFT JOIN gp AS g USING (site_id, home_id, period)
