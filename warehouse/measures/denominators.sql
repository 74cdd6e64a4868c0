-- The shared denominators of the measure catalogue (docs/domain.md §2.1), as table
-- macros over the staged model. Each takes the period, 'month' or 'quarter', and
-- covers the home-periods the warehouse has bed days for (each site's extract period,
-- warehouse/sql/stg_occupied_bed_days.sql), so that a measure's points run over the
-- same months as its denominator, and a count with none in a month is a zero.

-- people(): a number for each person of a site (site_id, pseudo_id: stg_person, and every
-- resident of the residents lists), 1, 2, ... in the order of site and pseudonym, so the
-- same in every run over the same data. The macros below join and count people by it, not
-- by the 64-character pseudonyms: at 1,000 homes the measures join a million
-- resident-months to millions of issues and readings, and comparing integers there is
-- several times cheaper than comparing strings.
CREATE OR REPLACE MACRO people() AS TABLE
SELECT site_id, pseudo_id, CAST(row_number() OVER (ORDER BY site_id, pseudo_id) AS INTEGER)
           AS person
FROM (SELECT site_id, pseudo_id FROM stg_person
      UNION SELECT site_id, pseudo_id FROM stg_residence_episode);

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
-- with the day they were admitted to this stay and their number in people().
CREATE OR REPLACE MACRO on_roll(p) AS TABLE
WITH episodes AS MATERIALIZED (
    -- each stay with the resident's number (numbered here, before the join below: there
    -- are far fewer stays than resident-periods)
    SELECT e.site_id, e.home_id, e.pseudo_id, e.start_date, e.end_date, k.person
    FROM stg_residence_episode AS e
    LEFT JOIN people() AS k USING (site_id, pseudo_id)
)
-- one row per resident (person stands for the pseudonym: one number per site and
-- pseudonym, none for none), with the latest of their stays on the roll then
SELECT h.site_id, h.home_id, h.period, h.last_day, any_value(e.pseudo_id) AS pseudo_id,
       max(e.start_date) AS start_date, e.person
FROM home_periods(p) AS h
JOIN episodes AS e
  ON e.site_id = h.site_id AND e.home_id = h.home_id
 AND e.start_date <= h.last_day AND (e.end_date IS NULL OR e.end_date > h.last_day)
GROUP BY h.site_id, h.home_id, h.period, h.last_day, e.person;

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

-- incident_rate(p, kind): a measure's rows (site_id, home_id, period, numerator,
-- denominator, source) counting the incidents of any type in the home's incident log
-- with the flags `kind` names, one per resident, minute and type, over the home's
-- occupied bed days: 'ambulance' (ambulance_called: O3.3), 'conveyance'
-- (ambulance_called and hospital_transfer: O3.3b), 'gp_in_hours' (gp_called and not
-- out_of_hours: S5a), 'gp_out_of_hours' (gp_called and out_of_hours: S5b; an incident
-- whose out_of_hours is blank counts in neither). Where the home's log is absent for the
-- period (incident_log_months) the numerator is NULL, never a zero.
CREATE OR REPLACE MACRO incident_rate(p, kind) AS TABLE
WITH flagged AS (
    SELECT site_id, home_id, CAST(date_trunc(p, incident_date) AS DATE) AS period,
           count(DISTINCT (pseudo_id, date_trunc('minute', incident_dt), incident_type)) AS n
    FROM stg_incident
    WHERE CASE kind
        WHEN 'ambulance' THEN ambulance_called
        WHEN 'conveyance' THEN ambulance_called AND hospital_transfer
        WHEN 'gp_in_hours' THEN gp_called AND NOT out_of_hours
        WHEN 'gp_out_of_hours' THEN gp_called AND out_of_hours
    END
    GROUP BY ALL
)
SELECT b.site_id, b.home_id, b.period,
       CASE WHEN c.period IS NOT NULL THEN coalesce(f.n, 0) END AS numerator,
       b.obd AS denominator, 'carehome' AS source
FROM bed_days(p) AS b
LEFT JOIN incident_log_months(p) AS c USING (site_id, home_id, period)
LEFT JOIN flagged AS f USING (site_id, home_id, period);

-- Projects 1 and 2 (docs/domain.md §2.3, §2.4): medicines and nutrition. -----------------

-- gp_events(): the GP record's coded events: of the stg_event rows from EMIS (its bulk
-- extract and report exports) and SystmOne, the columns the measures that count GP
-- codes read (S1, S6b, O2.4, P1.1-P1.4), each choosing its systems and codes.
CREATE OR REPLACE MACRO gp_events() AS TABLE
SELECT site_id, pseudo_id, home_id, source_system, concept_id, event_date
FROM stg_event
WHERE source_system IN ('emis', 'emis_report', 'systmone');

