"""Opening extracts: encodings, preambles, versions, and files refused whole."""

from __future__ import annotations

import pytest

from connectors.layouts import LAYOUTS, reads
from connectors.reading import FileRefusedError, decode, read_extract
from connectors.schemas import OBSERVATIONS, SPECS, SR_CODE_87, SR_CODE_91, SR_PATIENT


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


# --- A file lacking a column its connector reads is refused whole -----------------------


def header_file(tmp_path, columns, rows=(), *, name="f.csv", encoding="utf-8", preamble=""):
    lines = [",".join(columns), *(",".join(r) for r in rows)]
    return write(tmp_path, name, (preamble + "\n".join(lines) + "\n").encode(encoding))


def test_a_file_lacking_a_column_that_is_read_is_refused(tmp_path):
    without = [c for c in SR_CODE_91 if c != "NumericValue"]
    path = header_file(tmp_path, without, encoding="cp1252")
    with pytest.raises(FileRefusedError) as refused:
        read_extract(path)
    assert str(refused.value) == (
        "it looks like systmone/SRCode v91 but lacks the column 'NumericValue', which "
        "Measure for Change reads (for value_num, comparator, unit). Export it again with "
        "all the columns of docs/extracts.md."
    )


def test_every_column_missing_is_named_required_ones_first(tmp_path):
    both = header_file(tmp_path, [c for c in SR_CODE_91 if c not in ("NumericUnit", "SNOMEDCode")])
    with pytest.raises(FileRefusedError) as refused:
        read_extract(both)
    assert (
        "it looks like systmone/SRCode v91 but lacks the columns 'SNOMEDCode' (for "
        "concept_id) and 'NumericUnit' (for unit), which Measure for Change reads. Export"
    ) in str(refused.value)
    required_too = [c for c in SR_CODE_91 if c not in ("NumericUnit", "IDPatient")]
    with pytest.raises(FileRefusedError, match=r"lacks the required column\(s\) 'IDPatient'\."):
        read_extract(header_file(tmp_path, required_too))


def test_a_column_nothing_reads_may_be_missing_with_a_warning(tmp_path):
    unread = ("IDReferralIn", "CTV3Text")
    f = read_extract(header_file(tmp_path, [c for c in SR_CODE_91 if c not in unread]))
    assert (f.spec.name, f.missing_unread) == ("systmone/SRCode v91", ("CTV3Text", "IDReferralIn"))
    assert read_extract(header_file(tmp_path, SR_CODE_91)).missing_unread == ()


@pytest.mark.parametrize(
    ("columns", "version"),
    [
        (SR_CODE_87, "87"),  # no SNOMEDCode, which the connector reads from v91 on
        (SR_CODE_91, "91"),  # no RemovedData, which it reads in v90
        ((*SR_CODE_91, "RemovedData"), "90"),
    ],
)
def test_only_the_columns_of_the_files_own_version_count(tmp_path, columns, version):
    f = read_extract(header_file(tmp_path, columns))
    assert (f.spec.version, f.missing_unread) == (version, ())


def test_a_version_lacking_a_column_is_not_read_as_an_older_one(tmp_path):
    # v91 without SNOMEDCode holds every column of v87, and SNOMEDText besides.
    path = header_file(tmp_path, [c for c in SR_CODE_91 if c != "SNOMEDCode"])
    with pytest.raises(
        FileRefusedError,
        match=r"systmone/SRCode v91 but lacks the column "
        r"'SNOMEDCode', which .* \(for concept_id\)",
    ):
        read_extract(path)


def test_report_exports_match_columns_by_their_aliases_below_a_preamble(tmp_path):
    preamble = "Weights of residents\nRun on 01/08/2024\n\n"
    aliases = ["NHS No", "DOB", "Event Date", "SNOMED Code", "Term", "Value", "Unit"]
    row = ["9434765919", "01/02/1940", "01/03/2024", "27113001", "Body weight", "72.5", "kg"]
    f = read_extract(header_file(tmp_path, aliases, [row], preamble=preamble))
    assert (f.preamble, f.missing_unread, f.rows["Units"].to_list()) == (2, (), ["kg"])
    no_dob = [a for a in aliases if a != "DOB"]
    f = read_extract(header_file(tmp_path, no_dob, [row[:1] + row[2:]], preamble=preamble))
    assert f.missing_unread == ("Date of Birth",)  # nothing reads it
    no_unit = aliases[:-1]
    with pytest.raises(
        FileRefusedError,
        match=r"emis_report/report v1 but lacks the column "
        r"'Units', which .* \(for unit\)",
    ):
        read_extract(header_file(tmp_path, no_unit, [row[:-1]], preamble=preamble))


