"""``m4c measures``: the latest values, verdicts and signals, from the warehouse."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pipelines.cli import main
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
