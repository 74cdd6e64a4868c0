-- The shared denominators of the measure catalogue (docs/domain.md §2.1), as table
-- macros over the staged model. Each takes the period, 'month' or 'quarter', and
-- covers the home-periods the warehouse has bed days for (each site's extract period,
-- warehouse/sql/stg_occupied_bed_days.sql), so that a measure's points run over the
-- same months as its denominator, and a count with none in a month is a zero.

-- home_periods(p): every home-period with bed days, with its first and last day.
CREATE OR REPLACE MACRO home_periods(p) AS TABLE
SELECT site_id, home_id, CAST(date_trunc(p, month) AS DATE) AS period,
       CAST(date_trunc(p, month) AS DATE) AS first_day,
       CAST(date_trunc(p, month) + CASE p WHEN 'quarter' THEN INTERVAL 3 MONTH
                                           ELSE INTERVAL 1 MONTH END - INTERVAL 1 DAY AS DATE)
           AS last_day
FROM stg_occupied_bed_days
GROUP BY ALL;

-- bed_days(p): occupied bed days per home and period: nights in the home, hospital
-- nights excluded (§2.1 "OBD"); the u-chart area of opportunity is obd / 1000.
CREATE OR REPLACE MACRO bed_days(p) AS TABLE
SELECT site_id, home_id, CAST(date_trunc(p, month) AS DATE) AS period,
       sum(occupied_bed_days)::DOUBLE AS obd
FROM stg_occupied_bed_days
GROUP BY ALL;

-- resident_months(p): residents with at least one night in the home in a month (§2.1
-- "resident-month denominator"), summed over the months of the period.
CREATE OR REPLACE MACRO resident_months(p) AS TABLE
SELECT site_id, home_id, CAST(date_trunc(p, month) AS DATE) AS period,
       sum(residents)::DOUBLE AS resident_months
FROM stg_occupied_bed_days
GROUP BY ALL;

-- on_roll(p): residents on the roll on the last night of the period, away in hospital
-- or not (§2.1: "% of residents" measures count residents on roll at the month end),
-- with the day they were admitted to this stay.
CREATE OR REPLACE MACRO on_roll(p) AS TABLE
SELECT h.site_id, h.home_id, h.period, h.last_day, e.pseudo_id, e.start_date
FROM home_periods(p) AS h
JOIN stg_residence_episode AS e
  ON e.site_id = h.site_id AND e.home_id = h.home_id
 AND e.start_date <= h.last_day AND (e.end_date IS NULL OR e.end_date > h.last_day)
QUALIFY row_number() OVER (PARTITION BY h.site_id, h.home_id, h.period, e.pseudo_id
                           ORDER BY e.start_date DESC) = 1;

-- admissions(p): stays that began in the period (new admissions, moves from another
-- home and returning respite residents alike), with the admission type.
CREATE OR REPLACE MACRO admissions(p) AS TABLE
SELECT h.site_id, h.home_id, h.period, e.pseudo_id, e.start_date, e.end_date, e.end_reason,
       e.admission_type
FROM home_periods(p) AS h
JOIN stg_residence_episode AS e
  ON e.site_id = h.site_id AND e.home_id = h.home_id
 AND e.start_date BETWEEN h.first_day AND h.last_day;

-- deaths(p): residents who died while on a home's roll, by the period of the death,
-- with their recorded preferred place of death.
CREATE OR REPLACE MACRO deaths(p) AS TABLE
SELECT h.site_id, h.home_id, h.period, e.pseudo_id, e.start_date, e.end_date AS death_date,
       e.preferred_place_of_death
FROM home_periods(p) AS h
JOIN stg_residence_episode AS e
  ON e.site_id = h.site_id AND e.home_id = h.home_id AND e.end_reason = 'died'
 AND e.end_date BETWEEN h.first_day AND h.last_day;

