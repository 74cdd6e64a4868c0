-- O3.3 ambulance (999) call-outs per 1,000 OBD (docs/domain.md §2.5): incidents of any
-- type in the home's incident log with ambulance_called, one per resident, minute and
-- type, in the period of the incident; no count where the home's log is absent
-- (incident_rate in denominators.sql).
SELECT * FROM incident_rate($period, 'ambulance')
