-- One row per pseudonymised person and site: the canonical person (docs/domain.md §1.2).
-- GP systems and care-home residents lists may each know the person; the earliest
-- recorded death wins, and the sources that know them are listed.
CREATE OR REPLACE TABLE stg_person AS
WITH known AS (
    SELECT site_id, pseudo_id, birth_month, sex, death_date, 'emis' AS source FROM raw_emis_patient
    UNION ALL
    SELECT site_id, pseudo_id, birth_month, sex, death_date, 'systmone' FROM raw_sr_patient
    UNION ALL
    SELECT site_id, pseudo_id, birth_month, sex,
           CASE WHEN discharge_reason = 'died' THEN discharge_date END, 'carehome'
    FROM raw_carehome_resident
)
SELECT
    site_id,
    pseudo_id,
    min(birth_month) AS birth_month,
    mode(sex) AS sex,
    min(death_date) AS death_date,
    string_agg(DISTINCT source, ',' ORDER BY source) AS source_flags
FROM known
GROUP BY site_id, pseudo_id;