@pytest.mark.parametrize("table", SPECS, ids=lambda s: s.name)
def test_each_column_read_is_needed_and_versions_are_still_told_apart(tmp_path, table):
    assert read_extract(header_file(tmp_path, table.columns)).spec == table
    for column in reads(table):
        header = [c for c in table.columns if c != column]
        other = [s for s in SPECS if set(s.columns) == set(header)]  # another version's, exactly
        if other:
            assert read_extract(header_file(tmp_path, header)).spec == other[0]
            continue
        with pytest.raises(FileRefusedError, match=f"lacks the (required )?column.*{column!r}"):
            read_extract(header_file(tmp_path, header))


def test_what_is_read_comes_from_the_layouts_expressions():
    layout = LAYOUTS["systmone", "SRCode"]
    assert set(layout.reads) >= {"NumericValue", "NumericComparator", "SNOMEDCode", "RemovedData"}
    assert layout.reads["RemovedData"] == ("skip rule 'deleted at source'",)
    assert "IDReferralIn" not in layout.reads
    assert "__home" not in LAYOUTS["carehome", "observations"].reads
    assert LAYOUTS["emis", "Admin_Patient"].reads["PatientGuid"] == (
        "person_key",
        "test patients' keys",
    )


# --- Each row's fields are counted as the CSV reader splits it ---------------------------

OBS_HEADER = ",".join(OBSERVATIONS)


def fields_of(tmp_path, body: bytes):
    f = read_extract(write(tmp_path, "observations.csv", body))
    return f.rows.select("__row", "__fields", "__width").rows()


def test_rows_wider_or_narrower_than_the_header_are_counted(tmp_path):
    body = (
        f"{OBS_HEADER}\n"
        'R1,01/03/2024 10:00,weight_kg,"72,5",kg\n'  # a quoted comma separates nothing
        'R1,01/03/2024 10:00,weight_kg,72,"kg, ""seated"""\n'
        "\n"
        "R1,01/03/2024 10:00,bmi,72,5,kg/m2\n"  # a decimal comma, not in quotes
        "R1,01/03/2024 10:00,bmi,22\n"
        "R1,01/03/2024 10:00,bmi,22,,\n"  # an empty field is a field
        "R1\n"
    ).encode()
    assert fields_of(tmp_path, body) == [
        (2, None, None),
        (3, None, None),
        (5, 6, 5),
        (6, 4, 5),
        (7, 6, 5),
        (8, 1, 5),
    ]


def test_field_counts_with_crlf_pipes_and_no_final_line_end(tmp_path):
    body = f"{OBS_HEADER}\r\nR1,d,bmi,1,kg\r\nR1,d,bmi,1,5,kg\r\nR1,d,bmi,1,kg".encode()
    f = read_extract(write(tmp_path, "observations.csv", body))
    assert f.rows.select("__row", "__fields", "unit").rows() == [
        (2, None, "kg"),
        (3, 6, "5"),
        (4, None, "kg"),
    ]
    piped = f"{OBS_HEADER.replace(',', '|')}\nR1|d|bmi|1,5|kg\nR1|d|bmi|1|5|kg\n".encode()
    assert fields_of(tmp_path, piped) == [(2, None, None), (3, 6, 5)]


def test_values_in_quotes_may_span_lines(tmp_path):
    body = (
        f"{OBS_HEADER}\n"
        'R1,d,weight_kg,70,"kg\nand a note"\n'
        "R2,d,bmi,22,5,x\n"
        'R3,d,"weight\r\n\r\nkg",70,kg,more\n'
        "R4,d,bmi,22,kg\n"
    ).encode()
    f = read_extract(write(tmp_path, "observations.csv", body))
    assert f.rows.select("__row", "__fields").rows() == [(2, None), (4, 6), (5, 6), (8, None)]
    assert f.rows["unit"][0] == "kg\nand a note"
    assert f.rows["obs_type"][2] == "weight\r\n\r\nkg"


def test_quotes_that_do_not_pair_up_refuse_the_file_without_quoting_it(tmp_path):
    body = f'{OBS_HEADER}\nR1,d,weight_kg,"70,kg\nR2,d,bmi,22,kg\n'.encode()
    with pytest.raises(FileRefusedError, match="its quotes do not pair up") as refused:
        read_extract(write(tmp_path, "observations.csv", body))
    assert "R2" not in str(refused.value)