-- site_data_end(p): the last day of each site's last home-period with bed days. A
-- measure counting what follows an event within a window (an SMR within 28 days of
-- admission, a MUST score within 7) counts only events whose window ends by then.
CREATE OR REPLACE MACRO site_data_end(p) AS TABLE
SELECT site_id, max(last_day) AS data_end
FROM home_periods(p)
GROUP BY site_id;

-- observations(): readings of every care-home observation type (obs_type, e.g.
-- weight_kg, must_score) from each source that records it: the care-home record
-- (source 'carehome': local_code = obs_type) and the GP record (source 'gp': EMIS, its
-- report exports and SystmOne, coded with the type's SNOMED CT concept in
-- ref_dscr_observation_types). One row per type, person, source and day, with the home
-- lived in that day, the day's highest value (a reading sent twice counts once) and the
-- person's number in people().
CREATE OR REPLACE MACRO observations() AS TABLE
SELECT o.*, k.person
FROM (SELECT e.obs_type, e.site_id, e.pseudo_id, e.source, e.event_date,
             any_value(e.home_id) AS home_id, max(e.value_num) AS value_num
      FROM (SELECT local_code AS obs_type, site_id, pseudo_id, 'carehome' AS source,
                   event_date, home_id, value_num
            FROM stg_event WHERE source_system = 'carehome'
            UNION ALL
            SELECT t.obs_type, e.site_id, e.pseudo_id, 'gp', e.event_date, e.home_id,
                   e.value_num
            FROM stg_event AS e
            JOIN ref_dscr_observation_types AS t ON t.concept_id = e.concept_id
            WHERE e.source_system IN ('emis', 'emis_report', 'systmone')) AS e
      WHERE e.event_date IS NOT NULL AND e.obs_type IS NOT NULL
      GROUP BY e.obs_type, e.site_id, e.pseudo_id, e.source, e.event_date) AS o
LEFT JOIN people() AS k USING (site_id, pseudo_id);

-- observed(obs_kind): the readings of observations() of one type.
CREATE OR REPLACE MACRO observed(obs_kind) AS TABLE
SELECT * EXCLUDE (obs_type) FROM observations() WHERE obs_type = obs_kind;

-- carehome_observation_days(): per home and care-home observation type (local_code),
-- the first and last day the home's record holds one of that type.
CREATE OR REPLACE MACRO carehome_observation_days() AS TABLE
SELECT site_id, home_id, local_code AS obs_type, min(event_date) AS first_date,
       max(event_date) AS last_date
FROM stg_event
WHERE source_system = 'carehome' AND home_id IS NOT NULL
GROUP BY site_id, home_id, local_code;

-- observation_source(p, obs_kind): per home-period with bed days, the source that
-- observation type counts from. The care-home record ('carehome') is designated over
-- the periods from the first to the last in which the home's record holds one
-- (carehome_observation_days); outside them it is absent for that home, and the GP
-- record ('gp') stands in.
CREATE OR REPLACE MACRO observation_source(p, obs_kind) AS TABLE
SELECT h.site_id, h.home_id, h.period, h.first_day, h.last_day,
       CASE WHEN c.home_id IS NOT NULL THEN 'carehome' ELSE 'gp' END AS source
FROM home_periods(p) AS h
LEFT JOIN (SELECT site_id, home_id, CAST(date_trunc(p, first_date) AS DATE) AS first_period,
                  CAST(date_trunc(p, last_date) AS DATE) AS last_period
           FROM carehome_observation_days() WHERE obs_type = obs_kind) AS c
  ON c.site_id = h.site_id AND c.home_id = h.home_id
 AND h.period BETWEEN c.first_period AND c.last_period;

