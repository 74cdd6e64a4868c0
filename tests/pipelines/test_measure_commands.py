"""``m4c measures``: the latest values, verdicts and signals, from the warehouse."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from charts.icons import ICON_WORDS, assurance_icon, variation_icon
from pipelines.cli import main
from pipelines.measure_commands import ASSURANCE, TOO_FEW, VARIATION
from synth import write_extracts
from warehouse.connection import connect
from warehouse.landing import ingest
from warehouse.measures import compute, load_registry
from warehouse.measures.signals import compute_signals
from warehouse.measures.spc_results import compute_spc
from warehouse.settings import register_rows
from warehouse.staging import build_all


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("measures_cli")
    summary = write_extracts(root / "inbox", sites=2, homes=4, months=14, seed=9)
    homes = register_rows(summary.register)
    path = root / "w.duckdb"
    with connect(path) as con:
        ingest(root / "inbox", con, key=b"cli")
        build_all(con, homes=homes)
        compute(con)
        compute_spc(con)
        compute_signals(con, run_at=dt.datetime(2030, 1, 1))
    return path, summary.register


def test_every_measure_of_every_site_is_listed_with_its_value_and_verdict(warehouse, capsys):
    path, register = warehouse
    assert main(["measures", "--warehouse", str(path)]) == 0
    out = capsys.readouterr().out
    site = register[0].name
    assert f"S1     {site}, " in out
    assert "Falls per 1,000 occupied bed days" in out
    assert "all sites, " in out
    listed = {line.split()[0] for line in out.splitlines() if not line.startswith(" ")}
    assert listed == set(load_registry().ids)


def test_one_home_by_its_name_as_json(warehouse, capsys):
    path, register = warehouse
    home = register[1].homes[0]
    assert main(["measures", "--warehouse", str(path), "--home", home.name, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["home_id"] for r in rows} == {home.cqc_id}
    assert {r["level"] for r in rows} == {"home"}
    s1 = next(r for r in rows if r["measure_id"] == "S1")
    assert s1["unit"] == "per 1,000 occupied bed days"
    assert s1["value"] >= 0
    assert isinstance(s1["signals"], list)


def test_a_site_by_name_shows_its_series_and_its_homes(warehouse, capsys):
    path, register = warehouse
    assert main(["measures", "--warehouse", str(path), "--site", register[0].name]) == 0
    out = capsys.readouterr().out
    assert register[0].homes[0].name in out
    assert register[1].name not in out


def test_wrong_choices_are_named(warehouse, tmp_path, capsys):
    path, _ = warehouse
    assert main(["measures", "--warehouse", str(path), "--site", "Atlantis"]) == 2
    assert "no site 'Atlantis'; the sites are site_a, site_b" in capsys.readouterr().err
    assert main(["measures", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    assert "there is no warehouse at" in capsys.readouterr().err


def _chart_icons(path) -> dict[str, tuple[str, str]]:
    """Each series' icons as the pages read its chart: ``charts.icons`` of its points."""
    with connect(path, read_only=True) as con:
        points = con.sql("SELECT * FROM spc_results ORDER BY series, period").pl()
    return {
        series: (variation_icon(pts), assurance_icon(pts))
        for (series,), pts in points.group_by("series", maintain_order=True)
    }


def test_the_verdict_is_the_charts_icons_not_the_xmr_reading(warehouse, capsys):
    path, _ = warehouse
    icons = _chart_icons(path)
    assert main(["measures", "--warehouse", str(path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert main(["measures", "--warehouse", str(path)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith(" ")]
    assert len(lines) == len(rows) > 0
    differ = 0
    for row, line in zip(rows, lines, strict=True):
        series = "|".join((row["measure_id"], row["level"], row["site_id"] or "",
                           row["home_id"] or ""))  # fmt: skip
        variation, assurance = icons[series]
        assert (row["variation"], row["assurance"]) == (variation, assurance), series
        verdict = VARIATION.get(variation, TOO_FEW)
        if assurance != "none":
            verdict += f"; {ASSURANCE[assurance]}"
        assert line.startswith(f"{row['measure_id']:<6} ")
        assert line.endswith(f"; {verdict})"), line
        if (row["mdc_variation"] or "none") != variation:  # NHSRplotthedots' XmR differs
            differ += 1
            if row["mdc_variation"] in VARIATION and variation != "none":
                assert not line.endswith(f"; {VARIATION[row['mdc_variation']]})"), line
    assert differ >= 5  # the chart's verdict is printed where the two engines disagree
    assert {"common_cause", "none"} < {r["variation"] for r in rows}
    assert "mdc_assurance" in rows[0]


def test_every_icon_has_words():
    assert {*VARIATION, *ASSURANCE, "none"} == set(ICON_WORDS)
    assert TOO_FEW == "too few points for a verdict"


def test_a_warehouse_charted_before_the_icons_were_stored_is_named(warehouse, tmp_path, capsys):
    path, _ = warehouse
    old = tmp_path / "old.duckdb"
    shutil.copy(path, old)
    with connect(old) as con:
        con.execute("ALTER TABLE spc_results DROP COLUMN variation")
    assert main(["measures", "--warehouse", str(old)]) == 2
    assert "charted by an older version" in capsys.readouterr().err
