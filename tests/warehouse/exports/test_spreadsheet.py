"""Formula escaping (OWASP "CSV Injection") and the CSV/XLSX files, read back."""

from __future__ import annotations

import re
import zipfile
from datetime import date

import polars as pl
import pytest

from warehouse.exports.spreadsheet import FORMULA_START, escape_cell, escape_frame, write_tables


@pytest.mark.parametrize("prefix", FORMULA_START)
def test_each_formula_start_gets_a_quote(prefix):
    assert escape_cell(f"{prefix}SUM(A1:A9)") == f"'{prefix}SUM(A1:A9)"


def test_the_six_starts_are_owasps():
    assert FORMULA_START == ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    "value",
    [-5, -5.5, 0, 12, 3.0, date(2024, 3, 1), None, True, "Oak Lodge", "a=b", " =1", "", "'=x"],
)
def test_numbers_dates_and_other_text_are_left_alone(value):
    assert escape_cell(value) is value


def test_text_that_looks_negative_is_escaped_but_a_negative_number_is_not():
    assert (escape_cell("-5"), escape_cell(-5)) == ("'-5", -5)


FRAME = pl.DataFrame(
    {
        "Home": ["=HYPERLINK(\"http://x\",\"y\")", "+44 20 7946 0000", "-neg", "@SUM(1)",
                 "\tTab", "\rCR", "Oak Lodge", None],
        "Kind": pl.Series(["=a", "b", "c", "d", "e", "f", "g", "h"], dtype=pl.Categorical),
        "Net benefit (£)": [-31616.0, 114849.0, None, 0.0, 1.5, -2.0, 3.0, 4.0],
        "Before": [115, None, 20, 0, 10, 15, 25, 30],
        "Month": [date(2024, m, 1) for m in range(1, 9)],
    }
)  # fmt: skip


def test_the_frame_is_escaped_as_each_cell_would_be():
    out = escape_frame(FRAME)
    assert out["Home"].to_list() == [escape_cell(v) for v in FRAME["Home"]]
    assert out["Kind"].to_list() == ["'=a", "b", "c", "d", "e", "f", "g", "h"]
    assert out["Home"][0] == '\'=HYPERLINK("http://x","y")'
    assert out["Home"][7] is None
    assert out.drop("Home", "Kind").equals(FRAME.drop("Home", "Kind"))
    assert out.schema["Net benefit (£)"] == pl.Float64


@pytest.fixture
def written(tmp_path):
    notes = pl.DataFrame({"Note": ["Counts of 1 to 7 are hidden; prices in £."]})
    paths = write_tables({"summary": FRAME, "notes": notes}, tmp_path / "out", workbook="roi")
    return tmp_path / "out", paths


def test_the_files_are_one_csv_per_table_and_one_workbook(written):
    folder, paths = written
    assert [p.name for p in paths] == ["summary.csv", "notes.csv", "roi.xlsx"]
    assert all(p.parent == folder and p.is_file() for p in paths)


def test_the_csv_is_utf8_with_a_bom_and_reads_back_escaped(written):
    folder, _ = written
    raw = (folder / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Net benefit (£)".encode() in raw
    back = pl.read_csv(folder / "summary.csv")
    assert back.columns == FRAME.columns
    assert back["Home"].to_list() == [
        "'=HYPERLINK(\"http://x\",\"y\")", "'+44 20 7946 0000", "'-neg", "'@SUM(1)",
        "'\tTab", "'\rCR", "Oak Lodge", None,
    ]  # fmt: skip
    assert back.schema["Net benefit (£)"] == pl.Float64
    assert back["Net benefit (£)"].to_list() == FRAME["Net benefit (£)"].to_list()
    assert back["Before"].to_list() == [115, None, 20, 0, 10, 15, 25, 30]  # empty stays empty
    assert pl.read_csv(folder / "notes.csv")["Note"][0].endswith("prices in £.")


def test_the_workbook_reads_back_escaped_with_pounds_as_numbers(written):
    folder, _ = written
    back = pl.read_excel(folder / "roi.xlsx", sheet_name="summary")
    assert back.columns == FRAME.columns
    assert back["Home"].to_list() == escape_frame(FRAME)["Home"].to_list()
    assert back.schema["Net benefit (£)"] == pl.Float64
    assert back["Net benefit (£)"].to_list() == FRAME["Net benefit (£)"].to_list()
    assert back["Before"].to_list() == [115, None, 20, 0, 10, 15, 25, 30]
    assert back["Month"].cast(pl.Date).to_list() == FRAME["Month"].to_list()
    assert pl.read_excel(folder / "roi.xlsx", sheet_name="notes").rows() == [
        ("Counts of 1 to 7 are hidden; prices in £.",)
    ]


def test_the_workbook_has_no_formulas_a_bold_header_and_pound_formats(written):
    folder, _ = written
    with zipfile.ZipFile(folder / "roi.xlsx") as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        styles = book.read("xl/styles.xml").decode()
    assert "<f>" not in sheet  # every cell is a value: nothing Excel would evaluate
    assert "<b/>" in styles
    pounds = re.findall(r'formatCode="([^"]*)"', styles)
    assert "&quot;£&quot;#,##0.00;-&quot;£&quot;#,##0.00" in pounds  # 1.5: pence shown
    assert "#,##0" in pounds
    widths = [float(w) for w in re.findall(r'<col [^>]*width="([\d.]+)"', sheet)]
    assert len(widths) == FRAME.width
    assert min(widths) > 5


def test_a_cost_ratio_is_not_formatted_as_pounds(tmp_path):
    table = pl.DataFrame({"Benefit-cost ratio": [3.33], "Programme cost": [49289.0]})
    write_tables({"t": table}, tmp_path, workbook="w")
    with zipfile.ZipFile(tmp_path / "w.xlsx") as book:
        styles = book.read("xl/styles.xml").decode()
    assert set(re.findall(r'formatCode="([^"]*)"', styles)) == {
        "#,##0.0##",
        "&quot;£&quot;#,##0;-&quot;£&quot;#,##0",
    }


@pytest.mark.parametrize(
    ("tables", "workbook"),
    [({}, "w"), ({"a/b": FRAME}, "w"), ({"x" * 32: FRAME}, "w"), ({"a": FRAME}, "../w")],
)
def test_names_that_cannot_be_files_or_sheets_are_refused(tmp_path, tables, workbook):
    with pytest.raises(ValueError, match="write_tables"):
        write_tables(tables, tmp_path, workbook=workbook)
