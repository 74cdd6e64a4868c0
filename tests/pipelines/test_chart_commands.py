"""``m4c qic`` / ``m4c mdc`` on a user's CSV: bad dates, numbers and x arguments named by row.

The commands are run through their own parsers (not ``pipelines.cli.main``), so these
tests check ``pipelines.chart_commands`` alone.
"""

from __future__ import annotations

import argparse
import warnings

import polars as pl
import pytest

from charts.errors import SpcInputError, SpcWarning
from pipelines import chart_commands
from pipelines.chart_commands import date_format
from pipelines.errors import CliError


def run(*argv: str) -> None:
    parser = argparse.ArgumentParser(prog="m4c")
    chart_commands.add_parsers(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpcWarning)
        args.func(args)


def months(*, bad: dict[int, str] | None = None, y: dict[int, str] | None = None) -> str:
    """24 monthly rows from 2023-01-01 (CSV text); ``bad``/``y`` replace x/y by row index."""
    rows = []
    for i in range(24):
        x = f"{2023 + i // 12}-{i % 12 + 1:02d}-01"
        rows.append(f"{(bad or {}).get(i, x)},{(y or {}).get(i, str(i % 5 + 2))},{100 + i}")
    return "month,falls,bed_days\n" + "\n".join(rows) + "\n"


def days(*, bad: dict[int, str] | None = None, layout: str = "{d:02d}/03/2024") -> str:
    """28 daily rows in March 2024, day first; ``bad`` replaces x by row index."""
    rows = [
        f"{(bad or {}).get(d - 1, layout.format(d=d))},{[20, 22, 21, 23][d % 4]}"
        for d in range(1, 29)
    ]
    return "week,weighed\n" + "\n".join(rows) + "\n"


@pytest.fixture
def csv(tmp_path):
    def write(text: str, name: str = "data.csv") -> str:
        path = tmp_path / name
        path.write_text(text)
        return str(path)

    return write


@pytest.fixture
def out(tmp_path):
    return ["--out", str(tmp_path / "chart.html")]


def points(tmp_path) -> pl.DataFrame:
    return pl.read_csv(tmp_path / "chart.csv", try_parse_dates=True)


# 1. one impossible date among good ones -------------------------------------------------


def test_an_impossible_iso_date_names_its_line_column_and_value(csv, out):
    path = csv(months(bad={12: "2023-13-45"}))
    with pytest.raises(CliError) as err:
        run("qic", path, "--x", "month", "--y", "falls", *out)
    assert str(err.value) == (
        "data.csv line 14, column 'month': '2023-13-45' is not a date (the other dates "
        "are like 2023-01-01). Correct it or delete the row."
    )


def test_an_impossible_day_first_date_is_an_error(csv, out):
    path = csv(days(bad={4: "31/02/2024"}), name="weights.csv")
    with pytest.raises(CliError) as err:
        run("qic", path, "--x", "week", "--y", "weighed", "--chart", "i", *out)
    assert str(err.value) == (
        "weights.csv line 6, column 'week': '31/02/2024' is not a date (the other dates "
        "are like 01/03/2024). Correct it or delete the row."
    )


def test_many_bad_dates_list_three_then_a_count(csv, out):
    bad = {1: "2023-02-30", 3: "soon", 5: "2023-13-01", 7: "01/08/2023", 9: "?"}
    with pytest.raises(CliError) as err:
        run("mdc", csv(months(bad=bad)), "--x", "month", "--y", "falls", *out)
    assert str(err.value) == (
        "data.csv column 'month': line 3 ('2023-02-30'), line 5 ('soon'), line 7 "
        "('2023-13-01') and 2 more are not dates (the other dates are like 2023-01-01). "
        "Correct them or delete the rows."
    )


def test_a_bad_date_in_a_layout_polars_does_not_read_is_an_error(csv, out):
    path = csv(days(bad={27: "30 Feb 2024"}, layout="{d:02d} Mar 2024"))
    with pytest.raises(CliError, match=r"line 29, column 'week': '30 Feb 2024' is not a"):
        run("qic", path, "--x", "week", "--y", "weighed", *out)


def test_a_column_that_is_plainly_not_dates_stays_text(csv, out, tmp_path):
    wards = "ward,falls\n" + "".join(f"Ward {c},{i}\n" for i, c in enumerate("ABCDEFGH"))
    run("qic", csv(wards.replace("Ward C", "2024-01-01")), "--x", "ward", "--y", "falls", *out)
    assert points(tmp_path)["ward"].dtype == pl.String


def test_empty_and_na_dates_are_missing_not_errors(csv, out, tmp_path):
    path = csv(months(bad={3: "", 4: "NA", 5: " n/a "}))
    run("qic", path, "--x", "month", "--y", "falls", *out)
    got = points(tmp_path)
    assert got["month"].dtype == pl.Date
    assert got.height == 21  # the engine leaves out rows without an x, with a warning


