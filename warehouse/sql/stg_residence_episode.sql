-- Residence episodes: who lived in which home, from when until when (docs/domain.md §1.3).
-- An episode ends at discharge or at death, whichever is first; an open episode runs
-- to the end of the site's data. A stay in several residents files (each month's export
-- repeats the home's residents) counts once, as the file loaded last has it (so a
-- discharge added later closes the stay).
CREATE OR REPLACE TABLE stg_residence_episode AS
SELECT
    r.pseudo_id,
    r.home_id,
    r.site_id,
    r.admission_date AS start_date,
    CASE
        WHEN p.death_date IS NOT NULL AND (r.discharge_date IS NULL OR p.death_date < r.discharge_date)
            AND p.death_date >= r.admission_date THEN p.death_date
        ELSE r.discharge_date
    END AS end_date,
    CASE
        WHEN p.death_date IS NOT NULL AND p.death_date >= r.admission_date
            AND (r.discharge_date IS NULL OR p.death_date <= r.discharge_date) THEN 'died'
        ELSE r.discharge_reason
    END AS end_reason,
    r.admission_type,
    r.preferred_place_of_death,
    r.file_id,
    r.source_row
FROM raw_carehome_resident AS r
LEFT JOIN stg_person AS p USING (site_id, pseudo_id)
QUALIFY r.file_id = max(r.file_id) OVER (PARTITION BY r.site_id, r.home_id, r.pseudo_id,
                                                      r.admission_date);
