"""The change log, baseline decisions and intervention costs, landed and staged (§6)."""

from __future__ import annotations

import datetime as dt

from connectors.schemas import BASELINES, CHANGE_LOG, INTERVENTION_COSTS
from tests.warehouse.test_landing import csv
from warehouse.landing import ingest
from warehouse.staging import build_all
from warehouse.tables import table

HOMES = ("1-100000001", "1-100000002")
HUDDLE = {"change_id": "CI-01", "title": "Falls huddle after every fall", "homes": "all",
          "measures": "S1;S2", "start_date": "01/10/2023", "cycle": "PDSA 1",
          "owner": "Home manager"}  # fmt: skip
MUST = {"change_id": "CI-02", "title": "MUST at every weigh", "homes": HOMES[0],
        "measures": "P2.1", "start_date": "15/10/2023", "cycle": "PDSA 1",
        "owner": "Dietitian"}  # fmt: skip
FREEZE = {"measure": "S1", "home": "", "action": "freeze", "date": "30/09/2023",
          "decided_by": "Home manager", "decided_on": "05/10/2023",
          "reason": "twelve months of baseline"}  # fmt: skip


def staged(tmp_path, open_warehouse):
    con = open_warehouse(tmp_path / "w.duckdb")
    results = ingest(tmp_path / "inbox", con, key=b"k")
    build_all(con)
    return con, {r.file.split("/")[-1]: r for r in results}


def test_a_re_sent_change_log_counts_each_change_idea_once(tmp_path, open_warehouse):
    qi = tmp_path / "inbox/site_a/qi_log"
    csv(qi / "change_log_2023-10.csv", CHANGE_LOG, [HUDDLE, MUST])
    # November's log repeats October's, with CI-02 spread to both homes and CI-03 added
    csv(qi / "change_log_2023-11.csv", CHANGE_LOG, [
        HUDDLE,
        {**MUST, "homes": ";".join(HOMES), "cycle": "PDSA 2"},
        {**MUST, "change_id": "CI-03", "title": "Medicines review at admission",
         "measures": "P1.4", "start_date": "06/11/2023"},
    ])  # fmt: skip
    con, results = staged(tmp_path, open_warehouse)
    assert [(r.status, r.rows_loaded) for r in results.values()] == [("loaded", 2), ("loaded", 3)]
    rows = con.sql(
        "SELECT change_id, home_id, measure_id, start_date, cycle FROM stg_change_idea "
        "ORDER BY change_id, home_id NULLS FIRST, measure_id"
    ).fetchall()
    assert rows == [
        ("CI-01", None, "S1", dt.date(2023, 10, 1), "PDSA 1"),  # homes = all: every home
        ("CI-01", None, "S2", dt.date(2023, 10, 1), "PDSA 1"),  # S1;S2: a row each
        ("CI-02", HOMES[0], "P2.1", dt.date(2023, 10, 15), "PDSA 2"),
        ("CI-02", HOMES[1], "P2.1", dt.date(2023, 10, 15), "PDSA 2"),
        ("CI-03", HOMES[0], "P1.4", dt.date(2023, 11, 6), "PDSA 1"),
    ]
    (later,) = con.sql(
        "SELECT file_id FROM load_log WHERE path LIKE '%change_log_2023-11.csv'"
    ).fetchall()[0]
    assert con.sql("SELECT DISTINCT file_id FROM stg_change_idea").fetchall() == [(later,)]
    described = con.sql("SELECT column_name FROM (DESCRIBE stg_change_idea)").fetchall()
    assert [c for (c,) in described] == [c for c, _ in table("stg_change_idea").columns]


def test_a_re_sent_baseline_decision_counts_once(tmp_path, open_warehouse):
    qi = tmp_path / "inbox/site_a/qi_log"
    csv(qi / "baselines_2023-10.csv", BASELINES, [FREEZE])
    csv(qi / "baselines_2024-04.csv", BASELINES, [
        {**FREEZE, "home": "all", "decided_by": "JB"},  # the same decision, all homes named
        {**FREEZE, "home": HOMES[1], "action": "rebase", "date": "01/04/2024",
         "decided_on": "02/05/2024", "reason": "new falls policy in place"},
    ])  # fmt: skip
    con, results = staged(tmp_path, open_warehouse)
    assert {r.status for r in results.values()} == {"loaded"}
    rows = con.sql(
        "SELECT measure_id, home_id, action, effective_date, decided_by, decided_on, reason "
        "FROM stg_baseline_decision ORDER BY effective_date"
    ).fetchall()
    assert rows == [
        ("S1", None, "freeze", dt.date(2023, 9, 30), "JB", dt.date(2023, 10, 5),
         "twelve months of baseline"),
        ("S1", HOMES[1], "rebase", dt.date(2024, 4, 1), "Home manager", dt.date(2024, 5, 2),
         "new falls policy in place"),
    ]  # fmt: skip