-- incident_log_months(p): the home-periods each home's incident log covers: from its
-- first to its last recorded incident of any type. Outside them the log is absent
-- for that home, and measures designated to it fall back (docs/measures.md).
CREATE OR REPLACE MACRO incident_log_months(p) AS TABLE
SELECT h.site_id, h.home_id, h.period
FROM home_periods(p) AS h
JOIN (SELECT site_id, home_id, CAST(date_trunc(p, min(incident_date)) AS DATE) AS first_period,
             CAST(date_trunc(p, max(incident_date)) AS DATE) AS last_period
      FROM stg_incident GROUP BY ALL) AS c
  ON c.site_id = h.site_id AND c.home_id = h.home_id
 AND h.period BETWEEN c.first_period AND c.last_period;

-- Projects 1 and 2 (docs/domain.md §2.3, §2.4): medicines and nutrition. -----------------

-- site_data_end(p): the last day of each site's last home-period with bed days. A
-- measure counting what follows an event within a window (an SMR within 28 days of
-- admission, a MUST score within 7) counts only events whose window ends by then.
CREATE OR REPLACE MACRO site_data_end(p) AS TABLE
SELECT site_id, max(last_day) AS data_end
FROM home_periods(p)
GROUP BY site_id;

-- observed(obs_kind): readings of one care-home observation type (obs_type, e.g.
-- weight_kg, must_score) from each source that records it: the care-home record
-- (source 'carehome': local_code = obs_kind) and the GP record (source 'gp': EMIS, its
-- report exports and SystmOne, coded with the type's SNOMED CT concept in
-- ref_dscr_observation_types). One row per person, source and day, with the home lived
-- in that day and the day's highest value: a reading sent twice counts once.
CREATE OR REPLACE MACRO observed(obs_kind) AS TABLE
SELECT e.site_id, e.pseudo_id,
       CASE WHEN e.source_system = 'carehome' THEN 'carehome' ELSE 'gp' END AS source,
       e.event_date, any_value(e.home_id) AS home_id, max(e.value_num) AS value_num
FROM stg_event AS e
WHERE e.event_date IS NOT NULL
  AND ((e.source_system = 'carehome' AND e.local_code = obs_kind)
       OR (e.source_system IN ('emis', 'emis_report', 'systmone')
           AND e.concept_id IN (SELECT t.concept_id FROM ref_dscr_observation_types AS t
                                WHERE t.obs_type = obs_kind AND t.concept_id IS NOT NULL)))
GROUP BY e.site_id, e.pseudo_id, source, e.event_date;

-- observation_source(p, obs_kind): per home-period with bed days, the source that
-- observation type counts from. The care-home record ('carehome') is designated over
-- the periods from the first to the last in which the home's record holds one; outside
-- them it is absent for that home, and the GP record ('gp') stands in.
CREATE OR REPLACE MACRO observation_source(p, obs_kind) AS TABLE
SELECT h.site_id, h.home_id, h.period, h.first_day, h.last_day,
       CASE WHEN c.home_id IS NOT NULL THEN 'carehome' ELSE 'gp' END AS source
FROM home_periods(p) AS h
LEFT JOIN (SELECT site_id, home_id,
                  CAST(date_trunc(p, min(event_date)) AS DATE) AS first_period,
                  CAST(date_trunc(p, max(event_date)) AS DATE) AS last_period
           FROM stg_event
           WHERE source_system = 'carehome' AND local_code = obs_kind AND home_id IS NOT NULL
           GROUP BY site_id, home_id) AS c
  ON c.site_id = h.site_id AND c.home_id = h.home_id
 AND h.period BETWEEN c.first_period AND c.last_period;

-- unique_medicines(p, lookback): per resident on roll at the period's end (on_roll), the
-- distinct products (product code, else name) issued to them in the lookback days that
-- end on the period's last day (last_day - lookback < issue date <= last_day), in any
-- home of the site. Hospital and "other" medication is left out (§1.2), and so are
-- issues the GP system marks as acute; EMIS issue records carry no repeat flag, so
-- every EMIS issue counts (O1.1, O1.2).
CREATE OR REPLACE MACRO unique_medicines(p, lookback) AS TABLE
SELECT r.site_id, r.home_id, r.period, r.pseudo_id, count(DISTINCT i.product) AS medicines
FROM on_roll(p) AS r
LEFT JOIN (SELECT site_id, pseudo_id, issue_date,
                  coalesce(product_code, product_name) AS product
           FROM stg_medication_issue
           WHERE is_repeat IS NOT false AND NOT coalesce(is_hospital, false)) AS i
  ON i.site_id = r.site_id AND i.pseudo_id = r.pseudo_id
 AND i.issue_date > r.last_day - lookback AND i.issue_date <= r.last_day
