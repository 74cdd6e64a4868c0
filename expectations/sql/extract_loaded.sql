-- Every extract in the inbox was read: a file whose latest attempt was refused (not a
-- known layout, unreadable, empty) holds rows that count nowhere.
SELECT staged_table(l.table_name) AS table_name, l.site_id, home_of_path(l.path) AS home_id,
       NULL::DATE AS period, l.file_id, 1 AS "rows", (l.status = 'refused')::INT AS failing,
       []::BIGINT[] AS lines,
       CASE WHEN l.status = 'refused' THEN l.message END AS detail
FROM load_log AS l
QUALIFY l.file_id = max(l.file_id) OVER (PARTITION BY l.path)
