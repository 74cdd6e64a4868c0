-- Hospital spells (docs/domain.md §1.2), attributed to the home the person lived in when
-- admitted; spells duplicated across extracts count once.
CREATE OR REPLACE TABLE stg_hospital_spell AS
SELECT s.pseudo_id, s.site_id, ep.home_id, s.source_record_id AS spell_id, s.admit_date,
       s.discharge_date, s.admission_method, s.emergency, s.admission_source,
       s.discharge_destination, s.primary_diag_icd10, s.hrg, s.file_id,
       s.source_row
FROM current_records('raw_hospital_spell') AS s
LEFT JOIN stg_residence_episode AS ep
    ON ep.site_id = s.site_id AND ep.pseudo_id = s.pseudo_id
   AND s.admit_date >= ep.start_date AND (ep.end_date IS NULL OR s.admit_date < ep.end_date)
QUALIFY row_number() OVER (PARTITION BY s.site_id, s.source_record_id
                           ORDER BY ep.start_date DESC NULLS LAST) = 1;
