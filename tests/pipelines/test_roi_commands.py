"""``m4c roi``: the commissioners' summary, as text and JSON, from the warehouse."""

from __future__ import annotations

import json

import pytest

from pipelines.cli import main
from synth import write_extracts
from warehouse.connection import connect
from warehouse.landing import ingest
from warehouse.measures import compute
from warehouse.roi.tables import store_inputs, store_summary
from warehouse.settings import register_rows
from warehouse.staging import build_all


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("roi_cli")
    summary = write_extracts(root / "inbox", sites=3, homes=9, months=12, seed=4,
                             intervention_month=5)  # fmt: skip
    homes = register_rows(summary.register)
    path = root / "w.duckdb"
    with connect(path) as con:
        ingest(root / "inbox", con, key=b"cli")
        build_all(con, homes=homes)
        compute(con)
        bare = root / "bare.duckdb"
        store_inputs(con)
        store_summary(con)
    with connect(bare) as con:
        con.execute("CREATE TABLE x (a INT)")
    return path, bare, summary.register


def test_the_summary_names_each_site_its_price_year_and_its_assumptions(warehouse, capsys):
    path, _, register = warehouse
    assert main(["roi", "--warehouse", str(path)]) == 0
    out = capsys.readouterr().out
    for site in register:
        assert f"{site.name} ({site.site_id}): return on investment at 2023/24 prices" in out
    assert "All sites: return on investment" in out
    assert "Programme cost" in out
    assert "Net benefit" in out
    assert "Assumptions:" in out
    assert "Attribution: 50%" in out
    assert "Counts of 1 to 7 are hidden" in out


def test_json_has_one_object_per_site_and_the_collaborative(warehouse, capsys):
    path, _, register = warehouse
    assert main(["roi", "--warehouse", str(path), "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [e["site_id"] for e in items] == [*(s.site_id for s in register), "collaborative"]
    first = items[0]
    assert first["role"] == "intervention"
    assert set(first["roi"]) == {"estimate", "lower", "upper"}
    assert {r["resource"] for r in first["rate_ratios"]} >= {
        "emergency_admissions",
        "ae_attendances",
        "prescribing_cost",
        "ons_cost",
    }


def test_one_site_by_name(warehouse, capsys):
    path, _, register = warehouse
    assert main(["roi", "--warehouse", str(path), "--site", register[1].name, "--json"]) == 0
    (item,) = json.loads(capsys.readouterr().out)
    assert item["site_id"] == register[1].site_id


def test_an_unknown_site_or_a_warehouse_without_roi_is_a_one_line_error(warehouse, capsys):
    path, bare, _ = warehouse
    assert main(["roi", "--warehouse", str(path), "--site", "Nowhere"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("m4c: error: no site 'Nowhere' in the ROI; the sites are site_a")
    assert main(["roi", "--warehouse", str(bare)]) == 2
    assert "has no ROI yet: run `m4c demo` or `m4c run` first" in capsys.readouterr().err
