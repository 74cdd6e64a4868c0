"""The ROI's tables in the warehouse: ``roi_inputs`` and ``roi_summary`` (and its parts).

``roi_inputs`` holds each resource per home and month as the ROI reads it (and
``roi_long_stays`` the stay mix); ``roi_summary`` one JSON object per site and one for
the collaborative, as ``m4c roi --json`` prints them, with ``roi_rate_ratios`` and
``roi_sensitivity`` beside it as tables.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb
import polars as pl

from warehouse.connection import registered, transaction
from warehouse.roi.inputs import home_names, long_stay_inputs, plans, roi_inputs
from warehouse.roi.intervention_costs import intervention_costs
from warehouse.roi.report import reports
from warehouse.roi.resources import load_resources
from warehouse.roi.summary import Estimate, RoiOptions, estimate
from warehouse.roi.unit_costs import load_unit_costs


class RoiNotComputedError(LookupError):
    """The warehouse has no ROI yet; the message says how to compute it."""


def _replace(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    with registered(con, frame=frame):
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM frame")


def store_inputs(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Write ``roi_inputs`` and ``roi_long_stays`` from ``measure_values``."""
    inputs = roi_inputs(con, load_resources())
    long_stays = long_stay_inputs(con)
    with transaction(con):
        _replace(con, "roi_inputs", inputs)
        _replace(con, "roi_long_stays", long_stays)
    return {
        "rows": inputs.height,
        "usable": int(inputs["usable"].sum()),
        "left_out": int((~inputs["usable"]).sum()),
        "long_stay_rows": long_stays.height,
    }


DEFAULTS = RoiOptions()


def store_summary(
    con: duckdb.DuckDBPyConnection, options: RoiOptions = DEFAULTS
) -> tuple[Estimate, list[dict[str, Any]]]:
    """Estimate the ROI from ``roi_inputs`` and write ``roi_summary`` and its parts."""
    resources, unit_costs = load_resources(), load_unit_costs()
    try:
        inputs = con.sql("SELECT * FROM roi_inputs").pl()
        long_stays = con.sql("SELECT * FROM roi_long_stays").pl()
    except duckdb.CatalogException as e:
        raise RoiNotComputedError(
            "the warehouse has no roi_inputs yet: run `m4c run` (or materialise roi_inputs)"
        ) from e
    homes = inputs.select("site_id", "home_id").unique()
    plan = plans(con, resources, homes)
    est = estimate(
        inputs,
        long_stays,
        plan,
        intervention_costs(con, unit_costs),
        unit_costs,
        resources,
        options,
    )
    items = reports(est, home_names(con))
    summary = pl.DataFrame(
        {
            "site_id": [e["site_id"] for e in items],
            "site_name": [e["site_name"] for e in items],
            "role": [e["role"] for e in items],
            "price_year": [e["price_year"] for e in items],
            "report": [json.dumps(e) for e in items],
        }
    )
    with transaction(con):
        _replace(con, "roi_summary", summary)
        _replace(con, "roi_rate_ratios", est.rate_ratios)
        _replace(con, "roi_sensitivity", est.sensitivity)
    return est, items


def read_summary(con: duckdb.DuckDBPyConnection, site: str | None = None) -> list[dict[str, Any]]:
    """The stored reports (one site's, by id or name, and the collaborative's if none)."""
    try:
        rows = con.sql("SELECT site_id, site_name, report FROM roi_summary").fetchall()
    except duckdb.CatalogException as e:
        raise RoiNotComputedError(
            "the warehouse has no ROI yet: run `m4c demo` or `m4c run` first"
        ) from e
    items = [json.loads(r) for _, _, r in rows]
    if site is None:
        return items
    found = [e for e in items if site in (e["site_id"], e["site_name"])]
    if not found:
        known = ", ".join(f"{e['site_id']} ({e['site_name']})" for e in items)
        raise KeyError(f"no site {site!r} in the ROI; the sites are {known}")
    return found