def test_bad_rows_are_quarantined_and_a_file_lacking_a_column_is_refused(tmp_path, open_warehouse):
    qi = tmp_path / "inbox/site_a/qi_log"
    csv(qi / "change_log.csv", CHANGE_LOG, [HUDDLE, {**MUST, "start_date": "31/09/2023"}])
    csv(qi / "baselines.csv", BASELINES, [FREEZE, {**FREEZE, "action": "unfreeze"}])
    csv(qi / "baselines_old.csv", [c for c in BASELINES if c != "decided_on"], [FREEZE])
    con, results = staged(tmp_path, open_warehouse)
    for name in ("change_log.csv", "baselines.csv"):
        assert (results[name].rows_loaded, results[name].rows_quarantined) == (1, 1)
    refused = results["baselines_old.csv"]
    assert refused.status == "refused"
    assert "lacks the required column(s) 'decided_on'" in refused.message
    quarantine = con.sql(
        'SELECT path, source_row, "column", raw_value, rule, message FROM quarantine ORDER BY path'
    ).fetchall()
    assert quarantine == [
        ("site_a/qi_log/baselines.csv", 3, "action", "unfreeze", "allowed_values",
         "action must be one of: freeze, rebase."),
        ("site_a/qi_log/change_log.csv", 3, "start_date", "31/09/2023", "date",
         "start_date is not a date in a known day-first layout. Correct it in the source "
         "system and export the file again."),
    ]  # fmt: skip
    assert con.sql("SELECT count(*) FROM stg_change_idea").fetchall() == [(2,)]
    assert con.sql("SELECT count(*) FROM stg_baseline_decision").fetchall() == [(1,)]


def test_a_change_log_outside_the_qi_log_folder_is_refused_with_where_it_goes(
    tmp_path, open_warehouse
):
    csv(tmp_path / "inbox/site_a/hospital/change_log.csv", CHANGE_LOG, [HUDDLE])
    _, results = staged(tmp_path, open_warehouse)
    refused = results["change_log.csv"]
    assert refused.status == "refused"
    assert "put it in inbox/site_a/qi_log/" in refused.message


PHARMACIST = {"item": "Care home pharmacist sessions", "category": "staff",
              "role": "pharmacist", "band": "7", "hours": "24", "from_date": "01/04/2024",
              "to_date": "30/06/2024"}  # fmt: skip
TRAINING = {"item": "Falls training", "category": "training", "cost_gbp": "450",
            "from_date": "15/05/2024", "to_date": "15/05/2024",
            "note": "trainer's fee"}  # fmt: skip


def test_a_re_sent_costs_file_counts_each_cost_line_once(tmp_path, open_warehouse):
    qi = tmp_path / "inbox/site_a/qi_log"
    csv(qi / "intervention_costs_2024-06.csv", INTERVENTION_COSTS, [PHARMACIST, TRAINING])
    # July's file repeats June's (the training's note reworded) and adds July's sessions
    csv(qi / "intervention_costs_2024-07.csv", INTERVENTION_COSTS, [
        PHARMACIST,
        {**TRAINING, "note": "fee and venue"},
        {**PHARMACIST, "hours": "8", "from_date": "01/07/2024", "to_date": "31/07/2024"},
    ])  # fmt: skip
    csv(tmp_path / "inbox/site_b/qi_log/intervention_costs.csv", INTERVENTION_COSTS, [
        TRAINING, {**PHARMACIST, "band": "5"}, {**TRAINING, "to_date": "14/05/2024"},
    ])  # fmt: skip
    con, results = staged(tmp_path, open_warehouse)
    assert [(r.status, r.rows_loaded, r.rows_quarantined) for r in results.values()] == [
        ("loaded", 2, 0), ("loaded", 3, 0), ("loaded", 1, 2),
    ]  # fmt: skip
    rows = con.sql(
        "SELECT site_id, item, category, role, band, hours, cost_gbp, from_date, to_date, note "
        "FROM stg_intervention_cost ORDER BY site_id, from_date, item"
    ).fetchall()
    april, june = dt.date(2024, 4, 1), dt.date(2024, 6, 30)
    may = dt.date(2024, 5, 15)
    assert rows == [
        ("site_a", "Care home pharmacist sessions", "staff", "pharmacist", "7", 24.0, None,
         april, june, None),
        ("site_a", "Falls training", "training", None, None, None, 450.0, may, may,
         "fee and venue"),
        ("site_a", "Care home pharmacist sessions", "staff", "pharmacist", "7", 8.0, None,
         dt.date(2024, 7, 1), dt.date(2024, 7, 31), None),
        ("site_b", "Falls training", "training", None, None, None, 450.0, may, may,
         "trainer's fee"),
    ]  # fmt: skip
    quarantine = con.sql(
        'SELECT path, source_row, "column", raw_value, rule, message FROM quarantine '
        "ORDER BY source_row"
    ).fetchall()
    assert quarantine == [
        ("site_b/qi_log/intervention_costs.csv", 3, "band", "5", "band",
         "band 5 has no hourly unit cost for a pharmacist: give 6, 7 or 8a, or the row's cost "
         "in cost_gbp. Correct it in the source system and export the file again."),
        ("site_b/qi_log/intervention_costs.csv", 4, "to_date", "14/05/2024", "date",
         "to_date is before from_date: a period ends on or after its first day (swap them?). "
         "Correct it in the source system and export the file again."),
    ]  # fmt: skip
    described = con.sql("SELECT column_name FROM (DESCRIBE stg_intervention_cost)").fetchall()
    assert [c for (c,) in described] == [c for c, _ in table("stg_intervention_cost").columns]


def test_the_tables_have_no_month_and_show_no_freshness():
    for name in ("stg_change_idea", "stg_baseline_decision", "stg_intervention_cost"):
        t = table(name)
        assert (t.period, t.source, t.fresh) == (None, "qi_log", False)
