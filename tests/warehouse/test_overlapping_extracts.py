"""Overlapping extracts and deltas count each record once (docs/extracts.md §8)."""

from __future__ import annotations

import pytest

from connectors.schemas import EMIS_OBSERVATION, EMIS_PATIENT, OBSERVATIONS, QI_LOG, RESIDENTS
from tests.warehouse.test_landing import NHS, csv
from warehouse.landing import ingest
from warehouse.staging import build_all

HOME = "1-100000001"
STAY = {"home_id": HOME, "resident_local_id": "R1", "nhs_number": NHS[2],
        "date_of_birth": "01/05/1935", "sex": "M", "admission_date": "01/01/2024",
        "admission_type": "permanent"}  # fmt: skip


def weight(when, value):
    return {"resident_local_id": "R1", "obs_datetime": when, "obs_type": "weight_kg",
            "value": value}  # fmt: skip


@pytest.fixture
def warehouse(tmp_path, open_warehouse):
    root = tmp_path / "inbox"
    emis = root / "site_a/emis"
    csv(emis / "1_Admin_Patient_20240131_x.csv", EMIS_PATIENT, [
        {"PatientGuid": "g1", "NhsNumber": NHS[0], "DateOfBirth": "1940-02-11", "Sex": "F"},
    ])  # fmt: skip
    obs = {"EffectiveDate": "2024-01-10", "CodeId": "c1", "PatientGuid": "g1"}
    csv(emis / "1_CareRecord_Observation_20240131_x.csv", EMIS_OBSERVATION, [
        {**obs, "ObservationGuid": "o1", "Value": "70"},
        {**obs, "ObservationGuid": "o2", "Value": "71", "EffectiveDate": "2024-01-11"},
        {**obs, "ObservationGuid": "o3", "Value": "72", "EffectiveDate": "2024-01-12"},
    ])  # fmt: skip
    # February's delta: o2 corrected, o3 deleted at source, o4 new.
    csv(emis / "1_CareRecord_Observation_20240229_x.csv", EMIS_OBSERVATION, [
        {**obs, "ObservationGuid": "o2", "Value": "75", "EffectiveDate": "2024-01-11"},
        {**obs, "ObservationGuid": "o3", "Value": "72", "EffectiveDate": "2024-01-12",
         "Deleted": "true"},
        {**obs, "ObservationGuid": "o4", "Value": "80", "EffectiveDate": "2024-02-03"},
    ])  # fmt: skip
    home = root / "site_a/carehome" / HOME
    # Each month the home exports its residents and observations again, in full.
    csv(home / "residents_2024-01.csv", RESIDENTS, [STAY])
    csv(home / "residents_2024-02.csv", RESIDENTS, [
        {**STAY, "discharge_date": "20/02/2024", "discharge_reason": "home"},
    ])  # fmt: skip
    csv(home / "observations_2024-01.csv", OBSERVATIONS, [weight("05/01/2024 10:00", "64")])
    csv(home / "observations_2024-02.csv", OBSERVATIONS, [
        weight("05/01/2024 10:00", "64"), weight("05/02/2024 10:00", "63"),
    ])  # fmt: skip
    review = {"home_id": HOME, "resident_id": "R1", "activity_date": "15/01/2024",
              "activity_type": "mdt_review", "outcome": "plan_agreed"}  # fmt: skip
    csv(root / "site_a/qi_log/qi_log_2024-01.csv", QI_LOG, [review])
    csv(root / "site_a/qi_log/qi_log_2024-02.csv", QI_LOG, [
        review, {**review, "activity_date": "12/02/2024"},
    ])  # fmt: skip
    con = open_warehouse(tmp_path / "w.duckdb")
    results = ingest(root, con, key=b"k")
    assert {r.status for r in results} == {"loaded"}
    assert sum(r.rows_quarantined for r in results) == 0
    assert [r.skip_reasons for r in results if r.rows_skipped] == [{"deleted at source": 1}]
    build_all(con)
    return con


def test_a_delta_corrects_and_withdraws_what_an_earlier_extract_loaded(warehouse):
    rows = warehouse.sql(
        "SELECT source_record_id, value_num FROM stg_event WHERE source_system = 'emis' "
        "ORDER BY source_record_id"
    ).fetchall()
    assert rows == [("o1", 70.0), ("o2", 75.0), ("o4", 80.0)]
    withdrawn = warehouse.sql("SELECT table_name, source_record_id FROM withdrawn").fetchall()
    assert withdrawn == [("raw_emis_observation", "o3")]


def test_repeated_care_home_exports_count_each_record_once(warehouse):
    weights = warehouse.sql(
        "SELECT event_date::VARCHAR, value_num FROM stg_event WHERE source_system = 'carehome' "
        "ORDER BY event_date"
    ).fetchall()
    assert weights == [("2024-01-05", 64.0), ("2024-02-05", 63.0)]
    stays = warehouse.sql(
        "SELECT start_date::VARCHAR, end_date::VARCHAR, end_reason FROM stg_residence_episode"
    ).fetchall()
    assert stays == [("2024-01-01", "2024-02-20", "home")]
    reviews = warehouse.sql(
        "SELECT activity_date::VARCHAR FROM stg_qi_activity ORDER BY 1"
    ).fetchall()
    assert reviews == [("2024-01-15",), ("2024-02-12",)]
