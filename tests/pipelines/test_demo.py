"""The main job: synthetic extracts through the whole asset graph to the pages per site."""

from __future__ import annotations

import datetime as dt
import html
import re
import tomllib

import dagster as dg
import polars as pl
import pytest

from pipelines import demo
from pipelines.cli import main
from synth import write_extracts
from warehouse.settings import load_settings


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("M4C_PSEUDO_KEY", "demo-test")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def rows_about(page, measure_key: str) -> list[str]:
    """The words of each table row of a site's dashboard that links to a measure's page."""
    rows = re.findall(rf'<tr>(?:(?!</tr>).)*?href="{measure_key}\.html"(?:(?!</tr>).)*</tr>',
                      page.read_text(encoding="utf-8"), flags=re.S)  # fmt: skip
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", r)).split()) for r in rows]


def site_rows(folder, measure_key: str) -> pl.DataFrame:
    """The site-level points of a measure's CSV in a site's folder."""
    points = pl.read_csv(folder / f"{measure_key}.csv", try_parse_dates=True)
    return points.filter(pl.col("level") == "site")


def test_demo_runs_end_to_end_on_data_starting_in_august(project, capsys):
    write_extracts(project / "data" / "inbox", sites=2, homes=4, months=14, seed=3,
                   start=dt.date(2023, 8, 1))  # fmt: skip
    result = demo.run(load_settings(project))
    meta = result.ingest
    assert meta["files_refused"] == 0
    assert meta["rows_in"] == meta["rows_loaded"] + meta["rows_quarantined"] + meta["rows_skipped"]
    out = project / "out"
    assert result.index == out / "index.html"
    index = result.index.read_text(encoding="utf-8")
    for site in ("site_a", "site_b"):  # no m4c.toml: the sites are named by their ids
        assert f'href="{site}/index.html"' in index
        assert f">{site}<" in index
        falls = site_rows(out / site, "s1")
        assert falls.height == 14
        assert falls["period"].min() == dt.date(2023, 8, 1)
        assert falls["period"].max() == dt.date(2024, 9, 1)
    (falls,) = [r for r in rows_about(out / "site_a" / "index.html", "s1") if "S1 ·" in r]
    assert "No signal at site_a: the latest points show only the usual ups and downs" in falls
    printed = capsys.readouterr().out
    assert f"{meta['rows_loaded']:,} loaded" in printed
    assert f"Dagster run {result.run_id} is in {project / '.dagster'}" in printed
    assert printed.splitlines()[-1].startswith(f"pages: open {out / 'index.html'} (")
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
    result = demo.run(load_settings(project))
    out = result.index.parent
    complete = {s: site_rows(out / s, "s1")["data_complete"].sum() for s in ("site_a", "site_b")}
    assert complete == {"site_a": 12, "site_b": 0}
    assert site_rows(out / "site_b", "s1")["value"].is_null().all()
    page = (out / "site_b" / "s1.html").read_text(encoding="utf-8")
    first = re.search(r"<tr><td>January 2023</td>.*?</tr>", page, flags=re.S).group(0)
    assert "no point" in first
    assert "incomplete: Rows that were set aside" in first
    (falls,) = [r for r in rows_about(out / "site_b" / "index.html", "s1") if "S1 ·" in r]
    assert "No points yet for site_b." in falls
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
    index = (project / "out" / "index.html").read_text(encoding="utf-8")
    assert all(s["name"] in index for s in sites.values())
    # planted: falls fall at site_a once its falls huddles begin; the dashboard says so
    (falls,) = [r for r in rows_about(project / "out" / "site_a" / "index.html", "s1")
                if "S1 ·" in r]  # fmt: skip
    assert f"Falls at {first['name']}: " in falls
    assert "This looks like a real improvement" in falls
    assert "wrote synthetic extracts" in capsys.readouterr().out
