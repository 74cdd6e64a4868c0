-- Required columns and types: each staged table has the columns the measures read, with
-- the types they expect (declared in warehouse/tables.py, loaded as ref_staged_columns).
-- A missing or retyped column is a fault in the staged model, so it gates the table at
-- every site.
WITH wanted AS (SELECT * FROM ref_staged_columns),
found AS (
    SELECT table_name, column_name, data_type FROM duckdb_columns()
    WHERE NOT internal AND table_name IN (SELECT table_name FROM wanted)
)
SELECT w.table_name, NULL AS site_id, NULL AS home_id, NULL::DATE AS period,
       NULL::BIGINT AS file_id, 1 AS "rows",
       (f.data_type IS DISTINCT FROM w.data_type)::INT AS failing, []::BIGINT[] AS lines,
       CASE WHEN f.data_type IS NULL
            THEN format('{} has no column {} ({})', w.table_name, w.column_name, w.data_type)
            ELSE format('{}.{} is {}, not {}', w.table_name, w.column_name, f.data_type,
                        w.data_type) END AS detail
FROM wanted AS w LEFT JOIN found AS f USING (table_name, column_name)
