"""The main job: synthetic extracts through the Dagster assets to a chart per site."""

from __future__ import annotations

import polars as pl
import pytest

from charts.spc import SpcWarning
from connectors.synth import write_extracts
from pipelines import demo


def test_demo_runs_end_to_end(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("M4C_PSEUDO_KEY", "demo-test")
    inbox = tmp_path / "inbox"
    write_extracts(inbox, sites=2, homes=4, months=12, seed=3)
    with pytest.warns(SpcWarning, match="trial limits"):  # 8 baseline months
        result = demo.run(inbox, tmp_path / "w.duckdb", tmp_path / "out")
    meta = result.metadata
    assert meta["files_refused"] == 0
    assert meta["rows_in"] == meta["rows_loaded"] + meta["rows_quarantined"] + meta["rows_skipped"]
    points = pl.read_csv(result.points, try_parse_dates=True)
    assert sorted(points["site_id"].unique()) == ["site_a", "site_b"]
    assert points.height == 2 * 12
    assert points["baseline"].sum() == 2 * 8
    assert "Falls per 1,000 occupied bed days, by site" in result.chart.read_text()
    printed = capsys.readouterr().out
    assert "site_id = site_a" in printed
    assert f"{meta['rows_loaded']:,} loaded" in printed


def test_a_month_with_incomplete_data_is_named_on_the_chart_page(tmp_path, monkeypatch):
    monkeypatch.setenv("M4C_PSEUDO_KEY", "demo-test")
    inbox = tmp_path / "inbox"
    write_extracts(inbox, sites=2, homes=4, months=12, seed=3)
    # site_b sends no residents list for its first home: its rows are set aside
    home = sorted((inbox / "site_b" / "carehome").iterdir())[0]
    residents = home / "residents.csv"
    residents.write_text(residents.read_text().splitlines()[0] + "\n")
    with pytest.warns(SpcWarning):
        result = demo.run(inbox, tmp_path / "w.duckdb", tmp_path / "out")
    points = pl.read_csv(result.points, try_parse_dates=True)
    by_site = points.group_by("site_id").agg(pl.col("data_complete").sum()).sort("site_id")
    assert by_site.rows() == [("site_a", 12), ("site_b", 0)]
    assert points.filter(pl.col("site_id") == "site_b")["y"].is_null().all()
    page = result.chart.read_text()
    assert "Left out: 12 months with incomplete data" in page
    assert "January 2023: rows_set_aside; see data_quality/site_b.html" in page
    assert (tmp_path / "out" / "data_quality" / "site_b.html").is_file()
