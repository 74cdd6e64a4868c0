"""Every data-quality rule fires on a crafted bad table and passes on good data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from expectations.rules import RuleError, load_rules
from expectations.validate import validate

RUN_DATE = dt.date(2024, 6, 30)
GOOD = """
CREATE TABLE stg_person AS SELECT * FROM (VALUES ('s', 'p1'), ('t', 'q1')) v(site_id, pseudo_id);
CREATE TABLE stg_residence_episode AS SELECT * FROM (VALUES
    ('p1', 'h', 's', DATE '2024-01-01', NULL::DATE), ('q1', 'k', 't', DATE '2024-01-01', NULL))
    v(pseudo_id, home_id, site_id, start_date, end_date);
CREATE TABLE stg_event AS SELECT * FROM (VALUES
    ('s', 'p1', 'emis', 'o1', DATE '2024-03-01', '27113001', 'EMIS', 70.0::DOUBLE, 'h'),
    ('s', 'p1', 'systmone', 'r1', DATE '2024-03-02', '1912002', 'CTV3', NULL, 'h'),
    ('s', 'p1', 'carehome', NULL, DATE '2024-03-03', '444297006', 'DSCR', 2.0, 'h'),
    ('s', 'p1', 'carehome', NULL, DATE '2024-03-04', '60621009', 'DSCR', 24.0, 'h'),
    ('t', 'q1', 'carehome', NULL, DATE '2024-03-04', '27113001', 'DSCR', 60.0, 'k'))
    v(site_id, pseudo_id, source_system, source_record_id, event_date, concept_id,
      code_system, value_num, home_id);
CREATE TABLE stg_incident AS SELECT * FROM (VALUES ('s', 'h', 'p1', DATE '2024-03-05'))
    v(site_id, home_id, pseudo_id, incident_date);
CREATE TABLE stg_medication_issue AS SELECT * FROM (VALUES
    ('s', 'p1', 'emis', 'i1', DATE '2024-03-01', 'h')) v(site_id, pseudo_id, source_system,
    source_record_id, issue_date, home_id);
CREATE TABLE stg_qi_activity AS SELECT * FROM (VALUES ('s', 'h', 'p1', DATE '2024-03-03'))
    v(site_id, home_id, pseudo_id, activity_date);
"""
EVENT = "INSERT INTO stg_event VALUES "
# check -> (statement spoiling the good data, severity the spoiled site-month reaches)
SPOIL = {
    "event_person_known": (EVENT + "('s', 'p9', 'emis', 'o9', '2024-03-09', '1912002', "
                           "'EMIS', NULL, NULL)", "ERROR"),
    "event_date_present": ("UPDATE stg_event SET event_date = NULL WHERE source_record_id = 'o1'",
                           "ERROR"),
    "event_date_plausible": ("UPDATE stg_event SET event_date = '2030-01-01' "
                             "WHERE source_record_id = 'r1'", "ERROR"),
    "emis_code_mapped": ("UPDATE stg_event SET concept_id = NULL WHERE code_system = 'EMIS'",
                         "ERROR"),
    "ctv3_code_mapped": ("UPDATE stg_event SET concept_id = NULL WHERE code_system = 'CTV3'",
                         "ERROR"),
    "event_source_key_unique": (EVENT + "('s', 'p1', 'systmone', 'r1', '2024-03-02', "
                                "'1912002', 'CTV3', NULL, 'h')", "ERROR"),
    "carehome_event_in_stay": ("UPDATE stg_event SET home_id = NULL WHERE value_num = 24",
                               "ERROR"),
    "weight_kg_plausible": ("UPDATE stg_event SET value_num = 7000 WHERE value_num = 70",
                            "ERROR"),
    "must_score_range": ("UPDATE stg_event SET value_num = 9 WHERE value_num = 2", "ERROR"),
    "bmi_plausible": ("UPDATE stg_event SET value_num = 5 WHERE value_num = 24", "ERROR"),
    "incident_date_plausible": ("UPDATE stg_incident SET incident_date = '1850-01-01'", "ERROR"),
    "incident_person_known": ("UPDATE stg_incident SET pseudo_id = 'p9'", "ERROR"),
    "issue_date_plausible": ("UPDATE stg_medication_issue SET issue_date = '2031-01-01'",
                             "ERROR"),
    "issue_source_key_unique": ("INSERT INTO stg_medication_issue SELECT * FROM "
                                "stg_medication_issue", "ERROR"),
    "stay_dates_ordered": ("UPDATE stg_residence_episode SET end_date = '2023-12-01' "
                           "WHERE site_id = 's'", "ERROR"),
    "qi_activity_date_plausible": ("UPDATE stg_qi_activity SET activity_date = '2030-02-02'",
                                   "ERROR"),
}  # fmt: skip


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(GOOD)
    return con


def failing(validation):
    return (
        validation.results.filter(validation.results["status"] == "fail")
        .select("check", "site_id", "severity", "failing")
        .rows()
    )


def test_every_rule_has_a_crafted_bad_table():
    assert {r.check for r in load_rules()} == set(SPOIL)


def test_good_data_passes_every_rule(con):
    v = validate(con, run_date=RUN_DATE, run_id="good")
    assert failing(v) == []
    assert set(v.results["check"]) == set(SPOIL)
    assert con.sql("SELECT count(*), min(run_id) FROM dq_results").fetchall() == [
        (v.results.height, "good")
    ]


@pytest.mark.parametrize("check", sorted(SPOIL))
def test_each_rule_fires_on_its_bad_table_and_only_at_that_site(con, check):
    statement, severity = SPOIL[check]
    con.execute(statement)
    v = validate(con, run_date=RUN_DATE, run_id="bad")
    fired = failing(v)
    assert {(c, s, sev) for c, s, sev, _ in fired} == {(check, "s", severity)}
    assert sum(n for *_, n in fired) == (2 if check.endswith("_unique") else 1)


def test_a_share_below_the_error_threshold_only_warns(con):
    # 1 weight in 200 out of range: 0.5% is above warn_above (0) but not error_above (5%).
    con.execute(
        "INSERT INTO stg_event SELECT 's', 'p1', 'carehome', NULL, "
        "DATE '2024-03-01' + i::INT % 28, '27113001', 'DSCR', 60 + i % 10, 'h' "
        "FROM range(199) t(i)"
    )
    con.execute("UPDATE stg_event SET value_num = 700 WHERE value_num = 70")
    v = validate(con, run_date=RUN_DATE, run_id="warn")
    assert failing(v) == [("weight_kg_plausible", "s", "WARN", 1)]
    message = v.results.filter(v.results["status"] == "fail")["message"][0]
    assert message.startswith("1 of 200 rows (0.5%) fail weight_kg_plausible.")
    assert "record it in kg" in message


def test_a_malformed_rules_file_names_the_line_and_the_fix(tmp_path: Path):
    rules = (Path(__file__).parents[2] / "expectations/rules.csv").read_text().splitlines()
    bad = tmp_path / "rules.csv"
    bad.write_text("\n".join([rules[0], rules[1].replace(",in_person,", ",in_persons,")]))
    with pytest.raises(RuleError, match=r"rules.csv line 2 \(event_person_known\): kind "):
        load_rules(bad)
    bad.write_text("\n".join([rules[0], rules[1].replace(",0,0,", ",0,2,")]))
    with pytest.raises(RuleError, match="'2' is not a share between 0 and 1"):
        load_rules(bad)
