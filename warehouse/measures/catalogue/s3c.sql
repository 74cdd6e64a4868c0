-- S3c hospital bed days after emergency admissions per 1,000 OBD (docs/domain.md §2.7,
-- §3.1): the emergency spells S3 counts (stg_hospital_spell.emergency, admitted during a
-- residence), in the home and period of the admission date, one per spell, each with
-- its nights in hospital: discharge date - admission date. A spell with no discharge
-- date counts its nights to the end of the site's data (site_data_end), the night of the
-- last day included, as the bed days count that night a hospital night: data_end + 1 -
-- admit_date. A spell discharged before it was admitted counts no nights.
WITH spells AS (
    SELECT DISTINCT s.site_id, s.home_id, s.spell_id,
           CAST(date_trunc($period, s.admit_date) AS DATE) AS period,
           greatest(coalesce(s.discharge_date, e.data_end + 1) - s.admit_date, 0) AS nights
    FROM stg_hospital_spell AS s
    JOIN site_data_end('month') AS e ON e.site_id = s.site_id
    WHERE s.emergency AND s.home_id IS NOT NULL AND s.admit_date <= e.data_end
),
counted AS (
    SELECT site_id, home_id, period, sum(nights) AS nights FROM spells GROUP BY ALL
)
SELECT b.site_id, b.home_id, b.period, coalesce(c.nights, 0) AS numerator,
       b.obd AS denominator, 'hospital' AS source
FROM bed_days($period) AS b
LEFT JOIN counted AS c USING (site_id, home_id, period)
