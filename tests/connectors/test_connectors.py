"""Each connector on small hand-made files: every row loaded, quarantined or skipped."""

from __future__ import annotations

import polars as pl
import pytest

from connectors import parse_file
from connectors.base import WITHHELD, Context
from connectors.schemas import (
    EMIS_OBSERVATION,
    EMIS_PATIENT,
    INCIDENTS,
    OBSERVATIONS,
    QI_LOG,
    RESIDENTS,
    SPELLS,
    SR_CODE_91,
    SR_PATIENT,
)

CTX = Context(site_id="site_a", key=b"test-key", home_id="1-100000001")


def csv(tmp_path, name, columns, rows, encoding="utf-8", bom=False):
    lines = [",".join(columns)] + [",".join(r.get(c, "") for c in columns) for r in rows]
    data = ("\n".join(lines) + "\n").encode(encoding)
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def fates(parsed):
    return {
        "loaded": parsed.rows.height,
        "quarantined": dict(parsed.quarantine.group_by("rule").len().rows()),
        "skipped": parsed.skip_reasons,
    }


def test_emis_patients(tmp_path):
    base = {"DateOfBirth": "1940-02-11", "Sex": "F", "Deleted": "false"}
    rows = [
        {**base, "PatientGuid": "g1", "NhsNumber": "999 000 0018"},
        {**base, "PatientGuid": "g2", "NhsNumber": "999 000 0019"},
        {**base, "PatientGuid": "g3", "NhsNumber": "9990000026", "DummyType": "true"},
        {**base, "PatientGuid": "g4", "NhsNumber": "9990000034", "Deleted": "true"},
        {**base, "PatientGuid": "g1", "NhsNumber": "999 000 0018"},
        {**base, "PatientGuid": "g5", "NhsNumber": "9.99E+09"},
    ]
    p = parse_file(csv(tmp_path, "1_Admin_Patient_2_3.csv", EMIS_PATIENT, rows), CTX)
    assert fates(p) == {
        "loaded": 1,
        "quarantined": {"nhs_number": 2},
        "skipped": {"deleted at source": 1, "duplicate": 1, "test patient": 1},
    }
    assert p.test_keys.get_column("person_key").to_list() == ["g3"]
    assert set(p.quarantine["raw_value"]) == {WITHHELD}
    row = p.rows.row(0, named=True)
    assert "nhs" not in p.rows.columns
    assert len(row["pseudo_id"]) == 64
    assert str(row["birth_month"]) == "1940-02-01"


def test_emis_observations_split_values_and_units(tmp_path):
    rows = [
        {
            "ObservationGuid": "o1",
            "PatientGuid": "g1",
            "EffectiveDate": "2024-03-01",
            "CodeId": "c1",
            "Value": "72.5 kg",
            "Deleted": "false",
        },
        {
            "ObservationGuid": "o2",
            "PatientGuid": "g1",
            "EffectiveDate": "2024-02-31",
            "CodeId": "c1",
            "Deleted": "false",
        },
        {
            "ObservationGuid": "o3",
            "PatientGuid": "g1",
            "EffectiveDate": "2024-03-02",
            "CodeId": "",
            "Deleted": "false",
        },
    ]
    p = parse_file(csv(tmp_path, "obs.csv", EMIS_OBSERVATION, rows), CTX)
    assert fates(p) == {"loaded": 1, "quarantined": {"date": 1, "required": 1}, "skipped": {}}
    assert p.rows.select("value_num", "unit").row(0) == (72.5, "kg")
    q = p.quarantine.filter(pl.col("rule") == "date").row(0, named=True)
    assert (q["source_row"], q["column"], q["raw_value"]) == (3, "EffectiveDate", "2024-02-31")
    assert "Correct it in the source system" in q["message"]