GROUP BY r.site_id, r.home_id, r.period, r.pseudo_id;

-- Projects 3 and 4 and the system-wide outcomes (docs/domain.md §2.5-§2.7). -----------

-- weekdays_to(d): the Mondays to Fridays from Monday 1 January 1900 up to and including
-- d (bank holidays are not known, so they count as working days). A helper of
-- add_working_days.
CREATE OR REPLACE MACRO weekdays_to(d) AS
    5 * CAST(floor(datediff('day', DATE '1900-01-01', d) / 7) AS BIGINT)
    + least(((datediff('day', DATE '1900-01-01', d) % 7) + 7) % 7 + 1, 5);

-- add_working_days(d, n): the n-th working day (Monday to Friday) after the day d; from
-- a Saturday or Sunday the first working day is the Monday. A review is "within 7
-- working days" of an admission on d when it is dated d to add_working_days(d, 7).
CREATE OR REPLACE MACRO add_working_days(d, n) AS
    CAST(DATE '1900-01-01'
         + INTERVAL (7 * ((weekdays_to(d) + n - 1) // 5) + (weekdays_to(d) + n - 1) % 5) DAY
         AS DATE);

-- place_of_death(p): the deaths of deaths(p), each with where it happened: 'hospital'
-- when a hospital spell of the person was under way at the death, i.e. admitted on or
-- before the death date and either discharged that day with discharge destination 79
-- (died) or not discharged at all; otherwise 'care_home' (the resident died in the
-- home). Deaths after a resident left the home (to a hospice, or home) are no deaths on
-- the roll and do not appear (docs/domain.md §1.3, §2.7 S11-S12).
CREATE OR REPLACE MACRO place_of_death(p) AS TABLE
SELECT d.*,
       CASE WHEN EXISTS (
                SELECT 1 FROM stg_hospital_spell AS s
                WHERE s.site_id = d.site_id AND s.pseudo_id = d.pseudo_id
                  AND s.admit_date <= d.death_date
                  AND ((s.discharge_date = d.death_date AND s.discharge_destination = '79')
                       OR s.discharge_date IS NULL))
            THEN 'hospital' ELSE 'care_home' END AS place_of_death
FROM deaths(p) AS d;

-- admission_reviews(p, window_days, min_stay): the admissions of admissions(p) that the
-- 7-working-day standard judges (docs/domain.md §2.6 P4.1-P4.3), each with what the QI
-- log's admission_mdt_review rows for the resident in the admitting home, dated from
-- the admission day to add_working_days(start_date, window_days), record. Judged: stays
-- that lasted at least min_stay days (or are still open), of any admission type, whose
-- window has ended inside the site's data. The outcomes are read as steps, each
-- including the one before: assessment_complete (the MDT assessment), pcsp_complete
-- (and the personalised care and support plan), bundle_complete (and the whole
-- admission bundle); any row of the review is an assessment.
CREATE OR REPLACE MACRO admission_reviews(p, window_days, min_stay) AS TABLE
SELECT a.site_id, a.home_id, a.period, a.pseudo_id, a.start_date,
       count(q.activity_date) > 0 AS assessed,
       coalesce(bool_or(q.outcome IN ('pcsp_complete', 'bundle_complete')), false) AS planned,
       coalesce(bool_or(q.outcome = 'bundle_complete'), false) AS bundled
FROM admissions(p) AS a
JOIN site_data_end('month') AS e ON e.site_id = a.site_id
LEFT JOIN stg_qi_activity AS q
  ON q.site_id = a.site_id AND q.home_id = a.home_id AND q.pseudo_id = a.pseudo_id
 AND q.activity_type = 'admission_mdt_review'
 AND q.activity_date BETWEEN a.start_date AND add_working_days(a.start_date, window_days)
WHERE (a.end_date IS NULL OR a.end_date - a.start_date >= min_stay)
  AND add_working_days(a.start_date, window_days) <= e.data_end
GROUP BY a.site_id, a.home_id, a.period, a.pseudo_id, a.start_date;
