"""The main job: synthetic extracts through the whole asset graph to a chart per site."""

from __future__ import annotations

import datetime as dt
import tomllib

import dagster as dg
import polars as pl
import pytest

from charts.spc import SpcWarning
from pipelines import demo
from pipelines.cli import main
from synth import write_extracts
from warehouse.settings import load_settings


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("M4C_PSEUDO_KEY", "demo-test")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_demo_runs_end_to_end_on_data_starting_in_august(project, capsys):
    write_extracts(project / "data" / "inbox", sites=2, homes=4, months=14, seed=3,
                   start=dt.date(2023, 8, 1))  # fmt: skip
    with pytest.warns(SpcWarning, match="trial limits"):  # 7 baseline months
        result = demo.run(load_settings(project))
    meta = result.ingest
    assert meta["files_refused"] == 0
    assert meta["rows_in"] == meta["rows_loaded"] + meta["rows_quarantined"] + meta["rows_skipped"]
    points = pl.read_csv(result.points, try_parse_dates=True)
    assert sorted(points["site"].unique()) == ["site_a", "site_b"]  # no m4c.toml: ids
    assert points.height == 2 * 14
    assert points["baseline"].sum() == 2 * 7
    assert points.filter(pl.col("baseline"))["month"].max() == dt.date(2024, 2, 1)
    assert "Falls per 1,000 occupied bed days, by site" in result.chart.read_text()
    printed = capsys.readouterr().out
    assert f"{meta['rows_loaded']:,} loaded" in printed
    assert f"Dagster run {result.run_id} is in {project / '.dagster'}" in printed
    assert (project / ".dagster" / "dagster.yaml").is_file()
    # the run is in the project's instance, which `m4c ui` and `dagster dev` open
    with dg.DagsterInstance.from_config(str(project / ".dagster")) as instance:
        run = instance.get_run_by_id(result.run_id)
        assert (run.job_name, run.status) == ("nightly_pipeline", dg.DagsterRunStatus.SUCCESS)


def test_a_month_with_incomplete_data_is_named_on_the_chart_page(project):
    inbox = project / "data" / "inbox"
    write_extracts(inbox, sites=2, homes=4, months=12, seed=3)
    # site_b sends no residents list for its first home: its rows are set aside
    home = sorted((inbox / "site_b" / "carehome").iterdir())[0]
    residents = home / "residents.csv"
    residents.write_text(residents.read_text().splitlines()[0] + "\n")
    with pytest.warns(SpcWarning):
        result = demo.run(load_settings(project))
    points = pl.read_csv(result.points, try_parse_dates=True)
    by_site = points.group_by("site").agg(pl.col("data_complete").sum()).sort("site")
    assert by_site.rows() == [("site_a", 12), ("site_b", 0)]
    assert points.filter(pl.col("site") == "site_b")["y"].is_null().all()
    page = result.chart.read_text()
    assert "Left out: 12 months with incomplete data" in page
    assert "January 2023: rows_set_aside" in page
    assert (project / "out" / "data_quality" / "site_b.html").is_file()


def test_the_demo_in_an_empty_folder_writes_its_settings_and_names_homes(project, capsys):
    assert main(["demo"]) == 0
    settings = tomllib.loads((project / "m4c.toml").read_text())
    sites = settings["sites"]
    assert sorted(sites) == ["site_a", "site_b", "site_c", "site_d"]
    homes = [h for s in sites.values() for h in s["homes"]]
    assert len(homes) == 29
    assert len({h["name"] for h in homes}) == 29
    first = sites["site_a"]
    page = (project / "out" / "data_quality" / "site_a.html").read_text()
    assert first["name"] in page
    assert any(h["name"] in page for h in first["homes"])
    chart = (project / "out" / "falls_by_site.html").read_text()
    assert all(s["name"] in chart for s in sites.values())
    assert "wrote synthetic extracts" in capsys.readouterr().out