-- find_readings_at_end(p, obs_kind): per resident on roll at the period's end
-- (on_roll), with the home's designated source of that observation type for the period
-- (observation_source: source, first_day), the resident's latest reading from that
-- source on or before the period's last day, in any home of the site (observed: one a
-- person, source and day, the day's highest): its date (read_on), and the latest with
-- a value, its date (valued_on) and value (valued); NULL where there is none. What
-- P2.1, P2.4 and O2.1-O2.3 ask of the readings at the period's end, all from one ASOF
-- join.
CREATE OR REPLACE MACRO find_readings_at_end(p, obs_kind) AS TABLE
WITH readings AS (
    SELECT person, source, event_date,
           last_value(CASE WHEN value_num IS NOT NULL THEN event_date END IGNORE NULLS)
               OVER up_to_here AS valued_on,
           last_value(value_num IGNORE NULLS) OVER up_to_here AS valued
    FROM observed(obs_kind)
    WINDOW up_to_here AS (PARTITION BY person, source ORDER BY event_date
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT r.site_id, r.home_id, r.period, r.last_day, r.start_date, r.person,
       s.source, s.first_day, o.event_date AS read_on, o.valued_on, o.valued
FROM on_roll(p) AS r
JOIN observation_source(p, obs_kind) AS s USING (site_id, home_id, period)
ASOF LEFT JOIN readings AS o
  ON o.person = r.person AND o.source = s.source AND o.event_date <= r.last_day;

-- readings_at_end(p, obs_kind): find_readings_at_end's rows, under the name the
-- measures call, so that compute() can put the instances the catalogue's measures share
-- in front of it (see "Once per run" below).
CREATE OR REPLACE MACRO readings_at_end(p, obs_kind) AS TABLE
SELECT * FROM find_readings_at_end(p, obs_kind);

-- latest_readings(p, obs_kind, recent_days): per resident on roll at the period's end,
-- the home's designated source of that observation type for the period and the
-- resident's latest reading from it with a value, if it is dated in the recent_days
-- that end on the period's last day (last_day - recent_days < date <= last_day), in any
-- home of the site; several on one day: the highest (readings_at_end). Residents with
-- no such reading are left out. The step O2.1 and O2.3 (weights) and O2.2 (MUST
-- scores) share.
CREATE OR REPLACE MACRO latest_readings(p, obs_kind, recent_days) AS TABLE
SELECT site_id, home_id, period, person, last_day, source, valued AS latest
FROM readings_at_end(p, obs_kind)
WHERE valued_on > last_day - recent_days;

-- find_baseline_readings(p, obs_kind, from_days, to_days): per person (people()), source
-- and period, of the readings with a value of observed(obs_kind) dated from from_days
-- to to_days before the period's last day (last_day - from_days <= date <= last_day -
-- to_days, both inclusive), in any home of the site: the highest, and the latest. O2.1
-- and O2.3's baseline window. Each reading is in the window of the periods whose last
-- day is from to_days to from_days after it: the periods from that of its day plus
-- to_days to the one before that of its day plus from_days + 1.
CREATE OR REPLACE MACRO find_baseline_readings(p, obs_kind, from_days, to_days) AS TABLE
SELECT person, source, period, max(value_num) AS highest,
       arg_max(value_num, event_date) AS latest
FROM (SELECT person, source, event_date, value_num,
             CAST(unnest(generate_series(
                 date_trunc(p, event_date + to_days),
                 date_trunc(p, event_date + from_days + 1)
                     - CASE p WHEN 'quarter' THEN INTERVAL 3 MONTH ELSE INTERVAL 1 MONTH END,
                 CASE p WHEN 'quarter' THEN INTERVAL 3 MONTH ELSE INTERVAL 1 MONTH END))
                 AS DATE) AS period
      FROM observed(obs_kind)
      WHERE value_num IS NOT NULL AND person IS NOT NULL)
GROUP BY person, source, period;

-- baseline_readings(p, obs_kind, from_days, to_days): find_baseline_readings' rows, under
-- the name the measures call, so that compute() can put the instance O2.1 and O2.3
-- share in front of it (see "Once per run" below).
CREATE OR REPLACE MACRO baseline_readings(p, obs_kind, from_days, to_days) AS TABLE
SELECT * FROM find_baseline_readings(p, obs_kind, from_days, to_days);

-- medicine_issues(): the issues unique_medicines() counts, one row per issue, by person
-- (people()) and product (product_no: product code, else name), with the dates of the
-- issues of the same product to the same person just before and just after it (NULL
-- for none). Hospital and "other" medication is left out (§1.2), and so are issues the
-- GP system marks as acute; EMIS issue records carry no repeat flag, so every EMIS
-- issue counts (O1.1, O1.2).
CREATE OR REPLACE MACRO medicine_issues() AS TABLE
SELECT k.person, d.product_no, i.issue_date,
       lag(i.issue_date) OVER w AS previous_issue, lead(i.issue_date) OVER w AS next_issue
FROM stg_medication_issue AS i
-- the products numbered too (by name: 1, 2, ...), for the same reason as the people
JOIN (SELECT product, CAST(row_number() OVER (ORDER BY product) AS INTEGER) AS product_no
      FROM (SELECT DISTINCT coalesce(product_code, product_name) AS product
            FROM stg_medication_issue)) AS d
  ON d.product = coalesce(i.product_code, i.product_name)
JOIN people() AS k USING (site_id, pseudo_id)
WHERE i.is_repeat IS NOT false AND NOT coalesce(i.is_hospital, false)
  AND i.issue_date IS NOT NULL
WINDOW w AS (PARTITION BY k.person, d.product_no ORDER BY i.issue_date);

-- count_unique_medicines(p, lookback): per resident on roll at the period's end
-- (on_roll), the distinct products (product code, else name) issued to them in the
-- lookback days that end on the period's last day (last_day - lookback < issue date <=
-- last_day), in any home of the site, of the issues medicine_issues() counts (O1.1,
-- O1.2).
--
-- Not by pairing each resident-period with every issue of its lookback (at 1,000 homes
-- some 28 million pairs): the issues of one product to one person less than lookback
-- days apart make a run, from its first issue to its last, and the product is in the
-- count at each period end from the first issue's day to the last's plus lookback - 1,
-- and at no other from that run. That is every period from the first issue's to the one
-- before that of the last issue's day plus lookback: +1 at the one, -1 at the other,
-- and a resident's running total of them at a period is the count at its end.
CREATE OR REPLACE MACRO count_unique_medicines(p, lookback) AS TABLE
WITH changes AS (
    -- each issue read once, for both ends of a run: a run's first issue (no issue of the
    -- product in the lookback before it) counts +1 from its period; a run's last (none
    -- in the lookback after it) counts -1 from the period of its day plus lookback
    SELECT i.person,
           CAST(date_trunc(p, CASE WHEN e.run_start THEN i.issue_date
                                   ELSE i.issue_date + lookback END) AS DATE) AS period,
           sum(CASE WHEN e.run_start THEN 1 ELSE -1 END) AS change
    FROM medicine_issues() AS i
    CROSS JOIN (VALUES (true), (false)) AS e(run_start)
    WHERE lookback > 0
      AND CASE WHEN e.run_start
               THEN i.previous_issue IS NULL OR i.previous_issue + lookback <= i.issue_date
               ELSE i.next_issue IS NULL OR i.next_issue >= i.issue_date + lookback END
    GROUP BY ALL
),
running AS (
    SELECT person, period, sum(change) OVER (PARTITION BY person ORDER BY period) AS medicines
    FROM changes
)
SELECT r.site_id, r.home_id, r.period, r.pseudo_id, coalesce(c.medicines, 0) AS medicines
FROM on_roll(p) AS r
-- the running total at the resident's latest change on or before the period
ASOF LEFT JOIN running AS c ON c.person = r.person AND c.period <= r.period;

