"""Counting rules of the staged model, on hand-made extracts (docs/extracts.md §8).

An incident counts once per resident, minute and type, whatever its harm level or
seconds; an EMIS Search and Reports row and the bulk observation of the same weighing
count once; a harm level of ``none`` stays ``none``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.schemas import (
    EMIS_OBSERVATION,
    EMIS_PATIENT,
    EMIS_REPORT,
    INCIDENTS,
    RESIDENTS,
    spec,
)
from tests.warehouse.test_landing import NHS, csv
from warehouse.landing import ingest
from warehouse.staging import build_all

HOME = "1-100000001"
STAY = {"home_id": HOME, "resident_local_id": "R1", "nhs_number": NHS[2],
        "date_of_birth": "01/05/1935", "sex": "M", "admission_date": "01/01/2024",
        "admission_type": "permanent"}  # fmt: skip
WEIGHT = "27113001"


def incident(when, kind="fall", harm="low", gp="N"):
    return {"resident_local_id": "R1", "incident_datetime": when, "incident_type": kind,
            "harm_level": harm, "hospital_transfer": "N", "gp_called": gp}  # fmt: skip


@pytest.fixture
def load(tmp_path, open_warehouse):
    """Ingest the inbox written so far and build the staged model; the connection."""

    def run():
        con = open_warehouse(tmp_path / "w.duckdb")
        results = ingest(tmp_path / "inbox", con, key=b"k")
        assert {r.status for r in results} == {"loaded"}, [r.message for r in results]
        assert sum(r.rows_quarantined for r in results) == 0
        build_all(con)
        return con

    return run


def test_an_incident_counts_once_whatever_its_harm_level_or_seconds(tmp_path, load):
    home = tmp_path / "inbox/site_a/carehome" / HOME
    csv(home / "residents.csv", RESIDENTS, [STAY])
    csv(home / "incidents.csv", INCIDENTS, [
        incident("01/03/2024 09:57", harm="moderate"),
        incident("01/03/2024 09:57:00", harm="low"),  # the same fall, written again
        incident("01/03/2024 09:57", kind="pressure_ulcer"),  # another type: another one
        incident("01/03/2024 09:58"),  # another minute: another fall
        incident("02/03/2024 14:10", harm="severe"),
        incident("03/03/2024 08:00", kind="other", harm="none"),
        incident("04/03/2024 10:00", gp="N"),
        incident("04/03/2024 10:00:15", gp="Y"),  # same harm: the last row wins
    ])  # fmt: skip
    # April's export repeats two incidents: one with its harm revised down, one with seconds
    csv(home / "incidents_2024-04.csv", INCIDENTS, [
        incident("01/03/2024 09:57", harm="none"),
        incident("02/03/2024 14:10:30", harm="moderate"),
    ])  # fmt: skip
    con = load()
    assert con.sql("SELECT count(*) FROM raw_carehome_incident").fetchall() == [(10,)]
    rows = con.sql(
        "SELECT incident_dt::VARCHAR, incident_type, harm_level, with_harm, gp_called, "
        "file_id FROM stg_incident ORDER BY incident_dt, incident_type"
    ).fetchall()
    residents, first, april = 1, 2, 3  # file ids, in load order
    assert residents < first < april
    assert rows == [
        ("2024-03-01 09:57:00", "fall", "none", False, False, april),  # the later file wins
        ("2024-03-01 09:57:00", "pressure_ulcer", "low", False, False, first),
        ("2024-03-01 09:58:00", "fall", "low", False, False, first),
        ("2024-03-02 14:10:30", "fall", "moderate", True, False, april),
        ("2024-03-03 08:00:00", "other", "none", False, False, first),  # "none" kept
        ("2024-03-04 10:00:15", "fall", "low", False, True, first),
    ]


def test_within_a_file_the_highest_harm_level_wins(tmp_path, load):
    home = tmp_path / "inbox/site_a/carehome" / HOME
    csv(home / "residents.csv", RESIDENTS, [STAY])
    csv(home / "incidents.csv", INCIDENTS, [
        incident("05/03/2024 11:20:00", harm="severe"),
        incident("05/03/2024 11:20", harm="none"),
        incident("05/03/2024 11:20:59", harm=""),  # no harm recorded: lowest
        incident("05/03/2024 11:20", harm="moderate"),
    ])  # fmt: skip
    con = load()
    rows = con.sql("SELECT incident_dt::VARCHAR, harm_level, with_harm FROM stg_incident")
    assert rows.fetchall() == [("2024-03-05 11:20:00", "severe", True)]
    falls = con.sql("SELECT count(*) FROM stg_incident WHERE incident_type = 'fall'")
    assert falls.fetchall() == [(1,)]


def test_an_emis_report_row_and_the_bulk_observation_of_one_weighing_count_once(tmp_path, load):
    emis = tmp_path / "inbox/site_a/emis"
    csv(emis / "1_Admin_Patient_20240131_x.csv", EMIS_PATIENT, [
        {"PatientGuid": "g1", "NhsNumber": NHS[0], "DateOfBirth": "1940-02-11", "Sex": "F"},
    ])  # fmt: skip
    codes = spec("emis", "Coding_ClinicalCode", "5.4").columns
    csv(emis / "1_Coding_ClinicalCode_20240131_x.csv", codes, [
        {"CodeId": "c1", "SnomedCTConceptId": WEIGHT, "Term": "Body weight"},
    ])  # fmt: skip
    obs = {"PatientGuid": "g1", "CodeId": "c1", "NumericUnit": "kg"}
    csv(emis / "1_CareRecord_Observation_20240131_x.csv", EMIS_OBSERVATION, [
        {**obs, "ObservationGuid": "o1", "EffectiveDate": "2024-01-10", "Value": "70"},
        {**obs, "ObservationGuid": "o2", "EffectiveDate": "2024-01-11", "Value": "71.5"},
    ])  # fmt: skip
    report = {"NHS Number": NHS[0], "Code": WEIGHT, "Term": "Body weight", "Units": "kg"}
    csv(emis / "weights_report.csv", EMIS_REPORT, [  # loaded after the bulk extract
        {**report, "Date": "10-Jan-2024", "Value": "70"},  # o1 again
        {**report, "Date": "11-Jan-2024", "Value": "71.5"},  # o2 again
        {**report, "Date": "12-Jan-2024", "Value": "72"},  # only in the report
        {**report, "NHS Number": "999 000 0018", "Date": "12/01/2024", "Value": "72.0"},
        {**report, "Date": "13-Jan-2024", "Value": "72"},
    ])  # fmt: skip
    con = load()
    rows = con.sql(
        "SELECT source_system, source_record_id, event_date, value_num FROM stg_event "
        "WHERE concept_id = $1 ORDER BY event_date",
        params=[WEIGHT],
    ).fetchall()
    assert rows == [
        ("emis", "o1", dt.date(2024, 1, 10), 70.0),
        ("emis", "o2", dt.date(2024, 1, 11), 71.5),
        ("emis_report", None, dt.date(2024, 1, 12), 72.0),
        ("emis_report", None, dt.date(2024, 1, 13), 72.0),
    ]
    weighings = con.sql(
        "SELECT count(*), count(DISTINCT (pseudo_id, event_date, value_num)) FROM stg_event "
        "WHERE concept_id = $1",
        params=[WEIGHT],
    ).fetchall()
    assert weighings == [(4, 4)]


def test_a_bulk_observation_corrected_in_a_later_extract_wins_over_the_report(tmp_path, load):
    emis = tmp_path / "inbox/site_a/emis"
    csv(emis / "1_Admin_Patient_20240131_x.csv", EMIS_PATIENT, [
        {"PatientGuid": "g1", "NhsNumber": NHS[0], "DateOfBirth": "1940-02-11", "Sex": "F"},
    ])  # fmt: skip
    codes = spec("emis", "Coding_ClinicalCode", "5.4").columns
    csv(emis / "1_Coding_ClinicalCode_20240131_x.csv", codes, [
        {"CodeId": "c1", "SnomedCTConceptId": WEIGHT},
    ])  # fmt: skip
    obs = {"PatientGuid": "g1", "CodeId": "c1", "EffectiveDate": "2024-01-10"}
    csv(emis / "1_CareRecord_Observation_20240131_x.csv", EMIS_OBSERVATION, [
        {**obs, "ObservationGuid": "o1", "Value": "70"},
    ])  # fmt: skip
    csv(emis / "1_CareRecord_Observation_20240229_x.csv", EMIS_OBSERVATION, [
        {**obs, "ObservationGuid": "o1", "Value": "70"},  # the same record, in the delta
    ])  # fmt: skip
    csv(emis / "weights_report.csv", EMIS_REPORT, [
        {"NHS Number": NHS[0], "Date": "10/01/2024", "Code": WEIGHT, "Value": "70"},
    ])  # fmt: skip
    con = load()
    rows = con.sql(
        "SELECT source_system, source_record_id, file_id FROM stg_event WHERE concept_id = $1",
        params=[WEIGHT],
    ).fetchall()
    (delta,) = con.sql(
        "SELECT file_id FROM load_log WHERE path LIKE '%Observation_20240229%'"
    ).fetchall()[0]
    assert rows == [("emis", "o1", delta)]