def test_systmone_cp1252_and_test_patients(tmp_path):
    rows = [
        {
            "RowIdentifier": "1",
            "NHSNumber": "9990000018",
            "DateBirth": "11 Feb 1940",
            "Gender": "F",
            "FirstName": "Zoë",
            "TestPatient": "0",
        },
        {
            "RowIdentifier": "2",
            "NHSNumber": "9990000026",
            "DateBirth": "11 Feb 1940",
            "Gender": "M",
            "TestPatient": "1",
        },
    ]
    p = parse_file(csv(tmp_path, "SRPatient.csv", SR_PATIENT, rows, encoding="cp1252"), CTX)
    assert p.file.encoding == "cp1252"
    assert fates(p) == {"loaded": 1, "quarantined": {}, "skipped": {"test patient": 1}}
    assert "FirstName" not in p.rows.columns  # names never leave the parsing step
    events = [
        {
            "RowIdentifier": "9",
            "IDPatient": "1",
            "DateEvent": "01 Mar 2024",
            "CTV3Code": "22A..",
            "SNOMEDCode": "27113001",
            "NumericComparator": "<",
            "NumericValue": "5",
        }
    ]
    e = parse_file(csv(tmp_path, "SRCode.csv", SR_CODE_91, events, encoding="cp1252"), CTX)
    assert e.rows.select("comparator", "value_num", "concept_id").row(0) == ("<", 5.0, "27113001")


def test_care_home_files(tmp_path):
    residents = [
        {
            "home_id": "1-100000001",
            "resident_local_id": "R1",
            "nhs_number": "'999-000-0018",
            "date_of_birth": "11/02/1940",
            "sex": "F",
            "admission_date": "01-Jan-2023",
            "admission_type": "Permanent",
        },
        {
            "home_id": "1-100000001",
            "resident_local_id": "R2",
            "nhs_number": "9990000018",
            "date_of_birth": "11/02/1940",
            "sex": "F",
            "admission_date": "01/01/2023",
            "admission_type": "forever",
        },
    ]
    p = parse_file(csv(tmp_path, "residents.csv", RESIDENTS, residents, bom=True), CTX)
    assert p.file.encoding == "utf-8-sig"
    assert fates(p) == {"loaded": 1, "quarantined": {"allowed_values": 1}, "skipped": {}}
    assert p.rows.select("person_key", "admission_type").row(0) == ("1-100000001/R1", "permanent")
    obs = [
        {
            "resident_local_id": "R1",
            "obs_datetime": "01/03/2024 10:15",
            "obs_type": "weight_kg",
            "value": "72.5 kg",
        },
        {
            "resident_local_id": "R1",
            "obs_datetime": "45352",
            "obs_type": "weight_kg",
            "value": "70",
        },
    ]
    o = parse_file(csv(tmp_path, "observations.csv", OBSERVATIONS, obs), CTX)
    assert fates(o) == {"loaded": 1, "quarantined": {"date": 1}, "skipped": {}}
    inc = [
        {
            "resident_local_id": "R1",
            "incident_datetime": "02/03/2024 03:00",
            "incident_type": "fall",
            "harm_level": "low",
            "hospital_transfer": "N",
        }
    ]
    i = parse_file(csv(tmp_path, "incidents.csv", INCIDENTS, inc), CTX)
    assert i.rows.select("incident_type", "hospital_transfer").row(0) == ("fall", False)


def test_hospital_and_qi_log(tmp_path):
    spells = [
        {
            "spell_id": "S1",
            "nhs_number": "9990000018",
            "admit_date": "03/03/2024",
            "admission_method": "21",
            "admission_source": "54",
        }
    ]
    s = parse_file(csv(tmp_path, "inpatient_spells.csv", SPELLS, spells), CTX)
    assert s.rows.select("emergency", "admission_source").row(0) == (True, "54")
    log = [
        {
            "home_id": "1-100000001",
            "resident_id": "R1",
            "activity_date": "04/03/2024",
            "activity_type": "triage_tool",
            "outcome": "at_risk",
        },
        {
            "home_id": "1-100000001",
            "activity_date": "04/03/2024",
            "activity_type": "pdsa_cycle",
            "outcome": "adapt",
        },
        {"home_id": "1-100000001", "activity_date": "04/03/2024", "activity_type": "tea party"},
    ]
    q = parse_file(csv(tmp_path, "qi_activity_log.csv", QI_LOG, log), CTX)
    assert fates(q) == {"loaded": 2, "quarantined": {"allowed_values": 1}, "skipped": {}}
    assert q.rows["person_key"].to_list() == ["1-100000001/R1", None]