-- unique_medicines(p, lookback): count_unique_medicines' rows, under the name the
-- measures call, so that compute() can put the instance O1.1 and O1.2 share in front of
-- it (see "Once per run" below).
CREATE OR REPLACE MACRO unique_medicines(p, lookback) AS TABLE
SELECT * FROM count_unique_medicines(p, lookback);

-- ons_issues(): the issues of oral nutritional supplements (ref_ons_products, by product
-- code or by name, in any case), hospital medication left out (P2.3, P2.5, P2.5b).
CREATE OR REPLACE MACRO ons_issues() AS TABLE
SELECT site_id, pseudo_id, home_id, issue_date, product_code, product_name, estimated_cost
FROM stg_medication_issue
WHERE NOT coalesce(is_hospital, false)
  AND (product_code IN (SELECT product_code FROM ref_ons_products
                        WHERE product_code IS NOT NULL)
       OR lower(product_name) IN (SELECT lower(product_name) FROM ref_ons_products
                                  WHERE product_name IS NOT NULL));

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

-- ==== Once per run ==================================================================
-- compute() (warehouse/measures/values.py) runs what follows after the macros above and
-- before the measures, and drops it when they are done. It works out the intermediates
-- many measures share once, as temp tables, and puts a temp macro of the same name and
-- arguments in front of each of those macros, reading its table: DuckDB looks a name up
-- in the temp schema first, so every measure, and every macro above that calls them,
-- reads the table instead of working it all out again. The answers do not change: each
-- table is the macro's own answer, for every argument it can be given (people,
-- gp_events, carehome_observation_days, on_roll, ons_issues) or for the arguments the
-- catalogue's measures give it; for any other argument the temp macro's second branch
-- gives the macro's own answer, worked out as before (with the arguments constants or
-- bound parameters, as in every measure, DuckDB leaves the branch they rule out
-- unread). Without this part (a measure run alone in the warehouse) the macros above
-- give the same rows, only more slowly. compute() runs a "shared:" block only when its
-- macro is one the registry's measures use, directly or through the macros above.

