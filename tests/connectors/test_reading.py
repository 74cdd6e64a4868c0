"""Opening extracts: encodings, preambles, versions, and files refused whole."""

from __future__ import annotations

import pytest

from connectors.reading import FileRefusedError, decode, read_extract
from connectors.schemas import SR_CODE_91, SR_PATIENT


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_encodings_are_sniffed_never_latin1():
    assert decode(b"\xef\xbb\xbfid\n") == ("id\n", "utf-8-sig")
    assert decode("Siân".encode()) == ("Siân", "utf-8")
    assert decode("Zoë €5".encode("cp1252")) == ("Zoë €5", "cp1252")
    with pytest.raises(FileRefusedError, match="neither UTF-8 nor Windows-1252"):
        decode(b"\x81\x8d\x8f")  # bytes cp1252 leaves undefined


def test_a_report_export_with_a_preamble(tmp_path):
    path = write(
        tmp_path,
        "weights.csv",
        (
            b"Weights of care home residents\nRun on 01/08/2024\nPopulation count: 120\n\n"
            b"NHS No,DOB,Date,SNOMED Code,Term,Value,Unit\n"
            b"943 476 5919,01/02/1940,01-Mar-2024,27113001,Body weight,72.5 kg,\n"
            b"Total,,,,,1,\n"
        ),
    )
    f = read_extract(path)
    assert f.spec.name == "emis_report/report v1"
    assert f.preamble == 3
    assert f.rows_in == 5
    assert f.rows["__row"].to_list() == [6, 7]
    assert f.rows.row(0, named=True)["NHS Number"] == "943 476 5919"  # alias "NHS No"


def test_systmone_versions_are_told_apart_by_header(tmp_path):
    v91 = write(tmp_path, "a.csv", (",".join(SR_CODE_91) + "\n").encode("cp1252"))
    v90 = write(tmp_path, "b.csv", (",".join((*SR_CODE_91, "RemovedData")) + "\n").encode())
    assert read_extract(v91).spec.version == "91"
    assert read_extract(v90).spec.version == "90"
    pipe = write(
        tmp_path, "c.txt", ("|".join(SR_PATIENT) + "\n" + "|".join("1" * 17) + "\n").encode()
    )
    assert read_extract(pipe).spec.table == "SRPatient"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "it is empty"),
        (b"PK\x03\x04\x00\x00binary", "it is binary"),
        (b"L,Date,Details,Drawing,Flags,R\n1,2,3,4,5,6\n", "SystmOne patient-record \\(journal\\)"),
        (b"colour,shape\nred,round\n", "matches no known extract. Known sources and versions:"),
        (
            b"home_id,resident_local_id,nhs_number,sex\n1,2,3,F\n",
            "looks like carehome/residents v1 but lacks the required column\\(s\\) "
            "'date_of_birth', 'admission_date'",
        ),
        (
            b"resident_local_id,obs_datetime,obs_type,value,unit\nR1,01/03/2024,weight_kg,7",
            "it is truncated: the last line \\(line 2\\)",
        ),
    ],
)
def test_files_refused_whole_with_a_reason(tmp_path, data, message):
    with pytest.raises(FileRefusedError, match=message):
        read_extract(write(tmp_path, "f.csv", data))


def test_the_qi_log_spreadsheet_reads_like_its_csv(tmp_path):
    import polars as pl

    rows = {
        "home_id": ["1-100000001"],
        "resident_id": ["R1"],
        "activity_date": ["04/03/2024"],
        "activity_type": ["triage_tool"],
        "outcome": ["at_risk"],
    }
    path = tmp_path / "qi_activity_log.xlsx"
    pl.DataFrame(rows).write_excel(path)
    f = read_extract(path)
    assert f.spec.name == "qi_log/qi_activity v1"
    assert f.rows.row(0, named=True)["activity_type"] == "triage_tool"
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(FileRefusedError, match=r"not a readable \.xlsx workbook"):
        read_extract(tmp_path / "broken.xlsx")
