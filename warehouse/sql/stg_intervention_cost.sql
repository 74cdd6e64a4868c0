-- The intervention costs (docs/extracts.md §6.3): one row per cost line of the sites'
-- costs templates, as written (hours of staff, backfill and coaching; pounds of training,
-- materials, travel, data, or of time whose cost the site knows), each over the period
-- from_date to to_date. warehouse/roi/intervention_costs.py prices and spreads them by
-- month. A costs file re-sent with rows added repeats the earlier ones: a row counts
-- from the file loaded last that has it (its note aside: the latest note wins).
CREATE OR REPLACE TABLE stg_intervention_cost AS
SELECT site_id, item, category, role, band, hours, cost_gbp, from_date, to_date, note,
       file_id, source_row
FROM raw_qi_intervention_cost
QUALIFY file_id = max(file_id) OVER (PARTITION BY site_id, item, category, role, band, hours,
                                                  cost_gbp, from_date, to_date)
ORDER BY site_id, from_date, category, item, file_id, source_row;
