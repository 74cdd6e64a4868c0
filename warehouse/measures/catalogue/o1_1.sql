-- O1.1 mean unique medicines per resident (docs/domain.md §2.3): per resident on roll at
-- the period's end, the distinct products issued in the lookback_days to its last day
-- (unique_medicines: hospital medication and issues marked acute left out; EMIS issues
-- carry no repeat flag, so all of them count), summed over the home's residents; out of
-- the residents on roll (a resident with no issue counts as 0 medicines).
WITH counts AS (
    SELECT site_id, home_id, period, sum(medicines) AS medicines, count(*) AS residents
    FROM unique_medicines($period, CAST($lookback_days AS INTEGER))
    GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(c.medicines, 0) AS numerator,
       coalesce(c.residents, 0) AS denominator, 'gp' AS source
FROM home_periods($period) AS h
LEFT JOIN counts AS c USING (site_id, home_id, period)
