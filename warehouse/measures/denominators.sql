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
