"""The synthetic extract generator: deterministic, valid, honest about every row's fate.

These tests read the files back with plain polars (not the connectors), so they check
the generator's own promises: same seed, same bytes; NHS numbers from the test range,
real ones valid; expected_files.csv adding up and matching the files; the truth in
expected_counts.csv recoverable from the care-home files; real improvement after the
intervention month.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from connectors.schemas import QI_LOG
from connectors.synth import FATES, MEASURES, nhs_check_digit, write_extracts, write_templates

SMALL = {"sites": 2, "homes": 4, "months": 6, "intervention_month": 3, "seed": 11}
TEMPLATES = Path(__file__).resolve().parents[2] / "data" / "templates"
DATES = ("%d/%m/%Y", "%d-%b-%Y", "%d %b %Y", "%d/%b/%Y", "%Y-%m-%d")  # docs/extracts.md
TIMES = ("", " %H:%M", " %H:%M:%S")
NHS_COLUMNS = ("nhs_number", "NhsNumber", "NHSNumber", "NHS Number")
EXCEL = re.compile(r"^\d\.\d+E\+\d+$")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return write_extracts(tmp_path_factory.mktemp("small") / "inbox", quirk_rate=0.05, **SMALL)


@pytest.fixture(scope="module")
def default(tmp_path_factory):
    return write_extracts(tmp_path_factory.mktemp("default") / "inbox")


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def read(path: Path) -> pl.DataFrame:
    """A generated extract as text columns (report preamble and total line dropped)."""
    lines = decode(path.read_bytes()).splitlines()
    if path.name == "weights_report.csv":
        start = next(i for i, line in enumerate(lines) if line.startswith("NHS Number,"))
        lines = [line for line in lines[start:] if not line.startswith("Total")]
    return pl.read_csv(io.StringIO("\n".join(lines) + "\n"), infer_schema=False)


def expected_files(summary) -> pl.DataFrame:
    return pl.read_csv(summary.out / "truth" / "expected_files.csv")


def nhs_ok(value: str) -> bool:
    digits = value.lstrip("'").replace(" ", "").replace("-", "")
    if not re.fullmatch(r"\d{10}", digits) or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return check != 10 and (0 if check == 11 else check) == int(digits[9])


def parse_day(column: str) -> pl.Expr:
    return pl.coalesce(
        pl.col(column).str.strptime(pl.Datetime, d + t, strict=False) for d in DATES for t in TIMES
    ).dt.date()


def test_same_seed_gives_identical_bytes(small, tmp_path):
    again = write_extracts(tmp_path / "again", quirk_rate=0.05, **SMALL)
    assert [p.relative_to(again.out) for p in again.paths] == [
        p.relative_to(small.out) for p in small.paths
    ]
    for a, b in zip(small.paths, again.paths, strict=True):
        assert a.read_bytes() == b.read_bytes(), a
    other = write_extracts(tmp_path / "other", quirk_rate=0.05, **{**SMALL, "seed": 12})
    assert (other.out / "truth" / "expected_counts.csv").read_bytes() != (
        small.out / "truth" / "expected_counts.csv"
    ).read_bytes()


def test_nhs_numbers_come_from_the_test_range_and_real_ones_pass_modulus_11(small):
    assert nhs_check_digit(pl.Series([943476591]).to_numpy()).tolist() == [9]  # 943 476 5919
    assert not nhs_ok("9876544321")  # the commonly quoted example fails
    seen = 0
    for row in expected_files(small).iter_rows(named=True):
        frame = read(small.out / row["file"])
        columns = [c for c in NHS_COLUMNS if c in frame.columns]
        if not columns:
            continue
        values = frame.get_column(columns[0]).to_list()
        failing = [v for v in values if not nhs_ok(v)]
        assert len(failing) == row["quarantined_nhs_number"], row["file"]
        for v in values:
            digits = v.lstrip("'").replace(" ", "").replace("-", "")
            assert EXCEL.match(v) or (len(digits) == 10 and digits.startswith("999")), v
        seen += len(values) - len(failing)
    assert seen > 300


def test_expected_files_add_up_and_match_the_files(small):
    exp = expected_files(small)
    written = sorted(
        str(p.relative_to(small.out)) for p in small.out.rglob("*.csv") if "truth" not in p.parts
    )
    assert sorted(exp["file"]) == written
    for row in exp.iter_rows(named=True):
        skipped = sum(row[f] for f in FATES if f.startswith("skipped_"))
        quarantined = sum(row[f] for f in FATES if f.startswith("quarantined_"))
        assert row["rows_skipped"] == skipped
        assert row["rows_quarantined"] == quarantined
        assert row["rows_in"] == row["rows_loaded"] + quarantined + skipped
        text = decode((small.out / row["file"]).read_bytes())
        assert row["rows_in"] == sum(1 for line in text.splitlines() if line.strip()) - 1
        assert small.rows[row["file"]] == row["rows_in"]


def test_every_junk_row_is_where_expected_files_says(small):
    exp = expected_files(small)
    assert exp.select(pl.sum_horizontal(FATES[:-1]).sum()).item() > 100  # quirks were made
    for row in exp.iter_rows(named=True):
        frame = read(small.out / row["file"])
        assert frame.height - frame.unique().height == row["skipped_duplicate"], row["file"]
        deleted = 0
        for column in ("Deleted", "RemovedData"):
            if column in frame.columns:
                deleted += frame.filter(pl.col(column).is_in(["true", "1"])).height
        assert deleted == row["skipped_deleted"], row["file"]
        test = 0
        if "DummyType" in frame.columns:
            test = frame.filter(pl.col("DummyType") == "true").height
        if "TestPatient" in frame.columns:
            test = frame.filter(pl.col("TestPatient") == "1").height
        if "Admin_Patient" in row["file"] or "SRPatient" in row["file"]:
            assert test == row["skipped_test_patient"] > 0, row["file"]
        if row["file"].endswith("observations.csv"):
            bad = frame.filter(parse_day("obs_datetime").is_null()).height
            assert bad == row["quarantined_date"], row["file"]


def test_systmone_files_are_windows_1252(small):
    sre = [p for p in small.paths if p.parent.name == "systmone"]
    assert len(sre) == 3
    for path in sre:
        data = path.read_bytes()
        data.decode("cp1252")
        if any(b >= 0x80 for b in data):
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
    names = decode(next(p for p in sre if p.name.startswith("SRPatient")).read_bytes())
    assert any(ord(ch) > 127 for ch in names)
    for path in small.paths:
        if path.parent.name == "emis":
            path.read_bytes().decode("utf-8")


def test_truth_is_recoverable_from_the_care_home_files(small):
    counts = pl.read_csv(small.out / "truth" / "expected_counts.csv")
    months = sorted(counts["month"].unique())
    first, last = date.fromisoformat(months[0]), date.fromisoformat(months[-1])
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    found = []
    for home in sorted(small.out.glob("*/carehome/*")):
        res = read(home / "residents.csv").unique(maintain_order=True)
        res = res.filter(pl.col("nhs_number").map_elements(nhs_ok, return_dtype=pl.Boolean))
        res = res.with_columns(
            a=parse_day("admission_date"), d=parse_day("discharge_date").fill_null(end)
        )
        nights = res.with_columns(
            night=pl.date_ranges(pl.max_horizontal("a", pl.lit(first)), "d", closed="left")
        ).explode("night")
        away = (
            read(home / "absences.csv")
            .unique()
            .filter(pl.col("reason") == "hospital_admission")
            .join(res, on="resident_local_id")
            .with_columns(
                night=pl.date_ranges(
                    parse_day("depart_datetime"),
                    parse_day("return_datetime").fill_null(pl.col("d")),
                    closed="left",
                )
            )
            .explode("night")
        )
        obd = nights.join(away, on=["resident_local_id", "night"], how="anti")
        month_end = nights.filter(pl.col("night") == pl.col("night").dt.month_end())
        inc = read(home / "incidents.csv").unique(maintain_order=True)
        obs = read(home / "observations.csv").unique(maintain_order=True)
        parts = {
            "occupied_bed_days": obd.select(day="night"),
            "residents_on_roll": month_end.select(day="night"),
            "admissions": res.filter(pl.col("a") >= first).select(day="a"),
            "deaths": res.filter(pl.col("discharge_reason") == "died").select(day="d"),
            "falls": inc.filter(pl.col("incident_type") == "fall").select(
                day=parse_day("incident_datetime")
            ),
            "must_screens": obs.filter(pl.col("obs_type") == "must_score").select(
                day=parse_day("obs_datetime")
            ),
        }
        for measure, days in parts.items():
            found.append(
                days.drop_nulls()
                .group_by(month=pl.col("day").dt.strftime("%Y-%m-01"))
                .len("value")
                .with_columns(measure=pl.lit(measure), home_id=pl.lit(home.name))
            )
    got = pl.concat(found).select("measure", "home_id", "month", pl.col("value").cast(pl.Int64))
    truth = counts.filter(pl.col("measure").is_in(list(parts)))
    both = truth.join(got, on=["measure", "home_id", "month"], how="left").with_columns(
        pl.col("value_right").fill_null(0)
    )
    assert both.filter(pl.col("value") != pl.col("value_right")).height == 0
    assert got["value"].sum() == truth["value"].sum() > 0


def test_truth_does_not_depend_on_quirks_and_clean_files_load_whole(small, tmp_path):
    clean = write_extracts(tmp_path / "clean", quirk_rate=0.0, **SMALL)
    truth = "truth/expected_counts.csv"
    assert (clean.out / truth).read_bytes() == (small.out / truth).read_bytes()
    exp = expected_files(clean)
    not_loaded = exp.filter(pl.col("rows_in") != pl.col("rows_loaded"))
    assert not_loaded["file"].to_list() == ["site_a/emis/weights_report.csv"]  # its preamble
    assert not any(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in clean.paths)


def test_default_run_matches_peach(default):
    assert default.sites == 4
    assert default.homes == 29
    homes = sorted(p.name for p in default.out.glob("site_*/carehome/*"))
    assert len(homes) == 29
    assert all(re.fullmatch(r"1-\d{9}", h) for h in homes)
    assert {p.name for p in default.out.iterdir()} == {
        "site_a", "site_b", "site_c", "site_d", "truth", "README.txt"
    }  # fmt: skip
    assert (default.out / "site_a" / "emis").is_dir()
    assert (default.out / "site_b" / "systmone").is_dir()
    assert 800 <= default.mean_on_roll <= 1000  # about 900 residents in the homes
    assert default.mean_on_roll < default.residents < 2 * default.mean_on_roll
    assert "SYNTHETIC" in (default.out / "README.txt").read_text()


def test_default_run_shows_improvement_after_the_intervention(default):
    counts = pl.read_csv(default.out / "truth" / "expected_counts.csv")
    assert set(counts["measure"]) == set(MEASURES)
    phase = counts.with_columns(after=pl.col("month") >= "2023-10-01")  # month 9, 0-based
    totals = phase.group_by("measure", "after").agg(pl.col("value").sum())

    def total(measure: str, after: bool) -> int:
        return totals.filter((pl.col("measure") == measure) & (pl.col("after") == after))[
            "value"
        ].item()

    def rate(measure: str, per: str, after: bool) -> float:
        return total(measure, after) / total(per, after)

    before_falls = rate("falls", "occupied_bed_days", False) * 1000
    after_falls = rate("falls", "occupied_bed_days", True) * 1000
    assert 6.5 < before_falls < 9.5  # about 8 falls per 1,000 occupied bed days
    assert after_falls < 0.85 * before_falls
    assert rate("must_screens", "residents_on_roll", False) < 0.7
    assert rate("must_screens", "residents_on_roll", True) > 0.85
    assert rate("medication_reviews", "residents_on_roll", True) > 1.5 * rate(
        "medication_reviews", "residents_on_roll", False
    )


def test_templates_hold_the_qi_log_layout(tmp_path):
    (csv,) = write_templates(tmp_path, excel=False)
    assert csv.read_bytes() == (TEMPLATES / "qi_activity_log.csv").read_bytes()
    template = pl.read_csv(csv, infer_schema=False)
    assert tuple(template.columns) == QI_LOG
    assert template.height == 2
    with zipfile.ZipFile(TEMPLATES / "qi_activity_log.xlsx") as book:
        workbook = book.read("xl/workbook.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert re.findall(r'<sheet name="([^"]+)"', workbook) == ["qi_activity_log", "allowed_values"]
    assert all(f"<t>{c}</t>" in strings for c in (*QI_LOG, "pdsa_cycle", "food_first_plan"))


def test_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="first day of a month"):
        write_extracts(tmp_path / "a", start=date(2023, 1, 15))
    with pytest.raises(ValueError, match="at least sites"):
        write_extracts(tmp_path / "b", sites=4, homes=3)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not an empty folder"):
        write_extracts(tmp_path / "full")
