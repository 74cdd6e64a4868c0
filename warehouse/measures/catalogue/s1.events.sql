-- S1's falls one by one, for the t chart of days between falls in homes where falls are
-- rare: the incident log where it covers the home's month, else the GP record (as s1.sql).
SELECT i.site_id, i.home_id, i.incident_date AS event_date
FROM stg_incident AS i
JOIN incident_log_months('month') AS c
  ON c.site_id = i.site_id AND c.home_id = i.home_id
 AND c.period = CAST(date_trunc('month', i.incident_date) AS DATE)
WHERE i.incident_type = 'fall'
UNION ALL
SELECT site_id, home_id, event_date FROM (
SELECT DISTINCT e.site_id, e.home_id, e.pseudo_id, e.event_date
FROM gp_events() AS e
JOIN home_periods('month') AS h
  ON h.site_id = e.site_id AND h.home_id = e.home_id
 AND h.period = CAST(date_trunc('month', e.event_date) AS DATE)
ANTI JOIN incident_log_months('month') AS c
  ON c.site_id = e.site_id AND c.home_id = e.home_id AND c.period = h.period
WHERE e.source_system IN ('emis', 'systmone') AND e.concept_id IN ('1912002', '161898004')
)
