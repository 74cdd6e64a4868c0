-- S3 emergency admissions per 1,000 OBD (docs/domain.md §2.7): hospital spells with an
-- emergency admission method (stg_hospital_spell.emergency: NHS Data Dictionary methods
-- 21-25, 28, 2A-2D) admitted during a residence, counted in the home lived in on the
-- admission date and the period of that date, one per spell.
WITH admitted AS (
    SELECT site_id, home_id, CAST(date_trunc($period, admit_date) AS DATE) AS period,
           count(DISTINCT spell_id) AS admissions
    FROM stg_hospital_spell
    WHERE emergency AND home_id IS NOT NULL
    GROUP BY ALL
)
SELECT b.site_id, b.home_id, b.period, coalesce(a.admissions, 0) AS numerator,
       b.obd AS denominator, 'hospital' AS source
FROM bed_days($period) AS b
LEFT JOIN admitted AS a USING (site_id, home_id, period)
