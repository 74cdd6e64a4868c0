-- S6b % of residents with a pressure ulcer recorded in the month (prevalence,
-- docs/domain.md §2.7 S6): residents of the home with an incident of type
-- pressure_ulcer in its incident log dated in the period, out of the residents with at
-- least one night in the home in the period (resident_months). Where the home's log is
-- absent for the period (incident_log_months), residents with the GP code 399912005
-- (EMIS or SystmOne) dated in the period, attributed to the home lived in that day.
WITH logged AS (
    SELECT site_id, home_id, CAST(date_trunc($period, incident_date) AS DATE) AS period,
           count(DISTINCT pseudo_id) AS residents
    FROM stg_incident
    WHERE incident_type = 'pressure_ulcer'
    GROUP BY ALL
),
gp AS (
    SELECT site_id, home_id, CAST(date_trunc($period, event_date) AS DATE) AS period,
           count(DISTINCT pseudo_id) AS residents
    FROM gp_events()
    WHERE source_system IN ('emis', 'systmone') AND concept_id = '399912005'
      AND home_id IS NOT NULL
    GROUP BY ALL
)
SELECT r.site_id, r.home_id, r.period,
       CASE WHEN c.period IS NOT NULL THEN coalesce(l.residents, 0)
            ELSE coalesce(g.residents, 0) END AS numerator,
       r.resident_months AS denominator,
       CASE WHEN c.period IS NOT NULL THEN 'carehome' ELSE 'gp' END AS source
FROM resident_months($period) AS r
LEFT JOIN incident_log_months($period) AS c USING (site_id, home_id, period)
LEFT JOIN logged AS l USING (site_id, home_id, period)
LEFT JOIN gp AS g USING (site_id, home_id, period)
