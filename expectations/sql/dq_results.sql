-- The latest data-quality run: one row per check, table, site, home and month measured
-- (null means every one), and its failing files and units, one row each.
CREATE TABLE IF NOT EXISTS dq_results (
    run_id VARCHAR, checked_at TIMESTAMP, run_date DATE, "check" VARCHAR,
    table_name VARCHAR, site_id VARCHAR, home_id VARCHAR, period DATE, severity VARCHAR,
    status VARCHAR, "rows" BIGINT, failing BIGINT, observed DOUBLE, message VARCHAR
);
CREATE TABLE IF NOT EXISTS dq_details (
    run_id VARCHAR, checked_at TIMESTAMP, run_date DATE, "check" VARCHAR,
    table_name VARCHAR, site_id VARCHAR, home_id VARCHAR, period DATE, path VARCHAR,
    "rows" BIGINT, failing BIGINT, lines BIGINT[], detail VARCHAR
);
-- The data-quality state of one chart point: a measure's value for a site (home null:
-- all its homes) and month, built from the staged tables listed. An ERROR anywhere in
-- those tables for that site-home-month (or for every month, home or site) makes the
-- point incomplete; a WARN marks it. Other sites' results never touch it, nor do results
-- about no staged table (source_fresh: 'extract schedule: <source>', a late extract).
CREATE OR REPLACE MACRO dq_point(site, home, month, tables) AS (
    SELECT {'data_complete': NOT coalesce(bool_or(r.severity = 'ERROR'), false),
            'dq_warning': coalesce(bool_or(r.severity = 'WARN'), false),
            'dq_checks': coalesce(list(DISTINCT r."check" ORDER BY r."check"), [])}
    FROM dq_results AS r
    WHERE r.status = 'fail'
      AND (r.site_id IS NULL OR r.site_id = site)
      AND (home IS NULL OR r.home_id IS NULL OR r.home_id = home)
      AND (r.period IS NULL OR r.period = month)
      AND (r.table_name IS NULL OR list_contains(tables, r.table_name))
);
