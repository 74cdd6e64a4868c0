-- The latest data-quality run: one row per check, site, home and month measured.
CREATE TABLE IF NOT EXISTS dq_results (
    run_id VARCHAR, checked_at TIMESTAMP, "check" VARCHAR, table_name VARCHAR,
    site_id VARCHAR, home_id VARCHAR, period DATE, severity VARCHAR, status VARCHAR,
    "rows" BIGINT, failing BIGINT, observed DOUBLE, message VARCHAR
);
