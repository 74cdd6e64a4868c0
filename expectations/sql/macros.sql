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
-- The name people use for a home (ref_home, from the settings file), or its CQC id when
-- the settings do not name it.
CREATE OR REPLACE TEMP MACRO home_name(site, home) AS coalesce((
    SELECT any_value(nullif(trim(h.home_name), '')) FROM ref_home AS h
    WHERE h.site_id = site AND h.home_id = home
), home);
-- "1 resident", "12 residents": a count and its noun, agreeing in number.
CREATE OR REPLACE TEMP MACRO counted(n, noun) AS
    format('{} {}{}', n, noun, CASE WHEN n = 1 THEN '' ELSE 's' END);
