-- O3.3b ambulance conveyances to hospital per 1,000 OBD (docs/domain.md §2.5, §3.1):
-- incidents with both ambulance_called and hospital_transfer, counted as O3.3 counts
-- (incident_rate in denominators.sql).
SELECT * FROM incident_rate($period, 'conveyance')
