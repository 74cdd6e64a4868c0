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
