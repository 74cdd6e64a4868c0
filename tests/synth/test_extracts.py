"""The synthetic extract generator: deterministic, valid, honest about every row's fate.

These tests read the files back with plain polars (not the connectors), so they check
the generator's own promises: same seed, same bytes; NHS numbers from the test range,
real ones valid; expected_files.csv adding up and matching the files; an inbox of site
folders only, with the truth beside it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from synth import FATES, FolderNotEmptyError, nhs_check_digit, write_extracts
from tests.synth.conftest import SMALL
from tests.synth.reading import decode, expected_files, nhs_ok, parse_day, read

NHS_COLUMNS = ("nhs_number", "NhsNumber", "NHSNumber", "NHS Number")
EXCEL = re.compile(r"^\d\.\d+E\+\d+$")
TRUTH_FILES = [
    "README.txt",
    "expected_counts.csv",
    "expected_files.csv",
    "expected_measures.csv",
    "homes.csv",
    "intervention_costs.csv",
    "planted_effects.csv",
    "sites.csv",
]
TINY = {"sites": 1, "homes": 1, "months": 1}


def relative(summary, path: Path) -> Path:
    """A written file's path in the inbox, or in the truth's folder (as truth/...)."""
    if summary.out in path.parents:
        return path.relative_to(summary.out)
    return Path("truth") / path.relative_to(summary.truth)


def test_same_seed_gives_identical_bytes(small, tmp_path):
    again = write_extracts(tmp_path / "again", quirk_rate=0.05, **SMALL)
    assert [relative(again, p) for p in again.paths] == [relative(small, p) for p in small.paths]
    for a, b in zip(small.paths, again.paths, strict=True):
        assert a.read_bytes() == b.read_bytes(), a
    other = write_extracts(tmp_path / "other", quirk_rate=0.05, **{**SMALL, "seed": 12})
    assert (other.truth / "expected_counts.csv").read_bytes() != (
        small.truth / "expected_counts.csv"
    ).read_bytes()


def test_the_inbox_holds_only_site_folders_and_the_truth_is_beside_it(small):
    assert sorted(p.name for p in small.out.iterdir()) == ["site_a", "site_b"]
    assert all(p.is_dir() for p in small.out.iterdir())
    assert small.truth == small.out.with_name("inbox-truth")  # a sibling, not a child
    assert small.truth.parent == small.out.parent
    assert sorted(p.name for p in small.truth.iterdir()) == TRUTH_FILES
    extracts = [p for p in small.paths if small.out in p.parents]
    truth = [p for p in small.paths if small.truth in p.parents]
    assert small.paths == (*extracts, *truth)  # extracts first, then the truth
    assert [p.name for p in truth][-1] == "README.txt"
    assert len(extracts) == len(small.rows)
    readme = (small.truth / "README.txt").read_text()
    assert "SYNTHETIC" in readme
    assert "synth/" in readme
    assert "connectors/synth.py" not in readme


def test_the_truth_can_go_anywhere_but_inside_the_inbox(small, tmp_path):
    elsewhere = write_extracts(
        tmp_path / "extracts", truth=tmp_path / "answers" / "set1", quirk_rate=0.05, **SMALL
    )
    assert elsewhere.truth == tmp_path / "answers" / "set1"
    assert sorted(p.name for p in elsewhere.truth.iterdir()) == TRUTH_FILES
    assert sorted(p.name for p in (tmp_path / "extracts").iterdir()) == ["site_a", "site_b"]
    for name in TRUTH_FILES[1:]:
        assert (elsewhere.truth / name).read_bytes() == (small.truth / name).read_bytes()
    for inside in (tmp_path / "a" / "truth", tmp_path / "a"):
        with pytest.raises(ValueError, match="beside the extracts"):
            write_extracts(tmp_path / "a", truth=inside, **TINY)
    with pytest.raises(ValueError, match="beside the extracts"):
        write_extracts(tmp_path / "b" / "inbox", truth=tmp_path / "b", **TINY)
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "b").exists()


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
    written = sorted(str(p.relative_to(small.out)) for p in small.out.rglob("*.csv"))
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


def test_default_run_matches_peach(default):
    assert default.sites == 4
    assert default.homes == 29
    homes = sorted(p.name for p in default.out.glob("site_*/carehome/*"))
    assert len(homes) == 29
    assert all(re.fullmatch(r"1-\d{9}", h) for h in homes)
    assert {p.name for p in default.out.iterdir()} == {"site_a", "site_b", "site_c", "site_d"}
    assert (default.out / "site_a" / "emis").is_dir()
    assert (default.out / "site_b" / "systmone").is_dir()
    assert 800 <= default.mean_on_roll <= 1000  # about 900 residents in the homes
    assert default.mean_on_roll < default.residents < 2 * default.mean_on_roll
    assert "SYNTHETIC" in (default.truth / "README.txt").read_text()


def test_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="first day of a month"):
        write_extracts(tmp_path / "a", start=date(2023, 1, 15))
    with pytest.raises(ValueError, match="at least sites"):
        write_extracts(tmp_path / "b", sites=4, homes=3)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not an empty folder"):  # as it always was
        write_extracts(tmp_path / "full")
    with pytest.raises(ValueError, match="not an empty folder"):
        write_extracts(tmp_path / "full")


def test_a_truth_folder_that_is_not_empty_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / "inbox-truth").mkdir()
    (tmp_path / "inbox-truth" / "expected_counts.csv").write_text("an older answer")
    with pytest.raises(FolderNotEmptyError, match="inbox-truth is not an empty folder"):
        write_extracts(tmp_path / "inbox", **TINY)
    assert not (tmp_path / "inbox").exists()
    (tmp_path / "mine").write_text("a file, not a folder")
    with pytest.raises(ValueError, match="mine is not an empty folder"):
        write_extracts(tmp_path / "fresh", truth=tmp_path / "mine", **TINY)
    (tmp_path / "empty").mkdir()
    summary = write_extracts(tmp_path / "fresh", truth=tmp_path / "empty", **TINY)
    assert sorted(p.name for p in summary.truth.iterdir()) == TRUTH_FILES
