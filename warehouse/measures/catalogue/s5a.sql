-- S5a GP called to an incident in working hours, per 1,000 OBD (docs/domain.md §2.7 S5,
-- §3.1): incidents with gp_called and not out_of_hours, counted as O3.3 counts
-- (incident_rate in denominators.sql).
SELECT * FROM incident_rate($period, 'gp_in_hours')
