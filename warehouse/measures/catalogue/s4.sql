-- S4 A&E attendances per 1,000 OBD (docs/domain.md §2.7): every attendance of the
-- hospital A&E extract, all department types (01-04) and whether or not the resident
-- was admitted, counted in the home lived in on the arrival date and the period of that
-- date, one per attendance.
WITH attended AS (
    SELECT site_id, home_id, CAST(date_trunc($period, arrival_date) AS DATE) AS period,
           count(DISTINCT attendance_id) AS attendances
    FROM stg_ae_attendance
    WHERE home_id IS NOT NULL
    GROUP BY ALL
)
SELECT b.site_id, b.home_id, b.period, coalesce(a.attendances, 0) AS numerator,
       b.obd AS denominator, 'hospital' AS source
FROM bed_days($period) AS b
LEFT JOIN attended AS a USING (site_id, home_id, period)
