-- roi_inputs: each ROI resource per home and month (docs/roi.md §2). The count is the
-- numerator of the resource's measure (measure_values, home level); the exposure is the
-- home's occupied bed days that month. A home-month is usable when its measure point
-- passed the data-quality gate, has a count and has bed days; otherwise `reason` says why
-- it is left out of the before and after sums.
-- Bound: the frame `resource_measures` (resource, measure_id), registered by the caller.
SELECT r.resource, v.measure_id, v.site_id, v.home_id, v.period,
       v.numerator AS count,
       coalesce(b.occupied_bed_days, 0) AS exposure,
       coalesce(v.data_complete, false) AND v.numerator IS NOT NULL
           AND coalesce(b.occupied_bed_days, 0) > 0 AS usable,
       CASE
           WHEN NOT coalesce(v.data_complete, false) THEN 'failed the data-quality gate'
           WHEN v.numerator IS NULL THEN 'not counted: source not received for the month'
           WHEN coalesce(b.occupied_bed_days, 0) = 0 THEN 'no occupied bed days'
       END AS reason
FROM measure_values AS v
JOIN resource_measures AS r USING (measure_id)
LEFT JOIN stg_occupied_bed_days AS b
  ON b.site_id = v.site_id AND b.home_id = v.home_id AND b.month = v.period
WHERE v.level = 'home'
ORDER BY r.resource, v.site_id, v.home_id, v.period
