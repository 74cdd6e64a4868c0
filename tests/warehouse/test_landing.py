"""Landing files in DuckDB: every row accounted for, idempotent, replaceable, private."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from connectors.schemas import EMIS_OBSERVATION, EMIS_PATIENT, OBSERVATIONS, RESIDENTS
from warehouse.landing import ingest

NHS = ["9990000018", "9990000026", "9990000034"]


def csv(path, columns, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(columns)] + [",".join(r.get(c, "") for c in columns) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def inbox(tmp_path):
    root = tmp_path / "inbox"
    patient = {"DateOfBirth": "1940-02-11", "Sex": "F", "Deleted": "false"}
    csv(root / "site_a/emis/1_Admin_Patient_20240731_x.csv", EMIS_PATIENT, [
        {**patient, "PatientGuid": "g1", "NhsNumber": NHS[0]},
        {**patient, "PatientGuid": "g2", "NhsNumber": "9990000019"},  # fails modulus 11
        {**patient, "PatientGuid": "g3", "NhsNumber": NHS[1], "DummyType": "1"},
    ])  # fmt: skip
    obs = {"EffectiveDate": "2024-03-01", "CodeId": "c1", "Value": "70", "Deleted": "false"}
    csv(root / "site_a/emis/1_CareRecord_Observation_20240731_x.csv", EMIS_OBSERVATION, [
        {**obs, "ObservationGuid": "o1", "PatientGuid": "g1"},
        {**obs, "ObservationGuid": "o2", "PatientGuid": "g3"},  # a test patient's event
        {**obs, "ObservationGuid": "o3", "PatientGuid": "g9"},  # nobody we know
    ])  # fmt: skip
    home = root / "site_a/carehome/1-100000001"
    csv(home / "residents.csv", RESIDENTS, [
        {"home_id": "1-100000001", "resident_local_id": "R1", "nhs_number": NHS[2],
         "date_of_birth": "01/05/1935", "sex": "M", "admission_date": "01/01/2023",
         "admission_type": "permanent"},
    ])  # fmt: skip
    csv(home / "observations.csv", OBSERVATIONS, [
        {"resident_local_id": "R1", "obs_datetime": "01/03/2024", "obs_type": "weight_kg",
         "value": "64.2 kg"},
        {"resident_local_id": "R7", "obs_datetime": "01/03/2024", "obs_type": "weight_kg",
         "value": "60"},
    ])  # fmt: skip
    (root / "site_a/emis/notes.csv").write_text("colour,shape\nred,round\n")
    return root


def test_every_row_lands_in_exactly_one_place(inbox, tmp_path, open_warehouse):
    con = open_warehouse(tmp_path / "w.duckdb")
    results = {r.file.split("/")[-1]: r for r in ingest(inbox, con, key=b"k")}
    for r in results.values():
        assert r.rows_in == r.rows_loaded + r.rows_quarantined + r.rows_skipped
    pat = results["1_Admin_Patient_20240731_x.csv"]
    assert (pat.rows_loaded, pat.rows_quarantined, pat.skip_reasons) == (1, 1, {"test patient": 1})
    obs = results["1_CareRecord_Observation_20240731_x.csv"]
    assert (obs.rows_loaded, obs.rows_quarantined, obs.skip_reasons) == (1, 1, {"test patient": 1})
    assert results["observations.csv"].rows_quarantined == 1
    refused = results["notes.csv"]
    assert refused.status == "refused"
    assert "matches no known extract" in refused.message
    rules = dict(con.sql("SELECT rule, count(*) FROM quarantine GROUP BY rule").fetchall())
    assert rules == {"nhs_number": 1, "unlinked_person": 2}
    logged = con.sql("SELECT sum(rows_in), sum(rows_loaded + rows_quarantined + rows_skipped) "
                     "FROM load_log").fetchall()[0]  # fmt: skip
    assert logged[0] == logged[1] == 3 + 3 + 1 + 2


def test_loading_again_changes_nothing_and_a_corrected_file_replaces_its_rows(
    inbox, tmp_path, open_warehouse
):
    con = open_warehouse(tmp_path / "w.duckdb")
    ingest(inbox, con, key=b"k")
    counts = con.sql("SELECT count(*) FROM raw_carehome_observation").fetchall()[0]
    again = ingest(inbox, con, key=b"k")
    assert {r.status for r in again} == {"unchanged", "refused"}
    assert con.sql("SELECT count(*) FROM raw_carehome_observation").fetchall()[0] == counts
    fixed = inbox / "site_a/carehome/1-100000001/observations.csv"
    fixed.write_text(fixed.read_text().replace("R7", "R1"))
    results = {r.file.split("/")[-1]: r.status for r in ingest(inbox, con, key=b"k")}
    assert results["observations.csv"] == "replaced"
    assert results["residents.csv"] == "unchanged"
    assert con.sql("SELECT count(*) FROM raw_carehome_observation").fetchall()[0] == (2,)
    assert con.sql("SELECT count(*) FROM quarantine WHERE rule = 'unlinked_person'").fetchall()[
        0
    ] == (1,)


def test_no_nhs_number_is_stored(inbox, tmp_path, open_warehouse):
    con = open_warehouse(tmp_path / "w.duckdb")
    ingest(inbox, con, key=b"k")
    text_columns = con.sql(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE data_type = 'VARCHAR' "
        "AND NOT internal"
    ).fetchall()
    stored = " ".join(
        str(v) for t, c in text_columns for (v,) in con.sql(f'SELECT "{c}" FROM {t}').fetchall()
    )
    assert not any(n in stored for n in [*NHS, "9990000019"])
    assert not re.search(r"\b999\d{7}\b", stored)


def test_staged_model_builds_with_homes_and_bed_days(inbox, tmp_path, open_warehouse):
    from warehouse.staging import STAGED, build_all

    con = open_warehouse(tmp_path / "w.duckdb")
    ingest(inbox, con, key=b"k")
    counts = build_all(con)
    assert list(counts) == list(STAGED)
    assert counts["stg_person"] == 2  # one EMIS patient, one resident
    event = con.sql(
        "SELECT source_system, home_id, concept_id, value_num, unit FROM stg_event "
        "WHERE source_system = 'carehome'"
    ).fetchall()
    assert event == [("carehome", "1-100000001", "27113001", 64.2, "kg")]
    months = con.sql(
        "SELECT month, occupied_bed_days FROM stg_occupied_bed_days ORDER BY month"
    ).fetchall()
    # admitted 1 Jan 2023, but the site's care-home activity data (one observation) cover
    # March 2024 only: bed days are counted within the extract period
    assert months == [(dt.date(2024, 3, 1), 31)]


def test_files_parsed_together_keep_their_own_rows_lines_and_duplicates(
    inbox, tmp_path, open_warehouse
):
    home_b = inbox / "site_a/carehome/1-100000002"
    csv(home_b / "residents.csv", RESIDENTS, [
        {"home_id": "1-100000002", "resident_local_id": "R1", "nhs_number": NHS[0],
         "date_of_birth": "01/05/1935", "sex": "F", "admission_date": "01/01/2023",
         "admission_type": "permanent"},
    ])  # fmt: skip
    weight = {"resident_local_id": "R1", "obs_datetime": "01/03/2024", "obs_type": "weight_kg",
              "value": "64.2 kg"}  # fmt: skip
    # The first home's first row again (a duplicate only within a file), a duplicate of
    # it, and a bad date on line 4.
    csv(home_b / "observations.csv", OBSERVATIONS, [
        weight, weight, {**weight, "obs_datetime": "31/02/2024"},
    ])  # fmt: skip
    con = open_warehouse(tmp_path / "w.duckdb")
    results = {r.file: r for r in ingest(inbox, con, key=b"k")}
    a = results["site_a/carehome/1-100000001/observations.csv"]
    b = results["site_a/carehome/1-100000002/observations.csv"]
    assert (a.rows_loaded, a.rows_quarantined, a.skip_reasons) == (1, 1, {})
    assert (b.rows_loaded, b.rows_quarantined, b.skip_reasons) == (1, 1, {"duplicate": 1})
    rows = con.sql(
        "SELECT l.path, o.home_id, o.source_row FROM raw_carehome_observation o "
        "JOIN load_log l USING (file_id) ORDER BY l.path"
    ).fetchall()
    assert rows == [
        ("site_a/carehome/1-100000001/observations.csv", "1-100000001", 2),
        ("site_a/carehome/1-100000002/observations.csv", "1-100000002", 2),
    ]
    refused = con.sql(
        "SELECT path, source_row, rule, raw_value FROM quarantine WHERE rule = 'date'"
    ).fetchall()
    assert refused == [("site_a/carehome/1-100000002/observations.csv", 4, "date", "31/02/2024")]
    people = con.sql("SELECT count(DISTINCT pseudo_id) FROM raw_carehome_observation").fetchall()
    assert people == [(2,)]
