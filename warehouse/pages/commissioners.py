"""The commissioners' pack (``out/commissioners/``) and the index of everything.

The pack holds only suppressed figures: the ROI reports (:mod:`warehouse.roi.report`,
every count through :func:`warehouse.disclosure.disclose`), icons (no counts), and the
spreadsheets built from the same reports (:mod:`warehouse.exports.roi_tables`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from charts.icons import icon_sprite, icon_use, variation_icon
from warehouse.exports.roi_tables import roi_tables
from warehouse.exports.spreadsheet import write_tables
from warehouse.pages import content
from warehouse.pages.render import render
from warehouse.pages.site import icon_key
from warehouse.roi.report import (
    count_text,
    interval_text,
    model_text,
    percent,
    pounds,
    ratio_text,
)
from warehouse.roi.uncertainty import DRAWS

FOLDER = "commissioners"


def _rows(report: dict[str, Any]) -> dict[str, Any]:
    rates = [
        {
            "title": r["title"],
            **{k: count_text(r.get(k), r["unit"] == "£") for k in ("before", "after", "expected")},
            "ratio": ratio_text(r),
            "model": model_text(r),
        }
        for r in report["rate_ratios"]
    ]
    sens = [
        {
            "parameter": s["parameter"],
            "low_label": s["low_label"],
            "high_label": s["high_label"],
            "net_low": pounds(s["net_low"], "—"),
            "net_high": pounds(s["net_high"], "—"),
        }
        for s in report.get("sensitivity") or []
    ]
    return {"name": report["site_name"], "rates": rates, "sensitivity": sens}


def write_commissioners(
    con: Any, reports: list[dict[str, Any]], sites: list[content.Site], out: Path
) -> list[Path]:
    """Write the pack: the ROI, every site's icons, the assumptions and the spreadsheets."""
    folder = out / FOLDER
    tables = write_tables(roi_tables(reports), folder, workbook="roi") if reports else []
    money = [r for r in reports if r.get("intervention_cost")]
    matrix_rows: dict[str, dict[str, Any]] = {}
    for site in sites:
        pts = content.points(con, site.site_id, {}).filter(pl.col("level") == "site")
        for (measure_id,), series in pts.group_by("measure_id", maintain_order=True):
            row = matrix_rows.setdefault(measure_id, {"title": measure_id, "cells": {}})
            row["cells"][site.site_id] = icon_use(variation_icon(series), size=28)
    titles = dict(con.sql("SELECT measure_id, title FROM ref_measure").fetchall())
    order = [
        m for (m,) in con.sql("SELECT measure_id FROM ref_measure ORDER BY position").fetchall()
    ]
    matrix = {
        "columns": [s.name for s in sites],
        "rows": [
            {
                "title": titles.get(m, m),
                "cells": [matrix_rows[m]["cells"].get(s.site_id, "") for s in sites],
            }
            for m in order
            if m in matrix_rows
        ],
    }
    page = render(
        "commissioners.html.j2",
        folder / "index.html",
        title="For commissioners: return on investment",
        heading="For commissioners: return on investment",
        crumbs=[("All sites", "../index.html")],
        plotly=None,
        sprite=icon_sprite(),
        price_year=reports[0]["price_year"] if reports else "",
        disclosure=reports[0]["disclosure"] if reports else "",
        draws=f"{DRAWS:,}",
        roi=[
            {
                "name": r["site_name"],
                "cost": interval_text(r["intervention_cost"], lead=""),
                "avoided": interval_text(r["costs_avoided"], lead=""),
                "savings": interval_text(r["attributable_savings"], lead=""),
                "net": interval_text(r["net_benefit"], lead=""),
                "roi": interval_text(r["roi"], percent, lead=""),
                "chance": f"{r['probability_roi_positive']:.0%}",
                "break_even": f"{r['break_even_admissions']:,.1f}"
                if r["break_even_admissions"]
                else "—",
            }
            for r in money
        ],
        roi_details=[_rows(r) for r in reports],
        matrix=matrix,
        icon_key=icon_key(),
        assumptions=reports[0]["assumptions"] if reports else [],
        downloads=[(p.name, p.name) for p in tables],
    )
    return [page, *tables]


def write_index(out: Path, sites: list[content.Site], signals: dict[str, int]) -> Path:
    """The index page: every site's folder, its data quality and the commissioners' pack."""
    return render(
        "index.html.j2",
        out / "index.html",
        title="Measure for Change",
        heading="Measure for Change",
        crumbs=[],
        plotly=None,
        sites=[
            {
                "name": s.name,
                "href": f"{s.site_id}/index.html",
                "homes": len(s.homes),
                "signals": f"{signals.get(s.site_id, 0)} signals at the latest points",
                "dq": f"data_quality/{s.site_id}.html",
            }
            for s in sites
        ],
        commissioners=f"{FOLDER}/index.html",
    )
