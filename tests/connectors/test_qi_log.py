"""The QI log's change log and baseline decisions, on hand-made files (docs/extracts.md §6)."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors import parse_file
from connectors.base import Context
from connectors.reading import FileRefusedError
from connectors.schemas import BASELINES, CHANGE_LOG, INCIDENTS, INTERVENTION_COSTS
from tests.connectors.test_connectors import csv, fates

CTX = Context(site_id="site_a", key=b"test-key")
HOMES = ("1-100000001", "1-100000002")


def idea(change_id, **values):
    return {"change_id": change_id, "title": "Falls huddle", "homes": "all",
            "measures": "S1", "start_date": "01/10/2023", "cycle": "PDSA 1",
            "owner": "Home manager", **values}  # fmt: skip


def decision(**values):
    return {"measure": "S1", "home": "", "action": "freeze", "date": "30/09/2023",
            "decided_by": "Home manager", "decided_on": "05/10/2023",
            "reason": "12 months of baseline", **values}  # fmt: skip


def test_change_ideas_load_with_their_homes_and_measures_as_lists(tmp_path):
    rows = [
        idea("CI-01", measures="S1;S2"),
        idea("CI-02", homes=f"{HOMES[0]}; {HOMES[1]};", measures="P2.1;"),
        idea("CI-03", homes="ALL", measures="O1.2; O1.2", cycle="", owner=""),
    ]
    p = parse_file(csv(tmp_path, "change_log.csv", CHANGE_LOG, rows), CTX)
    assert (p.file.spec.source, p.file.spec.table, p.table) == (
        "qi_log", "change_log", "raw_qi_change_idea"
    )  # fmt: skip
    assert fates(p) == {"loaded": 3, "quarantined": {}, "skipped": {}}
    got = p.rows.select("change_id", "home_ids", "measure_ids", "start_date", "cycle", "owner")
    assert got.rows() == [
        ("CI-01", None, ["S1", "S2"], dt.date(2023, 10, 1), "PDSA 1", "Home manager"),
        ("CI-02", list(HOMES), ["P2.1"], dt.date(2023, 10, 1), "PDSA 1", "Home manager"),
        ("CI-03", None, ["O1.2"], dt.date(2023, 10, 1), None, None),
    ]


def test_a_header_only_change_log_is_valid(tmp_path):
    p = parse_file(csv(tmp_path, "change_log.csv", CHANGE_LOG, []), CTX)
    assert fates(p) == {"loaded": 0, "quarantined": {}, "skipped": {}}
    assert p.file.spec.table == "change_log"


def test_bad_change_ideas_are_quarantined_with_a_reason(tmp_path):
    rows = [
        idea("CI-01"),
        idea("CI-02", start_date="31/02/2024"),
        idea("CI-03", start_date="2023-13-01"),
        idea("CI-04", homes="Elm House"),
        idea("CI-05", homes=f"all;{HOMES[0]}"),
        idea("CI-06", measures="S1 S2"),
        idea("CI-07", measures=";"),
        idea("CI-08", title=""),
        idea("CI-01", title="Falls huddle again"),  # the id of an earlier row
    ]
    p = parse_file(csv(tmp_path, "change_log.csv", CHANGE_LOG, rows), CTX)
    assert p.rows["change_id"].to_list() == ["CI-01"]
    q = p.quarantine.select("source_row", "column", "raw_value", "rule").rows()
    assert q == [
        (3, "start_date", "31/02/2024", "date"),
        (4, "start_date", "2023-13-01", "date"),
        (5, "homes", "Elm House", "home_id"),
        (6, "homes", f"all;{HOMES[0]}", "home_id"),
        (7, "measures", "S1 S2", "measure_id"),
        (8, "measures", ";", "measure_id"),
        (9, "title", None, "required"),
        (10, "change_id", "CI-01", "duplicate_key"),
    ]
    messages = dict(zip(p.quarantine["source_row"], p.quarantine["message"], strict=True))
    assert messages[5].startswith(
        "homes holds 'Elm House', which is not a CQC location id (1- and digits"
    )
    assert messages[7].startswith("measures holds 'S1 S2', which is not a measure id")
    assert messages[3] == (
        "start_date is not a date in a known day-first layout. Correct it in the source "
        "system and export the file again."
    )
    assert messages[10].startswith(
        "change_id is the same as on an earlier row of this file, which was loaded instead"
    )


def test_the_first_good_row_of_a_repeated_change_id_loads(tmp_path):
    rows = [idea("CI-01", start_date="31/02/2024"), idea("CI-01", title="Huddles")]
    p = parse_file(csv(tmp_path, "change_log.csv", CHANGE_LOG, rows), CTX)
    assert p.rows.select("change_id", "title").rows() == [("CI-01", "Huddles")]
    assert p.quarantine.select("source_row", "rule").rows() == [(2, "date")]


def test_a_change_log_lacking_a_column_is_refused_naming_it(tmp_path):
    columns = [c for c in CHANGE_LOG if c != "start_date"]
    with pytest.raises(FileRefusedError, match=r"qi_log/change_log v1 but lacks the required "
                       r"column\(s\) 'start_date'"):  # fmt: skip
        parse_file(csv(tmp_path, "change_log.csv", columns, [idea("CI-01")]), CTX)
    columns = [c for c in CHANGE_LOG if c != "owner"]
    with pytest.raises(FileRefusedError, match="lacks the column 'owner', which Measure for"):
        parse_file(csv(tmp_path, "change_log.csv", columns, [idea("CI-01")]), CTX)


def test_baseline_decisions_load_and_bad_ones_are_quarantined(tmp_path):
    rows = [
        decision(),
        decision(home="all", action="Rebase", date="01/04/2024", reason=""),
        decision(home=HOMES[0], measure="P2.1"),
        decision(action="thaw"),
        decision(action=""),
        decision(date="30/09/23"),
        decision(decided_on="45352"),
        decision(home="Elm House"),
        decision(measure="S1;S2"),
        decision(decided_by="HM"),  # the same decision as the first row, reworded
    ]
    p = parse_file(csv(tmp_path, "baselines.csv", BASELINES, rows), CTX)
    assert (p.file.spec.table, p.table) == ("baselines", "raw_qi_baseline")
    got = p.rows.select(
        "measure_id", "home_ids", "action", "effective_date", "decided_by", "decided_on", "reason"
    )
    assert got.rows() == [
        ("S1", None, "freeze", dt.date(2023, 9, 30), "Home manager", dt.date(2023, 10, 5),
         "12 months of baseline"),
        ("S1", None, "rebase", dt.date(2024, 4, 1), "Home manager", dt.date(2023, 10, 5), None),
        ("P2.1", [HOMES[0]], "freeze", dt.date(2023, 9, 30), "Home manager",
         dt.date(2023, 10, 5), "12 months of baseline"),
    ]  # fmt: skip
    q = p.quarantine.select("source_row", "column", "raw_value", "rule").rows()
    assert q == [
        (5, "action", "thaw", "allowed_values"),
        (6, "action", None, "required"),
        (7, "date", "30/09/23", "date"),
        (8, "decided_on", "45352", "date"),
        (9, "home", "Elm House", "home_id"),
        (10, "measure", "S1;S2", "measure_id"),
        (11, "measure", "S1", "duplicate_key"),
    ]
    messages = dict(zip(p.quarantine["source_row"], p.quarantine["message"], strict=True))
    assert messages[5] == "action must be one of: freeze, rebase."
    assert messages[7].startswith("date has a year of fewer than four digits")
    assert messages[8].startswith("decided_on looks like an Excel serial number, not a date")
    assert messages[10].startswith("measure holds more than one measure id of the catalogue")


def test_a_baselines_file_lacking_a_column_is_refused(tmp_path):
    columns = [c for c in BASELINES if c != "action"]
    with pytest.raises(FileRefusedError, match=r"qi_log/baselines v1 but lacks the required "
                       r"column\(s\) 'action'"):  # fmt: skip
        parse_file(csv(tmp_path, "baselines.csv", columns, [decision()]), CTX)


def test_a_harm_level_of_none_is_a_value_not_a_missing_one(tmp_path):
    rows = [
        {"resident_local_id": "R1", "incident_datetime": f"02/03/2024 0{i}:00",
         "incident_type": "fall", "harm_level": harm}
        for i, harm in enumerate(["none", "None", " NONE ", "", "low"])
    ]  # fmt: skip
    ctx = Context(site_id="site_a", key=b"test-key", home_id="1-100000001")
    p = parse_file(csv(tmp_path, "incidents.csv", INCIDENTS, rows), ctx)
    assert p.rows["harm_level"].to_list() == ["none", "none", "none", None, "low"]


def cost(item="Care home pharmacist sessions", **values):
    return {"item": item, "category": "staff", "role": "pharmacist", "band": "7",
            "hours": "24", "cost_gbp": "", "from_date": "01/04/2024", "to_date": "30/06/2024",
            "note": "", **values}  # fmt: skip


def test_intervention_costs_load_with_hours_and_pounds(tmp_path):
    rows = [
        cost(),
        cost("MDT GP time", role="GP", band="", hours="7.5 hours"),
        cost("Backfill for huddles", category="Backfill", role="care_worker", band="",
             hours="12", note='"two carers, 30 minutes a week"'),
        cost("QI coach", category="coaching", role="other", band="", hours="20",
             cost_gbp='"£1,200.50"'),
        cost("Falls training", category="training", role="", band="", hours="",
             cost_gbp="450", from_date="15/05/2024", to_date="15/05/2024"),
        cost("Dietitian", role="Dietitian", band="Band 6", hours="3"),
        cost("Nurse lead", role="nurse", band="6", hours="10", cost_gbp="620 GBP"),
    ]  # fmt: skip
    p = parse_file(csv(tmp_path, "intervention_costs.csv", INTERVENTION_COSTS, rows), CTX)
    assert (p.file.spec.source, p.file.spec.table, p.table) == (
        "qi_log", "intervention_costs", "raw_qi_intervention_cost"
    )  # fmt: skip
    assert fates(p) == {"loaded": 7, "quarantined": {}, "skipped": {}}
    got = p.rows.select(
        "item", "category", "role", "band", "hours", "cost_gbp", "from_date", "to_date", "note"
    )
    april, june = dt.date(2024, 4, 1), dt.date(2024, 6, 30)
    may = dt.date(2024, 5, 15)
    assert got.rows() == [
        ("Care home pharmacist sessions", "staff", "pharmacist", "7", 24.0, None, april, june,
         None),
        ("MDT GP time", "staff", "gp", None, 7.5, None, april, june, None),
        ("Backfill for huddles", "backfill", "care_worker", None, 12.0, None, april, june,
         "two carers, 30 minutes a week"),
        ("QI coach", "coaching", "other", None, 20.0, 1200.5, april, june, None),
        ("Falls training", "training", None, None, None, 450.0, may, may, None),
        ("Dietitian", "staff", "dietitian", "6", 3.0, None, april, june, None),
        # a band with no unit cost loads when the site knows the row's cost
        ("Nurse lead", "staff", "nurse", "6", 10.0, 620.0, april, june, None),
    ]  # fmt: skip


def test_bad_intervention_costs_are_quarantined_saying_how_to_fix_them(tmp_path):
    rows = [
        cost(),
        cost(hours=""),  # a staff row with no hours (and no cost)
        cost(hours="-3"),
        cost(hours="2 days"),
        cost(role="physio"),
        cost(role=""),
        cost(role="other", band=""),  # no hourly rate, and no cost_gbp
        cost(band="5"),  # a pharmacist band with no unit cost
        cost(band=""),
        cost(role="gp", band="7"),
        cost(band="12"),
        cost(to_date="31/03/2024"),  # before from_date
        cost(from_date="31/04/2024"),
        cost(category="catering"),
        cost(category="materials", role="", band="", hours=""),  # no cost_gbp
        cost(category="travel", role="", band="", hours="", cost_gbp="-40"),
        cost(item=""),
        cost(),  # an exact repeat of the first row
    ]
    p = parse_file(csv(tmp_path, "intervention_costs.csv", INTERVENTION_COSTS, rows), CTX)
    assert p.rows["source_row"].to_list() == [2]
    assert p.skip_reasons == {"duplicate": 1}
    q = p.quarantine.select("source_row", "column", "raw_value", "rule").rows()
    assert q == [
        (3, "hours", None, "hours"),
        (4, "hours", "-3", "hours"),
        (5, "hours", "2 days", "hours"),
        (6, "role", "physio", "role"),
        (7, "role", None, "role"),
        (8, "role", "other", "role"),
        (9, "band", "5", "band"),
        (10, "band", None, "band"),
        (11, "band", "7", "band"),
        (12, "band", "12", "band"),
        (13, "to_date", "31/03/2024", "date"),
        (14, "from_date", "31/04/2024", "date"),
        (15, "category", "catering", "allowed_values"),
        (16, "cost_gbp", None, "cost"),
        (17, "cost_gbp", "-40", "cost"),
        (18, "item", None, "required"),
    ]
    messages = dict(zip(p.quarantine["source_row"], p.quarantine["message"], strict=True))
    fix = ". Correct it in the source system and export the file again."
    assert messages[3] == (
        "hours is empty, but a staff row needs the hours given (or, if its cost is known, "
        "cost_gbp)" + fix
    )
    assert messages[4] == "hours is negative: give 0 or more" + fix
    assert messages[5] == "hours is in days: write the number alone" + fix
    assert messages[6] == (
        "role must be one of: pharmacist, dietitian, nurse, gp, care_worker, other" + fix
    )
    assert messages[7].startswith("role is empty, but a staff row needs the role of whoever")
    assert messages[8] == (
        "role is other, which has no hourly unit cost: give the row's cost in cost_gbp" + fix
    )
    assert messages[9] == (
        "band 5 has no hourly unit cost for a pharmacist: give 6, 7 or 8a, or the row's "
        "cost in cost_gbp" + fix
    )
    assert messages[10] == (
        "band is empty, but a pharmacist's hourly cost depends on the band: give 6, 7 or 8a" + fix
    )
    assert messages[11].startswith("band is given for a gp, but only pharmacist, dietitian")
    assert messages[12].startswith("band is not an Agenda for Change band")
    assert messages[13] == (
        "to_date is before from_date: a period ends on or after its first day (swap them?)" + fix
    )
    assert messages[15] == (
        "category must be one of: staff, backfill, coaching, training, materials, travel, data."
    )
    assert messages[16] == "cost_gbp is empty, but a materials row needs its cost in pounds" + fix
    assert messages[18] == "item is empty, but every row needs one. Fill it in."


def test_an_intervention_costs_file_lacking_a_column_is_refused(tmp_path):
    columns = [c for c in INTERVENTION_COSTS if c != "hours"]
    with pytest.raises(FileRefusedError, match="lacks the column 'hours', which Measure for"):
        parse_file(csv(tmp_path, "intervention_costs.csv", columns, [cost()]), CTX)
