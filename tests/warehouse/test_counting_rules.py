"""Counting rules of the staged model and the measures, on hand-made extracts (docs/extracts.md §8).

An incident counts once per resident, minute and type, whatever its harm level or
seconds; an EMIS Search and Reports row and the bulk observation of the same weighing
count once; a harm level of ``none`` stays ``none``. The resources the return on
investment costs (docs/measures.md): a conveyance needs both the ambulance and the
transfer; a GP contact is in working hours or out of hours as the home flags it; a
spell not yet discharged counts its nights to the end of the data, and is long once it
has lasted 2 days.
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
    SPELLS,
    spec,
)
from tests.warehouse.test_landing import NHS, csv
from warehouse.landing import ingest
from warehouse.measures import compute, load_registry
from warehouse.measures.registry import Registry
from warehouse.staging import build_all

HOME = "1-100000001"
STAY = {"home_id": HOME, "resident_local_id": "R1", "nhs_number": NHS[2],
        "date_of_birth": "01/05/1935", "sex": "M", "admission_date": "01/01/2024",
        "admission_type": "permanent"}  # fmt: skip
WEIGHT = "27113001"


def incident(when, kind="fall", harm="low", gp="N", **flags):
    return {"resident_local_id": "R1", "incident_datetime": when, "incident_type": kind,
            "harm_level": harm, "hospital_transfer": "N", "gp_called": gp, **flags}  # fmt: skip


def home_points(con, *measure_ids):
    """The home points of some catalogue measures: {id: (numerator, denominator)}."""
    catalogue = load_registry()
    compute(con, Registry(tuple(catalogue[m] for m in measure_ids), catalogue.folder))
    rows = con.sql(
        "SELECT measure_id, numerator, denominator FROM measure_values WHERE level = 'home'"
    ).fetchall()
    return {m: (n, d) for m, n, d in rows}


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


def test_a_conveyance_needs_the_ambulance_and_the_transfer_gp_calls_split_by_hours(tmp_path, load):
    home = tmp_path / "inbox/site_a/carehome" / HOME
    csv(home / "residents.csv", RESIDENTS, [STAY])
    csv(home / "incidents.csv", INCIDENTS, [
        incident("05/03/2024 10:00", ambulance_called="Y", hospital_transfer="Y"),
        incident("05/03/2024 10:00:40", ambulance_called="Y", hospital_transfer="Y"),  # again
        incident("06/03/2024 11:00", kind="other", ambulance_called="Y"),  # seen and treated
        incident("07/03/2024 12:00", ambulance_called="N", hospital_transfer="Y"),  # no 999
        incident("08/03/2024 09:00", gp="Y", out_of_hours="N"),
        incident("08/03/2024 20:00", kind="other", gp="Y", out_of_hours="Y"),
        incident("10/03/2024 14:00", kind="pressure_ulcer", gp="Y", out_of_hours="Y"),
        incident("11/03/2024 15:00", kind="other", gp="Y"),  # hours not recorded: neither
    ])  # fmt: skip
    points = home_points(load(), "O3.3", "O3.3b", "S5a", "S5b")
    nights = 31.0  # March, the extract period its incidents make
    assert points == {
        "O3.3": (2.0, nights),
        "O3.3b": (1.0, nights),
        "S5a": (1.0, nights),
        "S5b": (2.0, nights),
    }


def spell(spell_id, nhs, admit, discharge="", method="21"):
    return {"spell_id": spell_id, "nhs_number": nhs, "admit_date": admit,
            "discharge_date": discharge, "admission_method": method}  # fmt: skip


def test_an_open_spell_counts_its_nights_to_the_data_end_and_is_long_after_2_days(tmp_path, load):
    site = tmp_path / "inbox/site_a"
    csv(site / "carehome" / HOME / "residents.csv", RESIDENTS, [
        STAY, {**STAY, "resident_local_id": "R2", "nhs_number": NHS[1]},
    ])  # fmt: skip
    csv(site / "carehome" / HOME / "incidents.csv", INCIDENTS, [incident("05/03/2024 10:00")])
    csv(site / "hospital/inpatient_spells.csv", SPELLS, [
        spell("S1", NHS[2], "02/03/2024", "03/03/2024"),  # 1 night: short
        spell("S2", NHS[2], "05/03/2024", "05/03/2024"),  # home the same day: short
        spell("S3", NHS[2], "10/03/2024", "14/03/2024"),  # 4 nights: long
        spell("S4", NHS[2], "20/03/2024", "25/03/2024", method="11"),  # elective: not counted
        spell("S5", NHS[2], "30/03/2024"),  # open: in hospital the nights of 30 and 31 March
        spell("S6", NHS[1], "31/03/2024"),  # open since the data's last day: long or short?
    ])  # fmt: skip
    con = load()
    points = home_points(con, "S3", "S3b", "S3c")
    (data_end,) = con.sql("SELECT data_end FROM site_data_end('month')").fetchall()[0]
    assert data_end == dt.date(2024, 3, 31)  # the last day of the incidents' month
    (obd,) = con.sql("SELECT sum(occupied_bed_days) FROM stg_occupied_bed_days").fetchall()[0]
    assert points["S3"] == (5.0, obd)
    assert points["S3b"] == (2.0, 4.0)  # S3 and S5 long, of S1, S2, S3 and S5; S6 unknown
    assert points["S3c"] == (1 + 0 + 4 + 2 + 1, obd)
