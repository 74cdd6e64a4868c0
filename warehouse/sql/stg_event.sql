-- Coded events from every source, in one canonical shape (docs/domain.md §1.2), each
-- attributed to the home the person lived in on the day: admission <= day < discharge,
-- so on the day of a move an event counts in the new home. Codes map to SNOMED CT through
-- the extract's own EMIS code table, the reference lists, or the SNOMED column of
-- SystmOne v91+.
--
-- Overlapping extracts and deltas (docs/extracts.md §8): a record with a
-- source key (EMIS ObservationGuid, SystmOne RowIdentifier) counts once, as the file
-- loaded last has it, and not at all if a later file withdrew it (deleted at source).
-- Records without a key count once per natural key, from the file loaded last that has
-- them: an EMIS report row per (person, code, date, value), the last such row of that
-- file; a care-home observation per (person, time, type). Then the same again across
-- keys, within a source system: events with the same (person, concept, date, value) in
-- different files count from one file only. The concept is the SNOMED CT code (the local
-- code where none is mapped), so an EMIS Search and Reports row and a bulk
-- CareRecord_Observation row of the same weighing match: the report and the bulk
-- extract are the same source system, EMIS (docs/domain.md §1.1). The bulk row wins (it
-- has a source key, ObservationGuid); otherwise the file loaded last wins.
CREATE OR REPLACE TABLE stg_event AS
WITH report AS (
    SELECT * FROM raw_emis_report
    QUALIFY row_number() OVER (PARTITION BY site_id, pseudo_id, concept_id, event_date,
                                            value_num
                               ORDER BY file_id DESC, source_row DESC) = 1
),
carehome AS (
    SELECT * FROM raw_carehome_observation
    QUALIFY file_id = max(file_id) OVER (PARTITION BY site_id, pseudo_id, obs_dt, obs_type)
),
events AS (
    SELECT o.site_id, o.pseudo_id, 'emis' AS source_system, o.source_record_id, o.event_date,
           o.date_precision, coalesce(c.concept_id, r.concept_id) AS concept_id,
           o.code_id AS local_code, 'EMIS' AS code_system, o.value_num, o.comparator, o.unit,
           o.file_id, o.source_row
    FROM current_records('raw_emis_observation') AS o
    LEFT JOIN (SELECT DISTINCT site_id, code_id, concept_id FROM raw_emis_clinical_code) AS c
        USING (site_id, code_id)
    LEFT JOIN ref_emis_codeid_snomed AS r ON r.code_id = o.code_id
    UNION ALL
    SELECT site_id, pseudo_id, 'emis_report', NULL, event_date, 'YMD', concept_id, concept_id,
           'SNOMED', value_num, comparator, unit, file_id, source_row
    FROM report
    UNION ALL
    SELECT s.site_id, s.pseudo_id, 'systmone', s.source_record_id, s.event_date, 'YMD',
           coalesce(s.concept_id, m.concept_id), s.ctv3_code, 'CTV3', s.value_num, s.comparator,
           s.unit, s.file_id, s.source_row
    FROM current_records('raw_sr_code') AS s
    LEFT JOIN ref_ctv3_snomed AS m ON m.ctv3_code = s.ctv3_code
    UNION ALL
    SELECT o.site_id, o.pseudo_id, 'carehome', NULL, CAST(o.obs_dt AS DATE), 'YMD',
           t.concept_id, o.obs_type, 'DSCR', o.value_num, o.comparator,
           coalesce(o.unit, t.unit), o.file_id, o.source_row
    FROM carehome AS o
    LEFT JOIN ref_dscr_observation_types AS t USING (obs_type)
),
distinct_events AS (
    -- every row of the winning file: within one file, two records of one day and value
    -- are two events (two keyed observations), never merged here
    SELECT * EXCLUDE (system) FROM (
        SELECT *, CASE source_system WHEN 'emis_report' THEN 'emis'
                                     ELSE source_system END AS system
        FROM events
    )
    QUALIFY dense_rank() OVER (
        PARTITION BY site_id, system, pseudo_id, coalesce(concept_id, local_code), event_date,
                     value_num
        ORDER BY source_record_id IS NOT NULL DESC, file_id DESC
    ) = 1
)
SELECT e.*, ep.home_id
FROM distinct_events AS e
LEFT JOIN stg_residence_episode AS ep
    ON ep.site_id = e.site_id AND ep.pseudo_id = e.pseudo_id
   AND e.event_date >= ep.start_date AND (ep.end_date IS NULL OR e.event_date < ep.end_date)
QUALIFY row_number() OVER (PARTITION BY e.source_system, e.file_id, e.source_record_id,
                                        e.pseudo_id, e.event_date, e.local_code, e.value_num
                           ORDER BY ep.start_date DESC NULLS LAST) = 1;
