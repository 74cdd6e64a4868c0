-- O1.2 % residents on 10 or more unique medicines (docs/domain.md §2.3): residents on
-- roll at the period's end whose O1.1 count (unique_medicines) is at least threshold;
-- out of the residents on roll.
WITH counts AS (
    SELECT site_id, home_id, period,
           count(*) FILTER (WHERE medicines >= $threshold) AS polypharmacy,
           count(*) AS residents
    FROM unique_medicines($period, CAST($lookback_days AS INTEGER))
    GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(c.polypharmacy, 0) AS numerator,
       coalesce(c.residents, 0) AS denominator, 'gp' AS source
FROM home_periods($period) AS h
LEFT JOIN counts AS c USING (site_id, home_id, period)
