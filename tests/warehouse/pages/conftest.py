"""A small synthetic collaborative, built once, with hostile home names, and its pages."""

from __future__ import annotations

import datetime as dt

import pytest

from synth import write_extracts
from warehouse.connection import connect
from warehouse.landing import ingest
from warehouse.measures import compute, load_registry
from warehouse.measures.signals import compute_signals
from warehouse.measures.spc_results import compute_spc
from warehouse.pages.build import write_pages
from warehouse.roi.tables import read_summary, store_inputs, store_summary
from warehouse.settings import register_rows
from warehouse.staging import build_all

SCRIPT = "<script>alert(1)</script> House"  # a home name that must never run as a script
FORMULA = '=HYPERLINK("http://x")'  # a home name that must never run as a formula


@pytest.fixture(scope="session")
def site_pages(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    summary = write_extracts(root / "inbox", sites=3, homes=9, months=14, seed=11,
                             intervention_month=6)  # fmt: skip
    homes = register_rows(summary.register)
    homes[0]["home_name"], homes[4]["home_name"] = SCRIPT, FORMULA
    with connect(root / "w.duckdb") as con:
        ingest(root / "inbox", con, key=b"pages")
        build_all(con, homes=homes)
        compute(con)
        compute_spc(con)
        compute_signals(con, run_at=dt.datetime(2030, 1, 1))
        store_inputs(con)
        store_summary(con)
        result = write_pages(
            con, load_registry(), root / "out", reasons={}, dq_lines={},
            reports=read_summary(con),
        )  # fmt: skip
    return root / "out", result, homes