-- shared: people
CREATE OR REPLACE TEMP TABLE shared_people AS SELECT * FROM people();
CREATE OR REPLACE TEMP MACRO people() AS TABLE SELECT * FROM shared_people;

-- shared: gp_events
CREATE OR REPLACE TEMP TABLE shared_gp_events AS SELECT * FROM gp_events();
CREATE OR REPLACE TEMP MACRO gp_events() AS TABLE SELECT * FROM shared_gp_events;

-- shared: carehome_observation_days
CREATE OR REPLACE TEMP TABLE shared_carehome_observation_days AS
SELECT * FROM carehome_observation_days();
CREATE OR REPLACE TEMP MACRO carehome_observation_days() AS TABLE
SELECT * FROM shared_carehome_observation_days;

-- shared: on_roll
-- both period units
CREATE OR REPLACE TEMP TABLE shared_on_roll AS
SELECT 'month' AS period_unit, * FROM on_roll('month')
UNION ALL
SELECT 'quarter', * FROM on_roll('quarter');
CREATE OR REPLACE TEMP MACRO on_roll(p) AS TABLE
SELECT * EXCLUDE (period_unit) FROM shared_on_roll WHERE period_unit = p;

-- shared: observed
-- the two types the catalogue's measures read (weights: O2.1, O2.3, P2.4; MUST scores:
-- O2.2, P2.1-P2.3); any other from observations(), as observed() does
CREATE OR REPLACE TEMP TABLE shared_observed AS
SELECT * FROM observations() WHERE obs_type IN ('weight_kg', 'must_score');
CREATE OR REPLACE TEMP MACRO observed(obs_kind) AS TABLE
SELECT * EXCLUDE (obs_type) FROM shared_observed WHERE obs_type = obs_kind
UNION ALL
SELECT * EXCLUDE (obs_type) FROM observations()
WHERE obs_type = obs_kind AND (obs_kind IN ('weight_kg', 'must_score')) IS NOT TRUE;

-- shared: readings_at_end
-- by month, of weights (O2.1, O2.3, P2.4) and MUST scores (O2.2, P2.1): the types and
-- period the catalogue's measures ask for; any other from find_readings_at_end()
CREATE OR REPLACE TEMP TABLE shared_readings_at_end AS
SELECT 'weight_kg' AS obs_type, * FROM find_readings_at_end('month', 'weight_kg')
UNION ALL
SELECT 'must_score', * FROM find_readings_at_end('month', 'must_score');
CREATE OR REPLACE TEMP MACRO readings_at_end(p, obs_kind) AS TABLE
SELECT * EXCLUDE (obs_type) FROM shared_readings_at_end
WHERE p = 'month' AND obs_type = obs_kind
UNION ALL
SELECT * FROM find_readings_at_end(p, obs_kind)
WHERE (p = 'month' AND obs_kind IN ('weight_kg', 'must_score')) IS NOT TRUE;

-- shared: unique_medicines
-- by month, over 84 days: O1.1 and O1.2 (lookback_days in o1_1.toml and o1_2.toml)
CREATE OR REPLACE TEMP TABLE shared_unique_medicines AS
SELECT * FROM count_unique_medicines('month', 84);
CREATE OR REPLACE TEMP MACRO unique_medicines(p, lookback) AS TABLE
SELECT * FROM shared_unique_medicines WHERE p = 'month' AND lookback = 84
UNION ALL
SELECT * FROM count_unique_medicines(p, lookback)
WHERE (p = 'month' AND lookback = 84) IS NOT TRUE;

-- shared: baseline_readings
-- weights by month, 120 to 60 days before the month's end: O2.1 and O2.3
-- (baseline_from_days and recent_days in o2_1.toml and o2_3.toml)
CREATE OR REPLACE TEMP TABLE shared_baseline_weights AS
SELECT * FROM find_baseline_readings('month', 'weight_kg', 120, 60);
CREATE OR REPLACE TEMP MACRO baseline_readings(p, obs_kind, from_days, to_days) AS TABLE
SELECT * FROM shared_baseline_weights
WHERE p = 'month' AND obs_kind = 'weight_kg' AND from_days = 120 AND to_days = 60
UNION ALL
SELECT * FROM find_baseline_readings(p, obs_kind, from_days, to_days)
WHERE (p = 'month' AND obs_kind = 'weight_kg' AND from_days = 120 AND to_days = 60)
          IS NOT TRUE;

-- shared: ons_issues
CREATE OR REPLACE TEMP TABLE shared_ons_issues AS SELECT * FROM ons_issues();
CREATE OR REPLACE TEMP MACRO ons_issues() AS TABLE SELECT * FROM shared_ons_issues;
