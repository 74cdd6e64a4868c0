"""The reference code lists: SNOMED CT for SystmOne v87 codes and unlisted EMIS CodeIds.

``synth`` writes SRCode only at version 91 (with SNOMEDCode) and puts every CodeId its
observations use in the site's Coding_ClinicalCode, so the demo never needs
``ctv3_snomed.csv`` or ``emis_codeid_snomed.csv``. These tests land hand-written extracts
that do.
"""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from connectors.schemas import (
    EMIS_CLINICAL_CODE_53,
    EMIS_OBSERVATION,
    EMIS_PATIENT,
    SR_CODE_87,
    SR_PATIENT,
)
from synth import GP_CODES
from tests.warehouse.test_landing import NHS, csv
from warehouse.landing import ingest
from warehouse.staging import REFERENCE, ReferenceDataError, build_all, load_reference

REFERENCE_TABLES = {"ref_emis_codeid_snomed", "ref_ctv3_snomed", "ref_dscr_observation_types"}

EVENT_COLUMNS = "source_system, local_code, code_system, concept_id, value_num, unit"


@pytest.fixture
def warehouse(tmp_path, open_warehouse):
    root = tmp_path / "inbox"
    systmone = root / "site_b/systmone"
    csv(
        systmone / "SRPatient_20240731.csv",
        SR_PATIENT,
        [
            {
                "RowIdentifier": "101",
                "NHSNumber": NHS[0],
                "DateBirth": "11 Feb 1940",
                "Gender": "F",
                "TestPatient": "0",
            },
        ],
    )
    code = {"IDPatient": "101", "DateEvent": "01 Mar 2024", "DateEventRecorded": "01 Mar 2024"}
    csv(
        systmone / "SRCode_20240731.csv",
        SR_CODE_87,
        [
            {**code, "RowIdentifier": "501", "CTV3Code": "16D..", "CTV3Text": "Falls"},
            {
                **code,
                "RowIdentifier": "502",
                "CTV3Code": "22A..",
                "CTV3Text": "O/E - weight",
                "IsNumeric": "true",
                "NumericValue": "61.5",
                "NumericUnit": "kg",
            },
            {**code, "RowIdentifier": "503", "CTV3Code": "XaZZZ", "CTV3Text": "Not in any list"},
        ],
    )
    emis = root / "site_a/emis"
    csv(
        emis / "1_Admin_Patient_20240731_x.csv",
        EMIS_PATIENT,
        [
            {
                "PatientGuid": "g1",
                "NhsNumber": NHS[1],
                "DateOfBirth": "1938-06-02",
                "Sex": "M",
                "Deleted": "false",
            },
        ],
    )
    # The site's own code table knows only the weight CodeId, under its own concept.
    csv(
        emis / "1_Coding_ClinicalCode_20240731_x.csv",
        EMIS_CLINICAL_CODE_53,
        [
            {"CodeId": "253677", "Term": "Body weight", "SnomedCTConceptId": "363808001"},
        ],
    )
    obs = {"PatientGuid": "g1", "EffectiveDate": "2024-03-02", "Deleted": "false"}
    csv(
        emis / "1_CareRecord_Observation_20240731_x.csv",
        EMIS_OBSERVATION,
        [
            {**obs, "ObservationGuid": "o1", "CodeId": "271645"},
            {
                **obs,
                "ObservationGuid": "o2",
                "CodeId": "253677",
                "Value": "70",
                "NumericUnit": "kg",
            },
            {**obs, "ObservationGuid": "o3", "CodeId": "999999"},
        ],
    )
    con = open_warehouse(tmp_path / "w.duckdb")
    results = ingest(root, con, key=b"k")
    assert {(r.table, r.schema_version, r.rows_loaded) for r in results} == {
        ("SRPatient", "91", 1),
        ("SRCode", "87", 3),
        ("Admin_Patient", "5.4", 1),
        ("Coding_ClinicalCode", "5.3", 1),
        ("CareRecord_Observation", "5.4", 3),
    }
    counts = build_all(con)
    assert counts["stg_event"] == 6
    yield con
    con.close()


def events(con, source):
    return con.sql(
        f"SELECT {EVENT_COLUMNS} FROM stg_event WHERE source_system = $1 ORDER BY local_code",
        params=[source],
    ).fetchall()


def test_systmone_v87_codes_map_to_snomed_through_the_ctv3_list(warehouse):
    assert events(warehouse, "systmone") == [
        ("systmone", "16D..", "CTV3", "1912002", None, None),
        ("systmone", "22A..", "CTV3", "27113001", 61.5, "kg"),
        ("systmone", "XaZZZ", "CTV3", None, None, None),
    ]


def test_emis_codeids_missing_from_the_site_table_map_through_the_emis_list(warehouse):
    assert events(warehouse, "emis") == [
        ("emis", "253677", "EMIS", "363808001", 70.0, "kg"),  # the site's table wins
        ("emis", "271645", "EMIS", "1912002", None, None),  # Fall, from emis_codeid_snomed
        ("emis", "999999", "EMIS", None, None, None),
    ]


def test_the_lists_cover_every_gp_code_the_synthetic_extracts_write():
    ctv3 = pl.read_csv(REFERENCE / "ctv3_snomed.csv", infer_schema=False)
    emis = pl.read_csv(REFERENCE / "emis_codeid_snomed.csv", infer_schema=False)
    assert ctv3.columns == ["ctv3_code", "concept_id", "term"]
    assert emis.columns == ["code_id", "concept_id", "term"]
    assert ctv3.rows() == [(g.ctv3, g.snomed, g.term) for g in GP_CODES]
    assert emis.rows() == [(g.emis_code_id, g.snomed, g.term) for g in GP_CODES]
    assert ctv3.row(by_predicate=pl.col("ctv3_code") == "16D..") == ("16D..", "1912002", "Fall")


def test_a_missing_code_list_stops_the_build_and_says_how_to_fix_it(tmp_path, open_warehouse):
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE, folder)
    (folder / "ctv3_snomed.csv").unlink()
    con = open_warehouse(tmp_path / "w.duckdb")
    with pytest.raises(ReferenceDataError) as error:
        load_reference(con, folder)
    message = str(error.value)
    assert f"{folder / 'ctv3_snomed.csv'} is missing" in message
    assert "git checkout -- warehouse/reference/ctv3_snomed.csv" in message
    assert message.endswith("create it with only its header row: ctv3_code,concept_id,term")


def test_a_code_list_with_a_wrong_header_is_refused_and_a_header_alone_loads_nothing(
    tmp_path, open_warehouse
):
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE, folder)
    (folder / "ctv3_snomed.csv").write_text("ctv3_code,concept_id,term\n")
    (folder / "emis_codeid_snomed.csv").write_text("code_id,concept,term\n1,2,x\n")
    con = open_warehouse(tmp_path / "w.duckdb")
    with pytest.raises(ReferenceDataError, match="has no column concept_id") as error:
        load_reference(con, folder)
    assert "Make its header row code_id,concept_id,term" in str(error.value)
    (folder / "emis_codeid_snomed.csv").write_text("code_id,concept_id,term\n")
    counts = load_reference(con, folder)
    assert {k: v for k, v in counts.items() if k in REFERENCE_TABLES} == {
        "ref_emis_codeid_snomed": 0,
        "ref_ctv3_snomed": 0,
        "ref_dscr_observation_types": 4,
    }
