"""Every data-quality rule fires on a crafted bad table and passes on good data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from expectations.rules import RuleError, load_rules
from expectations.validate import validate
from warehouse.connection import LANDING_SCHEMA
from warehouse.staging import build, load_reference
from warehouse.tables import STAGED_TABLES

RUN_DATE = dt.date(2024, 3, 8)
# Two sites, one home each, one file per site; every staged table has the columns and
# types declared in warehouse/tables.py.
GOOD = """
INSERT INTO load_log (file_id, path, site_id, source, table_name, rows_in, rows_skipped,
                      status, superseded) VALUES
    (1, 's/carehome/h/observations.csv', 's', 'carehome', 'observations', 9, 0, 'loaded', false),
    (2, 's/carehome/h/residents.csv', 's', 'carehome', 'residents', 5, 0, 'loaded', false),
    (3, 't/carehome/k/residents.csv', 't', 'carehome', 'residents', 5, 0, 'loaded', false);
INSERT INTO stg_person BY NAME SELECT * FROM (VALUES ('s', 'p1'), ('t', 'q1'))
    v(site_id, pseudo_id);
INSERT INTO stg_residence_episode BY NAME SELECT * FROM (VALUES
    ('p1', 'h', 's', DATE '2024-01-01', NULL::DATE), ('q1', 'k', 't', DATE '2024-01-01', NULL))
    v(pseudo_id, home_id, site_id, start_date, end_date);
INSERT INTO stg_occupied_bed_days BY NAME SELECT * FROM (VALUES
    ('s', 'h', DATE '2024-03-01', 7, 1), ('t', 'k', DATE '2024-03-01', 7, 1))
    v(site_id, home_id, month, occupied_bed_days, residents);
INSERT INTO stg_event BY NAME SELECT * FROM (VALUES
    ('s', 'p1', 'emis', 'o1', DATE '2024-03-01', '27113001', 'EMIS', 70.0::DOUBLE, 'h', NULL, NULL),
    ('s', 'p1', 'systmone', 'r1', DATE '2024-03-02', '1912002', 'CTV3', NULL, 'h', NULL, NULL),
    ('s', 'p1', 'carehome', NULL, DATE '2024-03-03', '444297006', 'DSCR', 2.0, 'h', 1, 2),
    ('s', 'p1', 'carehome', NULL, DATE '2024-03-04', '60621009', 'DSCR', 24.0, 'h', 1, 3),
    ('t', 'q1', 'carehome', NULL, DATE '2024-03-04', '27113001', 'DSCR', 60.0, 'k', NULL, NULL))
    v(site_id, pseudo_id, source_system, source_record_id, event_date, concept_id,
      code_system, value_num, home_id, file_id, source_row);
INSERT INTO stg_incident BY NAME SELECT * FROM (VALUES ('s', 'h', 'p1', DATE '2024-03-05'))
    v(site_id, home_id, pseudo_id, incident_date);
INSERT INTO stg_medication_issue BY NAME SELECT * FROM (VALUES
    ('s', 'p1', 'emis', 'i1', DATE '2024-03-01', 'h')) v(site_id, pseudo_id, source_system,
    source_record_id, issue_date, home_id);
INSERT INTO stg_qi_activity BY NAME SELECT * FROM (VALUES ('s', 'h', 'p1', DATE '2024-03-03'))
    v(site_id, home_id, pseudo_id, activity_date);