def test_date_format_picks_the_layout_that_reads_most_values():
    assert date_format(pl.Series(["01/03/2024", "13/03/2024", "31/02/2024"])) == "%d/%m/%Y"
    assert date_format(pl.Series(["2024-01-01", None, "NA", "2024-13-01"])) == "%Y-%m-%d"
    assert date_format(pl.Series(["Ward A", "Ward B", "2024-01-01"])) is None
    assert date_format(pl.Series([None, ""], dtype=pl.String)) is None


# 2. values in y or n that are not numbers ------------------------------------------------


def test_text_in_y_names_its_line_column_and_value(csv, out):
    path = csv(months(y={10: "12 falls"}))
    with pytest.raises(CliError) as err:
        run("qic", path, "--x", "month", "--y", "falls", *out)
    assert str(err.value) == (
        "data.csv line 12, column 'falls' (y): '12 falls' is not a number. Write numbers "
        "only (no units, '<' or thousands commas; '.' for decimals), leave the cell empty "
        "if the value is not known, or delete the row."
    )


def test_many_bad_numbers_list_three_then_a_count(csv, out):
    y = {2: '"7,5"', 4: "<5", 6: "twelve", 8: "-", 20: "1 000"}
    with pytest.raises(CliError) as err:
        run("mdc", csv(months(y=y)), "--x", "month", "--y", "falls", *out)
    assert str(err.value).startswith(
        "data.csv column 'falls' (y): line 4 ('7,5'), line 6 ('<5'), line 8 ('twelve') "
        "and 2 more are not numbers. Write numbers only"
    )
    assert str(err.value).endswith("or delete the rows.")


def test_text_in_n_is_named_as_the_denominator(csv, out):
    path = csv(months().replace(",110\n", ",110 days\n"))
    with pytest.raises(CliError, match=r"line 12, column 'bed_days' \(n\): '110 days' is not"):
        run("qic", path, "--x", "month", "--y", "falls", "--n", "bed_days", "--chart", "u", *out)


def test_empty_and_na_numbers_are_missing_values(csv, out, tmp_path):
    path = csv(months(y={3: "", 4: "NA", 5: "n/a", 6: " N/A ", 7: "#N/A", 8: " 4 "}))
    run("qic", path, "--x", "month", "--y", "falls", "--n", "bed_days", "--chart", "p", *out)
    got = points(tmp_path)
    assert got.height == 24
    assert got["y"].is_null().sum() == 5
    assert got["y"][8] == pytest.approx(4 / 108)


def test_a_column_without_any_numbers_is_left_to_the_engine(csv, out):
    text = "month,home\n" + "".join(f"2024-{m:02d}-01,Oak Lodge\n" for m in range(1, 13))
    with pytest.raises(SpcInputError, match=r"column 'home' \(y\) must hold numbers"):
        run("qic", csv(text), "--x", "month", "--y", "home", *out)


# 3. --freeze / --part / --exclude / --rebase that are not dates --------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--freeze", "2023-13-01"),
        ("--freeze", "31/02/2024"),
        ("--part", "June"),
        ("--exclude", "2023-06-31"),
    ],
)
def test_qic_x_arguments_that_are_not_dates(csv, out, option, value):
    with pytest.raises(CliError) as err:
        run("qic", csv(months()), "--x", "month", "--y", "falls", option, value, *out)
    assert str(err.value) == (
        f"{option} {value!r} is not a date. Give it like the dates in column 'month' "
        "(such as 2023-01-01), or as YYYY-MM-DD."
    )


def test_a_bad_freeze_on_a_text_date_layout_is_no_longer_ignored(csv, out):
    path = csv(days(layout="{d:02d} Mar 2024"))
    with pytest.raises(
        CliError, match=r"--freeze '14 Mrz 2024' is not a date.*\(such as 01 Mar 2024\)"
    ):
        run("qic", path, "--x", "week", "--y", "weighed", "--freeze", "14 Mrz 2024", *out)


def test_mdc_rebase_that_is_not_a_date(csv, out):
    with pytest.raises(CliError, match=r"^--rebase '2024-02-30' is not a date\."):
        run(
            "mdc", csv(months()), "--x", "month", "--y", "falls",
            "--rebase", "2024-01-01", "--rebase", "2024-02-30", *out,
        )  # fmt: skip


@pytest.mark.parametrize("freeze", ["14 Mar 2024", "2024-03-14", "14/03/2024"])
def test_good_x_arguments_in_the_layout_or_iso_still_work(csv, out, tmp_path, freeze):
    path = csv(days(layout="{d:02d} Mar 2024"))
    run("qic", path, "--x", "week", "--y", "weighed", "--chart", "i", "--freeze", freeze, *out)
    got = points(tmp_path)
    assert got["week"].dtype == pl.Date
    assert got["baseline"].sum() == 14


def test_rebase_on_an_iso_column_still_works(csv, out, tmp_path):
    run("mdc", csv(months()), "--x", "month", "--y", "falls", "--rebase", "2024-01-01", *out)
    assert points(tmp_path)["rebase_group"].unique().sort().to_list() == [0, 1]
