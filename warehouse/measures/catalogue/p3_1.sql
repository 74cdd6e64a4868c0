-- P3.1 residents triaged at risk (docs/domain.md §2.5): per home and period, the
-- residents with a QI-log triage_tool row of outcome at_risk dated in the period, in
-- the home that logged it; a resident triaged at risk twice in a period counts once.
WITH flagged AS (
    SELECT site_id, home_id, CAST(date_trunc($period, activity_date) AS DATE) AS period,
           count(DISTINCT pseudo_id) AS residents
    FROM stg_qi_activity
    WHERE activity_type = 'triage_tool' AND outcome = 'at_risk' AND pseudo_id IS NOT NULL
    GROUP BY ALL
)
SELECT h.site_id, h.home_id, h.period, coalesce(f.residents, 0) AS numerator,
       CAST(NULL AS DOUBLE) AS denominator, 'qi_log' AS source
FROM home_periods($period) AS h
LEFT JOIN flagged AS f USING (site_id, home_id, period)
