-- Which staged table an extract feeds (load_log.table_name -> staged table), from the
-- staged model's declarations (warehouse/tables.py, loaded as ref_extract_feeds): a
-- problem in a file gates the measures built on that staged table. NULL (a file of
-- unknown layout) gates every staged table of its site. Temporary: only for this run.
CREATE OR REPLACE TEMP MACRO staged_table(extract) AS (
    SELECT any_value(f.table_name) FROM ref_extract_feeds AS f
    WHERE f.extract_table = extract
);
-- The home a care-home file is about: the folder it came in (site/carehome/home/file.csv).
CREATE OR REPLACE TEMP MACRO home_of_path(path) AS
    CASE WHEN split_part(path, '/', 2) = 'carehome' THEN split_part(path, '/', 3) END;
