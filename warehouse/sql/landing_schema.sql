-- Landing tables of the warehouse. Raw tables of events are created from the first
-- file's columns; the registries below are declared so linking works from the start.
CREATE TABLE IF NOT EXISTS load_log (
    file_id BIGINT, path VARCHAR, site_id VARCHAR, sha256 VARCHAR, source VARCHAR,
    table_name VARCHAR, schema_version VARCHAR, encoding VARCHAR, rows_in BIGINT,
    rows_loaded BIGINT, rows_quarantined BIGINT, rows_skipped BIGINT, skip_reasons VARCHAR,
    status VARCHAR, message VARCHAR, loaded_at TIMESTAMP, superseded BOOLEAN
);
CREATE TABLE IF NOT EXISTS quarantine (
    file_id BIGINT, path VARCHAR, source_row BIGINT, "column" VARCHAR, raw_value VARCHAR,
    rule VARCHAR, message VARCHAR
);
CREATE TABLE IF NOT EXISTS test_person (file_id BIGINT, site_id VARCHAR, person_key VARCHAR);
-- Records a file says were deleted at source (EMIS Deleted, SystmOne RemovedData).
CREATE TABLE IF NOT EXISTS withdrawn (
    file_id BIGINT, site_id VARCHAR, table_name VARCHAR, source_record_id VARCHAR
);
-- Whether a later file withdrew this record: deltas delete what earlier files loaded.
CREATE OR REPLACE MACRO withdrawn_later(tbl, site, record_id, loaded_from) AS EXISTS (
    SELECT 1 FROM withdrawn AS w
    WHERE w.table_name = tbl AND w.site_id = site AND w.source_record_id = record_id
      AND w.file_id > loaded_from
);
-- A keyed raw table as it stands: each source record once, as the file loaded last has
-- it, unless a later file withdrew it (deltas and overlapping extracts, docs/extracts.md §8).
CREATE OR REPLACE MACRO current_records(tbl) AS TABLE
SELECT * FROM query_table(tbl) AS r
WHERE NOT withdrawn_later(tbl, r.site_id, r.source_record_id, r.file_id)
QUALIFY row_number() OVER (PARTITION BY r.site_id, r.source_record_id
                           ORDER BY r.file_id DESC) = 1;