@pytest.mark.parametrize("live", [False, True])
def test_test_range_is_only_skipped_for_live_data(tmp_path, live):
    rows = [
        {
            "spell_id": "S1",
            "nhs_number": "9990000018",
            "admit_date": "03/03/2024",
            "admission_method": "21",
        }
    ]
    ctx = Context(site_id="s", key=b"k", test_range_is_test=live)
    s = parse_file(csv(tmp_path, "inpatient_spells.csv", SPELLS, rows), ctx)
    assert (s.rows.height, s.rows_skipped) == ((0, 1) if live else (1, 0))


def test_a_row_of_the_wrong_width_is_quarantined_never_realigned(tmp_path):
    good = "R1,01/03/2024 10:00,weight_kg,72.5,kg"
    lines = [",".join(OBSERVATIONS), good, good.replace("72.5", "71"), "",
             good.replace("72.5", "70"), good.replace("R1", "R2"),
             "R1,01/03/2024 10:00,bmi,72,5,kg/m2", "R1,01/03/2024 10:00,bmi,22",
             "R3,01/03/2024 10:00,weight_kg,70,kg"]  # fmt: skip
    path = tmp_path / "observations.csv"
    path.write_text("\n".join(lines) + "\n")
    p = parse_file(path, CTX)
    assert fates(p) == {"loaded": 5, "quarantined": {"field_count": 2}, "skipped": {}}
    assert 72.0 not in p.rows["value_num"].to_list()
    q = p.quarantine.sort("source_row").rows(named=True)
    assert [(r["source_row"], r["column"], r["raw_value"]) for r in q] == [
        (7, "(field count)", "6"),
        (8, "(field count)", "4"),
    ]
    assert q[0]["message"].startswith(
        "line 7 has 6 fields but the header has 5 (a separator inside a value that is not "
        "in quotes, such as a decimal comma?)."
    )
    assert q[1]["message"].startswith("line 8 has 4 fields but the header has 5")
    ((loaded, quarantined, skipped),) = p.counts_by_file([p.file.preamble])
    assert p.file.rows_in == loaded + quarantined + sum(skipped.values()) == 7


def test_the_field_count_is_the_first_check_and_decides_before_any_skip(tmp_path):
    rows = [
        {"RowIdentifier": "1", "IDPatient": "p", "DateEvent": "01 Mar 2024", "CTV3Code": "22A..",
         "IDOrganisationRegisteredAt": "7"},
        {"RowIdentifier": "2", "IDPatient": "p", "DateEvent": "31 Feb 2024", "CTV3Code": "22A..",
         "NumericValue": "72,5", "IDOrganisationRegisteredAt": "7"},
    ]  # fmt: skip
    columns = (*SR_CODE_91, "RemovedData")  # v90: RemovedData comes last
    path = csv(tmp_path, "SRCode.csv", columns, rows, encoding="cp1252")
    p = parse_file(path, CTX)
    # Row 2 is one field too long: re-aligned, its RemovedData would read "7" (deleted
    # at source, withdrawing record 2) and its date would quarantine it as a date.
    assert fates(p) == {"loaded": 1, "quarantined": {"field_count": 1}, "skipped": {}}
    assert p.withdrawn.is_empty()


def test_files_parsed_together_keep_their_own_line_numbers_and_widths(tmp_path):
    from connectors import parse_batch
    from connectors.base import file_index, line
    from connectors.reading import read_extract

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    header = ",".join(OBSERVATIONS)
    (a / "observations.csv").write_text(f"{header}\nR1,01/03/2024,bmi,22,kg\nR1,01/03/2024,bmi\n")
    (b / "observations.csv").write_text(f"{header},note\nR1,01/03/2024,bmi,22,kg,x\n"
                                        "R2,01/03/2024,bmi,22,kg\n")  # fmt: skip
    raws = [read_extract(d / "observations.csv") for d in (a, b)]
    p = parse_batch([(r, CTX) for r in raws])
    assert p.quarantine.select(file_index().alias("i"), line(), "raw_value").rows() == [
        (0, 3, "3"),
        (1, 3, "5"),
    ]
    assert "header has 5" in p.quarantine["message"][0]
    assert "header has 6" in p.quarantine["message"][1]
