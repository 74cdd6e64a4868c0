-- O2.4 new pressure ulcers per 1,000 OBD (docs/domain.md §2.4, §2.7 S6): pressure
-- ulcers in the care home's incident log (one per resident, time and type), the
-- designated source; where a home's log is absent for the period
-- (incident_log_months), each resident's first GP record of 399912005 (EMIS or
-- SystmOne), in the period and home of that record. Out of the home's occupied bed days.
WITH logged AS (
    SELECT site_id, home_id, CAST(date_trunc($period, incident_date) AS DATE) AS period,
           count(*) AS ulcers
    FROM stg_incident WHERE incident_type = 'pressure_ulcer' GROUP BY ALL
),
first_gp AS (
    SELECT site_id, pseudo_id, min(event_date) AS event_date,
           arg_min(home_id, event_date) AS home_id
    FROM gp_events()
    WHERE source_system IN ('emis', 'systmone') AND concept_id = '399912005'
    GROUP BY ALL
),
gp AS (
    SELECT site_id, home_id, CAST(date_trunc($period, event_date) AS DATE) AS period,
           count(*) AS ulcers
    FROM first_gp WHERE home_id IS NOT NULL GROUP BY ALL
)
SELECT b.site_id, b.home_id, b.period,
       CASE WHEN c.period IS NOT NULL THEN coalesce(l.ulcers, 0) ELSE coalesce(g.ulcers, 0) END
           AS numerator,
       b.obd AS denominator,
       CASE WHEN c.period IS NOT NULL THEN 'carehome' ELSE 'gp' END AS source
FROM bed_days($period) AS b
LEFT JOIN incident_log_months($period) AS c USING (site_id, home_id, period)
LEFT JOIN logged AS l USING (site_id, home_id, period)
LEFT JOIN gp AS g USING (site_id, home_id, period)