CREATE TABLE IF NOT EXISTS raw_emis_patient (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, person_key VARCHAR, pseudo_id VARCHAR,
    birth_month DATE, sex VARCHAR, death_date DATE, registered_date DATE
);
CREATE TABLE IF NOT EXISTS raw_sr_patient (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, person_key VARCHAR, pseudo_id VARCHAR,
    birth_month DATE, sex VARCHAR, death_date DATE
);
CREATE TABLE IF NOT EXISTS raw_carehome_resident (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, home_id VARCHAR, person_key VARCHAR,
    pseudo_id VARCHAR, birth_month DATE, sex VARCHAR, admission_date DATE,
    admission_type VARCHAR, discharge_date DATE, discharge_reason VARCHAR,
    preferred_place_of_death VARCHAR
);
CREATE TABLE IF NOT EXISTS raw_emis_observation (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, pseudo_id VARCHAR,
    source_record_id VARCHAR, event_date DATE, date_precision VARCHAR, code_id VARCHAR,
    value_num DOUBLE, comparator VARCHAR, unit VARCHAR
);
CREATE TABLE IF NOT EXISTS raw_emis_clinical_code (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, code_id VARCHAR, concept_id VARCHAR,
    term VARCHAR
);
CREATE TABLE IF NOT EXISTS raw_emis_issue (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, pseudo_id VARCHAR,
    source_record_id VARCHAR, issue_date DATE, drug_record_id VARCHAR, code_id VARCHAR,
    estimated_cost DOUBLE
);
CREATE TABLE IF NOT EXISTS raw_emis_report (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, pseudo_id VARCHAR, event_date DATE,
    concept_id VARCHAR, term VARCHAR, value_num DOUBLE, comparator VARCHAR, unit VARCHAR
);
CREATE TABLE IF NOT EXISTS raw_sr_code (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, pseudo_id VARCHAR,
    source_record_id VARCHAR, event_date DATE, ctv3_code VARCHAR, concept_id VARCHAR,
    value_num DOUBLE, comparator VARCHAR, unit VARCHAR
);
CREATE TABLE IF NOT EXISTS raw_sr_medication (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, pseudo_id VARCHAR,
    source_record_id VARCHAR, issue_date DATE, dmd_code VARCHAR, product_name VARCHAR,
    is_repeat BOOLEAN, is_hospital BOOLEAN, is_other BOOLEAN
);
CREATE TABLE IF NOT EXISTS raw_carehome_absence (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, home_id VARCHAR, pseudo_id VARCHAR,
    start_dt TIMESTAMP, end_dt TIMESTAMP, reason VARCHAR
);
CREATE TABLE IF NOT EXISTS raw_carehome_incident (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, home_id VARCHAR, pseudo_id VARCHAR,
    incident_dt TIMESTAMP, incident_type VARCHAR, harm_level VARCHAR,
    hospital_transfer BOOLEAN, ambulance_called BOOLEAN, gp_called BOOLEAN,
    out_of_hours BOOLEAN
);
CREATE TABLE IF NOT EXISTS raw_carehome_observation (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, home_id VARCHAR, pseudo_id VARCHAR,
    obs_dt TIMESTAMP, obs_type VARCHAR, value_num DOUBLE, comparator VARCHAR, unit VARCHAR
);
CREATE TABLE IF NOT EXISTS raw_hospital_spell (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, pseudo_id VARCHAR,
    source_record_id VARCHAR, admit_date DATE, discharge_date DATE, admission_method VARCHAR,
    emergency BOOLEAN, admission_source VARCHAR, discharge_destination VARCHAR,
    primary_diag_icd10 VARCHAR, hrg VARCHAR
);
CREATE TABLE IF NOT EXISTS raw_hospital_ae (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, pseudo_id VARCHAR,
    source_record_id VARCHAR, arrival_dt TIMESTAMP, dept_type VARCHAR, disposal VARCHAR
);
CREATE TABLE IF NOT EXISTS raw_qi_activity (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, home_id VARCHAR, pseudo_id VARCHAR,
    activity_date DATE, activity_type VARCHAR, outcome VARCHAR
);
-- The QI change log and baseline decisions (docs/extracts.md §6.1, §6.2): homes and
-- measures as lists (home_ids NULL: every home of the site).
CREATE TABLE IF NOT EXISTS raw_qi_change_idea (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, change_id VARCHAR, title VARCHAR,
    home_ids VARCHAR[], measure_ids VARCHAR[], start_date DATE, cycle VARCHAR, owner VARCHAR
);
CREATE TABLE IF NOT EXISTS raw_qi_baseline (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, measure_id VARCHAR,
    home_ids VARCHAR[], action VARCHAR, effective_date DATE, decided_by VARCHAR,
    decided_on DATE, reason VARCHAR
);
-- The intervention costs (docs/extracts.md §6.3): one row per cost line of the site's
-- costs template, hours and pounds as written, over the period from_date to to_date.
CREATE TABLE IF NOT EXISTS raw_qi_intervention_cost (
    file_id BIGINT, source_row BIGINT, site_id VARCHAR, item VARCHAR, category VARCHAR,
    role VARCHAR, band VARCHAR, hours DOUBLE, cost_gbp DOUBLE, from_date DATE, to_date DATE,
    note VARCHAR
);
CREATE TABLE IF NOT EXISTS ref_emis_codeid_snomed (code_id VARCHAR, concept_id VARCHAR, term VARCHAR);
CREATE TABLE IF NOT EXISTS ref_ctv3_snomed (ctv3_code VARCHAR, concept_id VARCHAR, term VARCHAR);
CREATE TABLE IF NOT EXISTS ref_dscr_observation_types (obs_type VARCHAR, concept_id VARCHAR, unit VARCHAR);
-- The measures' code lists: SNOMED CT concepts by group, oral nutritional supplements.
CREATE TABLE IF NOT EXISTS ref_snomed_concepts (
    concept_id VARCHAR, term VARCHAR, concept_group VARCHAR, status VARCHAR, source VARCHAR
);
CREATE TABLE IF NOT EXISTS ref_ons_products (
    product_code VARCHAR, code_system VARCHAR, product_name VARCHAR, bnf_section VARCHAR,
    status VARCHAR, source VARCHAR
);
-- The homes of the settings file (m4c.toml): the names pages and charts show.
CREATE TABLE IF NOT EXISTS ref_home (
    site_id VARCHAR, site_name VARCHAR, home_id VARCHAR, home_name VARCHAR,
    home_type VARCHAR, beds BIGINT
);
-- The staged model's declarations (warehouse/tables.py): which extract table feeds which
-- staged table, and the columns (and types) the measures read.
CREATE TABLE IF NOT EXISTS ref_extract_feeds (extract_table VARCHAR, table_name VARCHAR);
CREATE TABLE IF NOT EXISTS ref_staged_columns (
    table_name VARCHAR, column_name VARCHAR, data_type VARCHAR
);
-- What the latest ingest did with each file of the inbox, in order (the command line and
-- the Dagster UI show it): loaded, replaced, unchanged, refused (with where it belongs)
-- or ignored (hidden files).
CREATE TABLE IF NOT EXISTS ingest_results (
    run_id VARCHAR, position BIGINT, file VARCHAR, site_id VARCHAR, source VARCHAR,
    "table" VARCHAR, schema_version VARCHAR, encoding VARCHAR, rows_in BIGINT,
    rows_loaded BIGINT, rows_quarantined BIGINT, rows_skipped BIGINT, skip_reasons VARCHAR,
    status VARCHAR, message VARCHAR, warning VARCHAR
);
ALTER TABLE ingest_results ADD COLUMN IF NOT EXISTS warning VARCHAR;  -- warehouses before it