"""
EVENT = "INSERT INTO stg_event BY NAME SELECT 's' AS site_id, 'emis' AS source_system, "
OBS = "carehome/h/observations.csv"
# check -> (statement spoiling the good data, severity, site, failing rows or units)
SPOIL = {
    "event_person_known": (EVENT + "'p9' AS pseudo_id, 'o9' AS source_record_id, "
                           "DATE '2024-03-06' AS event_date", "ERROR", "s", 1),
    "event_date_present": ("UPDATE stg_event SET event_date = NULL WHERE source_record_id = 'r1'",
                           "WARN", "s", 1),
    "event_date_plausible": ("UPDATE stg_event SET event_date = '2030-01-01' "
                             "WHERE source_record_id = 'r1'", "ERROR", "s", 1),
    "emis_code_mapped": ("UPDATE stg_event SET concept_id = '1912002', code_system = 'EMIS' "
                         "WHERE code_system = 'CTV3'; UPDATE stg_event SET concept_id = NULL "
                         "WHERE source_record_id = 'r1'", "ERROR", "s", 1),
    "ctv3_code_mapped": ("UPDATE stg_event SET concept_id = NULL WHERE code_system = 'CTV3'",
                         "ERROR", "s", 1),
    "event_source_key_unique": (EVENT + "'p1' AS pseudo_id, 'o1' AS source_record_id, "
                                "DATE '2024-03-02' AS event_date", "ERROR", "s", 2),
    "carehome_event_in_stay": ("UPDATE stg_event SET home_id = NULL WHERE value_num = 24",
                               "ERROR", "s", 1),
    "weight_kg_plausible": ("UPDATE stg_event SET value_num = 7000 WHERE value_num = 70",
                            "ERROR", "s", 1),
    "must_score_range": ("UPDATE stg_event SET value_num = 9 WHERE value_num = 2", "ERROR", "s", 1),
    "bmi_plausible": ("UPDATE stg_event SET value_num = 5 WHERE value_num = 24", "ERROR", "s", 1),
    "incident_date_plausible": ("INSERT INTO stg_incident BY NAME SELECT 's' AS site_id, "
                                "'h' AS home_id, 'p1' AS pseudo_id, "
                                "DATE '1850-01-01' AS incident_date", "ERROR", "s", 1),
    "incident_person_known": ("UPDATE stg_incident SET pseudo_id = 'p9'", "ERROR", "s", 1),
    "issue_date_plausible": ("UPDATE stg_medication_issue SET issue_date = '2031-01-01'",
                             "ERROR", "s", 1),
    "issue_source_key_unique": ("INSERT INTO stg_medication_issue SELECT * FROM "
                                "stg_medication_issue", "ERROR", "s", 2),
    "stay_dates_ordered": ("UPDATE stg_residence_episode SET end_date = '2023-12-01' "
                           "WHERE site_id = 's'", "ERROR", "s", 1),
    "qi_activity_date_plausible": ("UPDATE stg_qi_activity SET activity_date = '2030-02-02'",
                                   "ERROR", "s", 1),
    "staged_columns": ("ALTER TABLE stg_event DROP COLUMN unit", "ERROR", None, 1),
    "extract_loaded": ("INSERT INTO load_log (file_id, path, site_id, status, message) VALUES "
                       "(4, 's/emis/x.csv', 's', 'refused', 's/emis/x.csv was not loaded')",
                       "ERROR", "s", 1),
    "nhs_number_valid": ("INSERT INTO quarantine (file_id, source_row, rule) VALUES "
                         "(2, 4, 'nhs_number')", "ERROR", "s", 1),
    "rows_set_aside": ("INSERT INTO quarantine (file_id, source_row, rule) VALUES "
                       "(2, 4, 'unlinked_person')", "ERROR", "s", 1),
    "home_month_observed": ("DELETE FROM stg_event WHERE source_system = 'carehome' "
                            "AND site_id = 's'", "ERROR", "s", 1),
    "home_month_weighed": ("DELETE FROM stg_event WHERE concept_id = '27113001' "
                           "AND site_id = 's'", "WARN", "s", 1),
    "home_month_occupancy": ("DELETE FROM stg_occupied_bed_days WHERE site_id = 's'", "ERROR",
                             "s", 1),
    # the log's newest row is 58 days old (45 allowed): one warning for the site and source,
    # not one per month since (it was an ERROR per month before the extract was chased
    # as one finding)
    "source_fresh": ("UPDATE stg_qi_activity SET activity_date = '2024-01-10', home_id = NULL",
                     "WARN", "s", 1),
}  # fmt: skip


def warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(LANDING_SCHEMA.read_text())
    for t in STAGED_TABLES:
        body = ", ".join(f'"{c}" {kind}' for c, kind in t.columns)
        con.execute(f"CREATE TABLE {t.name} ({body})")
    load_reference(con)
    # the real SQL, on empty raw tables: the table as declared, and the macro
    # extract_period() that the census checks read
    build(con, "stg_occupied_bed_days")
    con.execute(GOOD)
    return con


@pytest.fixture
def con():
    return warehouse()


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
    assert con.sql("SELECT count(*) FROM dq_details").fetchall() == [(0,)]


@pytest.mark.parametrize("check", sorted(SPOIL))
def test_each_rule_fires_on_its_bad_table_and_only_at_that_site(con, check):
    statement, severity, site, count = SPOIL[check]
    con.execute(statement)
    v = validate(con, run_date=RUN_DATE, run_id="bad")
    fired = failing(v)
    assert {(c, s, sev) for c, s, sev, _ in fired} == {(check, site, severity)}
    assert sum(n for *_, n in fired) == count
    assert v.details.height >= 1
    assert all(v.results.filter(v.results["status"] == "fail")["message"].str.len_chars() > 40)


def test_a_share_below_the_error_threshold_only_warns(con):
    # 1 weight in 200 out of range: 0.5% is above warn_above (0) but not error_above (25%).
    con.execute(
        "INSERT INTO stg_event BY NAME SELECT 's' AS site_id, 'p1' AS pseudo_id, "
        "'carehome' AS source_system, DATE '2024-03-01' + i::INT % 7 AS event_date, "
        "'27113001' AS concept_id, 60 + i % 10 AS value_num, 'h' AS home_id "
        "FROM range(199) t(i)"
    )
    con.execute("UPDATE stg_event SET value_num = 700 WHERE value_num = 70")
    v = validate(con, run_date=RUN_DATE, run_id="warn")
    assert failing(v) == [("weight_kg_plausible", "s", "WARN", 1)]
    message = v.results.filter(v.results["status"] == "fail")["message"][0]
    assert message.startswith("1 of 200 rows has a weight outside 25-250 kg. Correct the weight")


def test_messages_name_the_file_and_its_lines(con):
    con.execute(
        "INSERT INTO stg_event BY NAME SELECT 's' AS site_id, 'p1' AS pseudo_id, "
        "'carehome' AS source_system, DATE '2031-05-01' AS event_date, 'h' AS home_id, "
        "1 AS file_id, 10 + i AS source_row FROM range(7) t(i)"
    )
    v = validate(con, run_date=RUN_DATE, run_id="lines")
    (message,) = v.results.filter(v.results["status"] == "fail")["message"]
    assert message.startswith(
        f"7 of 7 rows in s/{OBS} (lines 10, 11, 12, 13, 14 and 2 more) have an event date in "
        "the future or before 1900. Correct the dates"
    )
    detail = v.details.select("path", "failing", "lines").row(0)
    assert detail == (f"s/{OBS}", 7, [10, 11, 12, 13, 14])


def test_a_result_names_a_few_files_and_counts_the_rest(con):
    con.execute(
        "INSERT INTO load_log (file_id, path, site_id, status, superseded) SELECT 100 + i, "
        "format('s/carehome/h/observations_{}.csv', i), 's', 'loaded', false FROM range(5) t(i)"
    )
    con.execute(
        "INSERT INTO stg_event BY NAME SELECT 's' AS site_id, 'p1' AS pseudo_id, "
        "'carehome' AS source_system, DATE '2031-01-01' AS event_date, 'h' AS home_id, "
        "100 + i AS file_id, 5 AS source_row FROM range(5) t(i)"
    )
    v = validate(con, run_date=RUN_DATE, run_id="files")
    (message,) = v.results.filter(v.results["status"] == "fail")["message"]
    assert message.count(".csv (line 5) has an event date") == 3
    assert message.startswith("1 of 1 row in s/carehome/h/observations_0.csv (line 5) has ")
    assert "; and 2 more. Correct the dates" in message


def test_a_reason_given_as_a_sentence_ends_once(con):
    con.execute(
        "INSERT INTO load_log (file_id, path, site_id, status, message) VALUES (4, "
        "'s/hospital/empty.csv', 's', 'refused', 's/hospital/empty.csv was not loaded: it is "
        "empty. Export it again.')"
    )
    v = validate(con, run_date=RUN_DATE, run_id="once")
    (message,) = v.results.filter(pl.col("status") == "fail")["message"]
    assert message.startswith("s/hospital/empty.csv was not loaded: it is empty. Export it "
                              "again. Read the reason given")  # fmt: skip


def test_rows_of_files_the_log_does_not_know_are_one_sentence_not_several(con):
    # five unknown files alike were "1 of 1 rows (line 5) have ...; 1 of 1 rows ..." (the
    # same sentence three times, and 2 more): one sentence, counting every row
    con.execute(
        "INSERT INTO stg_event BY NAME SELECT 's' AS site_id, 'p1' AS pseudo_id, "
        "'carehome' AS source_system, DATE '2031-01-01' AS event_date, 'h' AS home_id, "
        "100 + i AS file_id, 5 AS source_row FROM range(5) t(i)"
    )
    v = validate(con, run_date=RUN_DATE, run_id="files")
    (message,) = v.results.filter(v.results["status"] == "fail")["message"]
    assert message == (
        "5 of 5 rows have an event date in the future or before 1900. Correct the dates in "
        "the source system and export again."
    )


def test_sql_rules_explain_the_unit_that_failed(con):
    con.execute(SPOIL["home_month_observed"][0])
    con.execute(SPOIL["source_fresh"][0])
    v = validate(con, run_date=RUN_DATE, run_id="units")
    messages = dict(
        v.results.filter(pl.col("status") == "fail")
        .select(pl.format("{} {}", "check", pl.col("period").cast(str).fill_null("-")), "message")
        .rows()
    )
    assert messages["home_month_observed 2024-03-01"].startswith(
        "h had 1 resident in March 2024 but no care-home observations"
    )
    assert messages["source_fresh -"].startswith(
        "The newest QI activity log record is dated 10 January 2024, 58 days before this "
        "run; the extract schedule expects one every 45 days at most. Months after it are "
        "not charted until the next extract arrives. Check the extract"
    )


def test_each_late_source_is_one_warning_of_its_own_that_gates_no_month(con):
    v = validate(con, run_date=dt.date(2024, 9, 1), run_id="late")
    late = v.results.filter(pl.col("status") == "fail")
    assert set(late["check"]) == {"source_fresh"}
    assert sorted(late.select("site_id", "table_name", "severity").rows()) == [
        ("s", "extract schedule: carehome", "WARN"),
        ("s", "extract schedule: emis", "WARN"),
        ("s", "extract schedule: qi_log", "WARN"),
        ("s", "extract schedule: systmone", "WARN"),
        ("t", "extract schedule: carehome", "WARN"),
    ]
    assert late["period"].is_null().all()
    assert (late["message"].str.count_matches("The newest") == 1).all()  # one source each
    point = con.sql(
        "SELECT dq_point('s', NULL, DATE '2024-03-01', ['stg_event', 'stg_incident'])"
    ).fetchall()[0][0]
    assert point == {"data_complete": True, "dq_warning": False, "dq_checks": []}


def test_a_warehouse_without_the_staged_model_is_told_to_build_it():
    con = duckdb.connect()
    rules = tuple(r for r in load_rules() if r.check == "home_month_observed")
    with pytest.raises(RuleError, match="build the staged model first"):
        validate(con, run_date=RUN_DATE, rules=rules)


def test_a_malformed_rules_file_names_the_line_and_the_fix(tmp_path: Path):
    rules = (Path(__file__).parents[2] / "expectations/rules.csv").read_text().splitlines()
    bad = tmp_path / "rules.csv"
    bad.write_text("\n".join([rules[0], rules[1].replace(",in_person,", ",in_persons,")]))
    with pytest.raises(RuleError, match=r"rules.csv line 2 \(event_person_known\): kind "):
        load_rules(bad)
    bad.write_text("\n".join([rules[0], rules[1].replace(",0,0,", ",0,2,")]))
    with pytest.raises(RuleError, match="'2' is not a share between 0 and 1"):
        load_rules(bad)
    bad.write_text("\n".join([rules[0], rules[1].replace("event_person_known", "no_such_sql")
                              .replace(",in_person,", ",sql,")]))  # fmt: skip
    with pytest.raises(RuleError, match=r"needs its query in sql/no_such_sql.sql"):
        load_rules(bad)
