-- P2.3 % high-risk MUST screens with an action within 7 days (docs/domain.md §2.4):
-- MUST scores of high_risk or more (one per resident and day, from the home's source
-- for the period: observation_source), in the home and period of the screen, counted
-- once their window (the screen's day to window_days after it) has ended by the site's
-- last day of data; numerator: those followed in that window by a dietetic review in
-- the QI log with an action (food_first_plan, ons_started or referred; no_action is
-- none) or by an issue of an oral nutritional supplement (ons_issues: ref_ons_products,
-- by product code or name), for the same resident.
WITH screens AS (
    SELECT m.site_id, m.home_id, s.period, s.source, m.pseudo_id, m.event_date
    FROM observed('must_score') AS m
    JOIN observation_source($period, 'must_score') AS s
      ON s.site_id = m.site_id AND s.home_id = m.home_id AND s.source = m.source
     AND s.period = CAST(date_trunc($period, m.event_date) AS DATE)
    JOIN site_data_end($period) AS d ON d.site_id = m.site_id
    WHERE m.value_num >= $high_risk
      AND m.event_date + CAST($window_days AS INTEGER) <= d.data_end
),
actions AS (
    SELECT site_id, pseudo_id, activity_date AS action_date
    FROM stg_qi_activity
    WHERE activity_type = 'dietetic_review'
      AND outcome IN ('food_first_plan', 'ons_started', 'referred')
      AND pseudo_id IS NOT NULL
    UNION
    SELECT site_id, pseudo_id, issue_date FROM ons_issues()
),
actioned AS (
    SELECT s.site_id, s.home_id, s.period, s.pseudo_id, s.event_date,
           count(a.action_date) > 0 AS actioned
    FROM screens AS s
    LEFT JOIN actions AS a
      ON a.site_id = s.site_id AND a.pseudo_id = s.pseudo_id
     AND a.action_date BETWEEN s.event_date AND s.event_date + CAST($window_days AS INTEGER)
    GROUP BY ALL
),
counts AS (
    SELECT site_id, home_id, period, count(*) FILTER (WHERE actioned) AS actioned,
           count(*) AS screens
    FROM actioned GROUP BY ALL
)
SELECT s.site_id, s.home_id, s.period, coalesce(c.actioned, 0) AS numerator,
       coalesce(c.screens, 0) AS denominator, s.source
FROM observation_source($period, 'must_score') AS s
LEFT JOIN counts AS c USING (site_id, home_id, period)
