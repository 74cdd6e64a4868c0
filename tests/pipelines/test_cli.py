"""The m4c command line: charts a CSV, and reports bad input in one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from pipelines.cli import main
from pipelines.runner import materialise
from warehouse.settings import load_settings

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "falls.csv"


def test_qic_writes_points_and_chart(tmp_path, capsys):
    out = tmp_path / "falls.html"
    code = main(
        [
            "qic",
            str(SAMPLE),
            "--x",
            "month",
            "--y",
            "falls",
            "--n",
            "bed_days",
            "--chart",
            "u",
            "--multiply",
            "1000",
            "--facet",
            "home",
            "--freeze",
            "2023-12-01",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    points = pl.read_csv(tmp_path / "falls.csv", try_parse_dates=True)
    assert points.height == 72
    assert points["home"].unique().sort().to_list() == ["Beech House", "Oak Lodge", "Willow Court"]
    assert points.filter(pl.col("baseline"))["month"].max().isoformat() == "2023-12-01"
    page = out.read_text()
    assert "U chart of falls / bed_days × 1000" in page
    printed = capsys.readouterr().out
    assert "home = Oak Lodge: Signal: the process has changed" in printed
    assert "home = Willow Court: No signal" in printed


def test_day_first_dates_are_read(tmp_path):
    csv = tmp_path / "weights.csv"
    csv.write_text(
        "week,residents_weighed\n"
        + "".join(
            f"{d:02d}/03/2024,{w}\n"
            for d, w in zip(range(1, 29), [20, 22, 21, 23] * 7, strict=True)
        )
    )
    code = main(
        [
            "qic",
            str(csv),
            "--x",
            "week",
            "--y",
            "residents_weighed",
            "--chart",
            "i",
            "--freeze",
            "14/03/2024",
            "--out",
            str(tmp_path / "w.html"),
        ]
    )
    assert code == 0
    points = pl.read_csv(tmp_path / "w.csv", try_parse_dates=True)
    assert points["week"].dtype == pl.Date
    assert points["baseline"].sum() == 14


def test_mdc_subcommand(tmp_path, capsys):
    code = main(
        [
            "mdc",
            str(SAMPLE),
            "--x",
            "month",
            "--y",
            "falls",
            "--facet",
            "home",
            "--improvement",
            "decrease",
            "--target",
            "4",
            "--rebase",
            "2024-01-01",
            "--out",
            str(tmp_path / "m.html"),
        ]
    )
    assert code == 0
    assert pl.read_csv(tmp_path / "m.csv")["rebase_group"].unique().sort().to_list() == [0, 1]
    captured = capsys.readouterr()
    assert "[mdc ptd-0.2.2]" in captured.out
    assert "m4c: warning: mdc: 6 group(s) have fewer than 13 points" in captured.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["qic", "missing.csv", "--x", "a", "--y", "b"], "cannot find the file 'missing.csv'"),
        (
            ["qic", str(SAMPLE), "--x", "month", "--y", "fall"],
            "column 'fall' (given as y) is not in the data",
        ),
        (
            ["qic", str(SAMPLE), "--x", "month", "--y", "home"],
            "column 'home' (y) must hold numbers",
        ),
    ],
)
def test_user_errors_are_one_line_without_traceback(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("m4c: error: ")
    assert message in err
    assert "Traceback" not in err


def write_inbox(tmp_path):
    """site_a: two A&E attendances (the second NHS number fails its check) and an empty file."""
    site = tmp_path / "inbox" / "site_a" / "hospital"
    site.mkdir(parents=True)
    (site / "ae_attendances.csv").write_text(
        "attendance_id,nhs_number,arrival_datetime,department_type,disposal\n"
        "A1,999 000 0018,01/03/2024 10:00,1,admitted\n"
        "A2,999 000 0019,02/03/2024 11:00,1,home\n"
    )
    (site / "empty.csv").write_text("")


def test_ingest_reports_every_file_as_json(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("M4C_PSEUDO_KEY", "test-key")
    write_inbox(tmp_path)
    args = ["ingest", "--inbox", str(tmp_path / "inbox"), "--warehouse", str(tmp_path / "w.duckdb")]
    assert main([*args, "--json"]) == 3  # a file was refused
    report = {r["file"]: r for r in json.loads(capsys.readouterr().out)}
    ae = report["site_a/hospital/ae_attendances.csv"]
    assert {
        k: ae[k]
        for k in (
            "source",
            "table",
            "schema_version",
            "encoding",
            "rows_in",
            "rows_loaded",
            "rows_quarantined",
            "rows_skipped",
            "status",
        )
    } == {
        "source": "hospital",
        "table": "ae_attendances",
        "schema_version": "1",
        "encoding": "utf-8",
        "rows_in": 2,
        "rows_loaded": 1,
        "rows_quarantined": 1,
        "rows_skipped": 0,
        "status": "loaded",
    }
    assert report["site_a/hospital/empty.csv"]["status"] == "refused"
    assert main(args) == 3
    again = capsys.readouterr()
    assert "unchanged" in again.out
    assert "m4c: refused: site_a/hospital/empty.csv was not loaded: it is empty" in again.err


def test_validate_prints_each_sites_problems_and_writes_its_page(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("M4C_PSEUDO_KEY", "test-key")
    write_inbox(tmp_path)
    warehouse = ["--warehouse", str(tmp_path / "w.duckdb")]
    assert main(["ingest", "--inbox", str(tmp_path / "inbox"), *warehouse]) == 3
    capsys.readouterr()
    args = ["validate", *warehouse, "--as-of", "2024-03-10", "--out", str(tmp_path / "out")]
    assert main([*args, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["run_date"] == "2024-03-10"
    site_a = summary["sites"]["site_a"]
    assert site_a["errors"] == 2
    assert {(p["check"], p["failing"], p["rows"]) for p in site_a["problems"]} == {
        ("extract_loaded", 1, 1),
        ("nhs_number_valid", 1, 2),
    }
    page = (tmp_path / "out" / "data_quality" / "site_a.html").read_text()
    assert "1 of 2 rows in site_a/hospital/ae_attendances.csv (line 3) has an NHS number" in page
    assert "site_a/hospital/empty.csv was not loaded: it is empty" in page
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "site_a: 2 problems stop charts (ERROR), 0 need a look (WARN)" in printed
    assert "  ERROR whole site, all months: site_a/hospital/empty.csv was not loaded" in printed


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--site", "site_z"], "no site 'site_z' in the warehouse; the sites are site_a."),
        (["--as-of", "1/3/24"], "--as-of '1/3/24' is not a date: give it as YYYY-MM-DD."),
    ],
)
def test_validate_user_errors(tmp_path, capsys, monkeypatch, extra, message):
    monkeypatch.setenv("M4C_PSEUDO_KEY", "test-key")
    warehouse = ["--warehouse", str(tmp_path / "w.duckdb")]
    assert main(["validate", *warehouse]) == 2
    assert "there is no warehouse at" in capsys.readouterr().err
    write_inbox(tmp_path)
    assert main(["ingest", "--inbox", str(tmp_path / "inbox"), *warehouse]) == 3
    assert main(["validate", *warehouse, "--out", str(tmp_path), *extra]) == 2
    assert capsys.readouterr().err.strip().endswith(message)


def test_ingest_counts_refused_files_and_exits_3(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("M4C_PSEUDO_KEY", "test-key")
    write_inbox(tmp_path)
    code = main(["ingest", "--inbox", str(tmp_path / "inbox"),
                 "--warehouse", str(tmp_path / "w.duckdb")])  # fmt: skip
    assert code == 3
    out, err = capsys.readouterr()
    assert "2 files (1 refused), 2 rows: 1 loaded, 1 quarantined, 0 skipped." in out
    assert "m4c: 1 file was refused (exit status 3)" in err


def test_an_inbox_that_is_a_sites_folder_is_a_one_line_error(tmp_path, capsys):
    write_inbox(tmp_path)
    code = main(["ingest", "--inbox", str(tmp_path / "inbox" / "site_a"),
                 "--warehouse", str(tmp_path / "w.duckdb")])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("m4c: error: ")
    assert "looks like one site's folder, not the inbox: it holds hospital" in err


def test_paths_are_where_the_settings_file_is_whatever_folder_m4c_runs_in(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("M4C_PSEUDO_KEY", "test-key")
    write_inbox(tmp_path)
    (tmp_path / "m4c.toml").write_text('[sites.site_a]\nname = "Hillside"\n')
    deeper = tmp_path / "notes" / "2024"
    deeper.mkdir(parents=True)
    monkeypatch.chdir(deeper)
    assert main(["ingest"]) == 2  # the settings' inbox, tmp_path/data/inbox, is not there
    assert (
        f"cannot find the inbox folder '{tmp_path / 'data' / 'inbox'}'" in capsys.readouterr().err
    )
    capsys.readouterr()
    assert main(["ingest", "--inbox", str(tmp_path / "inbox")]) == 3
    assert main(["validate", "--as-of", "2024-03-10"]) == 0
    assert (tmp_path / "out" / "data_quality" / "site_a.html").is_file()
    assert (tmp_path / "data" / "warehouse.duckdb").is_file()
    assert not any(deeper.iterdir())
    assert "Hillside: 2 problems stop charts" in capsys.readouterr().out


def test_run_refuses_an_asset_that_is_not_in_the_graph(tmp_path, capsys):
    assert main(["run", "--select", "measure_values,spc_result"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("m4c: error: there is no asset 'spc_result'; the assets are ")
    assert "spc_results" in err


def test_run_says_where_the_inbox_should_be_before_it_starts(tmp_path, capsys):
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("m4c: error: cannot find the inbox folder ")
    assert "warning" not in err


def test_an_ingest_alone_leaves_the_freshness_check_waiting_for_a_data_quality_run(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("M4C_PSEUDO_KEY", "test-key")
    write_inbox(tmp_path)
    settings = load_settings(tmp_path, search=False).replace(inbox=tmp_path / "inbox")
    result = materialise(settings, ["raw_extracts"])
    (check,) = result.get_asset_check_evaluations()
    assert (check.asset_key.to_user_string(), check.passed) == ("raw_extracts", False)
    assert check.description == "Data quality has not been checked yet: materialise dq_results."
