"""Every file under the inbox is loaded or reported, with where it should go."""

from __future__ import annotations

import pytest

from connectors.schemas import AE, EMIS_PATIENT, INCIDENTS, RESIDENTS
from tests.warehouse.test_landing import NHS, csv
from warehouse.inbox import InboxError
from warehouse.landing import ingest

INCIDENT = {"resident_local_id": "R1", "incident_datetime": "01/03/2024 10:00",
            "incident_type": "fall", "harm_level": "none"}  # fmt: skip
ATTENDANCE = {"attendance_id": "A1", "nhs_number": NHS[0],
              "arrival_datetime": "01/03/2024 10:00"}  # fmt: skip
HOME = "site_a/carehome/1-100000001"


@pytest.fixture
def inbox(tmp_path):
    root = tmp_path / "inbox"
    csv(root / HOME / "residents.csv", RESIDENTS, [
        {"home_id": "1-100000001", "resident_local_id": "R1", "nhs_number": NHS[0],
         "date_of_birth": "01/05/1935", "sex": "F", "admission_date": "01/01/2023"},
    ])  # fmt: skip
    return root


def fates(inbox, open_warehouse, tmp_path):
    con = open_warehouse(tmp_path / "w.duckdb")
    return {r.file: r for r in ingest(inbox, con, key=b"k")}


def test_a_care_home_file_in_the_hospital_folder_is_refused_with_where_it_goes(
    inbox, open_warehouse, tmp_path
):
    csv(inbox / "site_a/hospital/incidents.csv", INCIDENTS, [INCIDENT])
    csv(inbox / HOME / "ae_attendances.csv", AE, [ATTENDANCE])
    results = fates(inbox, open_warehouse, tmp_path)
    incidents = results["site_a/hospital/incidents.csv"]
    assert (incidents.status, incidents.rows_loaded) == ("refused", 0)
    assert incidents.message == (
        "site_a/hospital/incidents.csv was not loaded: this looks like a care-home incidents "
        "file; put it in inbox/site_a/carehome/<CQC location id>/."
    )
    ae = results[f"{HOME}/ae_attendances.csv"]
    assert ae.status == "refused"
    assert "a hospital ae attendances file; put it in inbox/site_a/hospital/" in ae.message
    assert results[f"{HOME}/residents.csv"].status == "loaded"


def test_files_at_the_top_of_the_inbox_or_in_a_folder_naming_no_source_are_reported(
    inbox, open_warehouse, tmp_path
):
    csv(inbox / "ae_attendances.csv", AE, [ATTENDANCE])
    csv(inbox / "site_a/extracts/ae_attendances.csv", AE, [ATTENDANCE])
    csv(inbox / "site_a/carehome/incidents.csv", INCIDENTS, [INCIDENT])  # no home folder
    (inbox / "site_a/minutes.docx").write_text("notes")
    results = fates(inbox, open_warehouse, tmp_path)
    assert {f: r.status for f, r in results.items()} == {
        f"{HOME}/residents.csv": "loaded",
        "ae_attendances.csv": "refused",
        "site_a/extracts/ae_attendances.csv": "refused",
        "site_a/carehome/incidents.csv": "refused",
        "site_a/minutes.docx": "refused",
    }
    assert results["ae_attendances.csv"].message.endswith("put it in inbox/<site>/hospital/.")
    assert results["site_a/extracts/ae_attendances.csv"].message.endswith(
        "put it in inbox/site_a/hospital/."
    )
    assert results["site_a/carehome/incidents.csv"].message.endswith(
        "put it in inbox/site_a/carehome/<CQC location id>/."
    )
    assert "not a CSV, TXT or XLSX file" in results["site_a/minutes.docx"].message


def test_an_unknown_file_outside_every_site_says_both(inbox, open_warehouse, tmp_path):
    (inbox / "README.txt").write_text("notes about the extracts\nsecond line\n")
    message = fates(inbox, open_warehouse, tmp_path)["README.txt"].message
    assert "its header matches no known extract" in message
    assert message.endswith(
        "It is also outside every site's folder: extracts go in inbox/<site>/<source>/."
    )


def test_a_file_with_no_site_is_not_logged_against_any_site(inbox, open_warehouse, tmp_path):
    csv(inbox / "ae_attendances.csv", AE, [ATTENDANCE])
    con = open_warehouse(tmp_path / "w.duckdb")
    ingest(inbox, con, key=b"k")
    logged = con.sql("SELECT path, site_id, status FROM load_log ORDER BY path").fetchall()
    assert logged == [(f"{HOME}/residents.csv", "site_a", "loaded")]


def test_hidden_files_are_listed_as_ignored(inbox, open_warehouse, tmp_path):
    (inbox / "site_a/.DS_Store").write_bytes(b"\0\0")
    results = fates(inbox, open_warehouse, tmp_path)
    hidden = results["site_a/.DS_Store"]
    assert (hidden.status, hidden.rows_in) == ("ignored", 0)
    assert "hidden" in hidden.message


def test_an_inbox_that_is_one_sites_folder_is_recognised(inbox, open_warehouse, tmp_path):
    con = open_warehouse(tmp_path / "w.duckdb")
    with pytest.raises(
        InboxError,
        match=r"looks like one site's folder, not the inbox: it holds "
        r"carehome, which are source folders\. Point --inbox at the folder above",
    ):
        ingest(inbox / "site_a", con, key=b"k")
    with pytest.raises(InboxError, match="cannot find the inbox folder"):
        ingest(tmp_path / "nowhere", con, key=b"k")


def test_a_file_lacking_a_column_nothing_reads_loads_with_a_warning(
    inbox, open_warehouse, tmp_path
):
    columns = [c for c in EMIS_PATIENT if c not in ("Title", "MiddleNames")]  # read by nothing
    csv(inbox / "site_a/emis/1_Admin_Patient_20240731.csv", columns, [
        {"PatientGuid": "g1", "NhsNumber": NHS[1], "DateOfBirth": "1940-02-11", "Sex": "F",
         "Deleted": "false"},
    ])  # fmt: skip
    patients = fates(inbox, open_warehouse, tmp_path)["site_a/emis/1_Admin_Patient_20240731.csv"]
    assert (patients.status, patients.rows_loaded) == ("loaded", 1)
    assert patients.warning.startswith(
        "site_a/emis/1_Admin_Patient_20240731.csv has no column Title, MiddleNames; Measure for "
        "Change reads none of them, so the file loaded"
    )
