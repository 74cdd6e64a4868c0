-- O2.4's new pressure ulcers one by one, for the t chart of days between them in homes
-- where they are rare: the incident log where it covers the home's month, else each
-- resident's first GP record of 399912005 (as o2_4.sql).
SELECT i.site_id, i.home_id, i.incident_date AS event_date
FROM stg_incident AS i
JOIN incident_log_months('month') AS c
  ON c.site_id = i.site_id AND c.home_id = i.home_id
 AND c.period = CAST(date_trunc('month', i.incident_date) AS DATE)
WHERE i.incident_type = 'pressure_ulcer'
UNION ALL
SELECT f.site_id, f.home_id, f.event_date
FROM (SELECT site_id, pseudo_id, min(event_date) AS event_date,
             arg_min(home_id, event_date) AS home_id
      FROM gp_events()
      WHERE source_system IN ('emis', 'systmone') AND concept_id = '399912005'
      GROUP BY ALL) AS f
JOIN home_periods('month') AS h
  ON h.site_id = f.site_id AND h.home_id = f.home_id
 AND h.period = CAST(date_trunc('month', f.event_date) AS DATE)
ANTI JOIN incident_log_months('month') AS c
  ON c.site_id = f.site_id AND c.home_id = f.home_id AND c.period = h.period
