-- Which staged table an extract feeds (load_log.table_name -> staged table): a problem in a
-- file gates the measures built on that staged table. Temporary: only for this run.
CREATE OR REPLACE TEMP MACRO staged_table(extract_table) AS CASE extract_table
    WHEN 'Admin_Patient' THEN 'stg_person'
    WHEN 'SRPatient' THEN 'stg_person'
    WHEN 'residents' THEN 'stg_residence_episode'
    WHEN 'absences' THEN 'stg_absence'
    WHEN 'incidents' THEN 'stg_incident'
    WHEN 'inpatient_spells' THEN 'stg_hospital_spell'
    WHEN 'ae_attendances' THEN 'stg_ae_attendance'
    WHEN 'qi_activity' THEN 'stg_qi_activity'
    WHEN 'Prescribing_IssueRecord' THEN 'stg_medication_issue'
    WHEN 'SRPrimaryCareMedication' THEN 'stg_medication_issue'
    WHEN 'CareRecord_Observation' THEN 'stg_event'
    WHEN 'Coding_ClinicalCode' THEN 'stg_event'
    WHEN 'SRCode' THEN 'stg_event'
    WHEN 'observations' THEN 'stg_event'
    WHEN 'report' THEN 'stg_event'
END;  -- NULL (a file of unknown layout) gates every staged table of its site
-- The home a care-home file is about: the folder it came in (site/carehome/home/file.csv).
CREATE OR REPLACE TEMP MACRO home_of_path(path) AS
    CASE WHEN split_part(path, '/', 2) = 'carehome' THEN split_part(path, '/', 3) END;
