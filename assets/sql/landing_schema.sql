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
