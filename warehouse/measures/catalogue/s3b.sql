-- S3b % of emergency admissions that stayed two nights or more (docs/domain.md §2.7,
-- §3.1): the emergency spells S3 counts (stg_hospital_spell.emergency, admitted during a
-- residence), in the home and period of the admission date, one per spell. A spell's
-- length of stay is discharge date - admission date; long is 2 days or more, short 0 or
-- 1 (the National Cost Collection's non-elective long and short stays). A spell with no
-- discharge date was still in hospital at the end of the site's data (site_data_end: the
-- last day of its last month with bed days, whose night the bed days count as a hospital
-- night), so it has lasted at least data_end + 1 - admit_date days: long when that is 2
-- or more; otherwise (admitted on the last day) its class is unknown and it counts in
-- neither the numerator nor the denominator, nor does a spell discharged before it was
-- admitted.
WITH spells AS (
    SELECT DISTINCT s.site_id, s.home_id, s.spell_id,
           CAST(date_trunc($period, s.admit_date) AS DATE) AS period,
           coalesce(s.discharge_date, e.data_end + 1) - s.admit_date AS los,
           s.discharge_date IS NULL AS still_in
    FROM stg_hospital_spell AS s
    JOIN site_data_end('month') AS e ON e.site_id = s.site_id
    WHERE s.emergency AND s.home_id IS NOT NULL AND s.admit_date <= e.data_end
),
classed AS (
    SELECT site_id, home_id, period,
           count(*) FILTER (WHERE los >= 2) AS long_stays,
           count(*) FILTER (WHERE los >= 2 OR (los >= 0 AND NOT still_in)) AS known
    FROM spells
    GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(c.long_stays, 0) AS numerator,
       coalesce(c.known, 0) AS denominator, 'hospital' AS source
FROM home_periods($period) AS h
LEFT JOIN classed AS c USING (site_id, home_id, period)
