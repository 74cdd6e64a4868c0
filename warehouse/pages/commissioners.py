"""The commissioners' pack (``out/commissioners/``) and the index of everything.

The pack holds only suppressed figures: the ROI reports (:mod:`warehouse.roi.report`,
every count through :func:`warehouse.disclosure.disclose`), icons (no counts), and the
spreadsheets built from the same reports (:mod:`warehouse.exports.roi_tables`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from charts.icons import icon_svg, variation_icon
from warehouse.exports.roi_tables import roi_tables
from warehouse.exports.spreadsheet import write_tables
from warehouse.pages import content
from warehouse.pages.render import render
from warehouse.pages.site import icon_key
from warehouse.roi.uncertainty import DRAWS

FOLDER = "commissioners"


def _money(x: dict[str, float | None] | None) -> str:
    if not x or x.get("estimate") is None:
        return "—"

    def f(v: float | None) -> str:
        return "?" if v is None else (f"−£{abs(v):,.0f}" if v < 0 else f"£{v:,.0f}")

    return f"{f(x['estimate'])} ({f(x['lower'])} to {f(x['upper'])})"


def _pct(x: dict[str, float | None] | None) -> str:
    if not x or x.get("estimate") is None:
        return "—"

    def f(v: float | None) -> str:
        return "?" if v is None else f"{v:.0%}"

    return f"{f(x['estimate'])} ({f(x['lower'])} to {f(x['upper'])})"


def _count(v: Any, pounds: bool) -> str:
    if v is None:
        return "—" if pounds else "*"
    return f"£{v:,.0f}" if pounds else f"{v:,.0f}"


def _rows(report: dict[str, Any]) -> dict[str, Any]:
    rates = []
    for r in report["rate_ratios"]:
        pounds = r["unit"] == "£"
        ratio = (
            f"{r['estimate']:.2f} ({r['lower']:.2f}–{r['upper']:.2f})"
            if r.get("estimate") is not None
            else "—"
        )
        kind = "controlled" if r.get("controlled") else "uncontrolled"
        model = "; ".join(x for x in (f"{r['model']}, {kind}" if r.get("model") else "",
                                       r.get("note") or "") if x)  # fmt: skip
        rates.append(
            {
                "title": r["title"],
                "before": _count(r.get("before"), pounds),
                "after": _count(r.get("after"), pounds),
                "expected": _count(r.get("expected"), pounds),
                "ratio": ratio,
                "model": model,
            }
        )
    sens = [
        {
            "parameter": s["parameter"],
            "low_label": s["low_label"],
            "high_label": s["high_label"],
            "net_low": _money({"estimate": s["net_low"], "lower": None, "upper": None}).split(" (")[
                0
            ],
            "net_high": _money({"estimate": s["net_high"], "lower": None, "upper": None}).split(
                " ("
            )[0],
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
            row["cells"][site.site_id] = icon_svg(variation_icon(series), size=28)
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
        price_year=reports[0]["price_year"] if reports else "",
        disclosure=reports[0]["disclosure"] if reports else "",
        draws=f"{DRAWS:,}",
        roi=[
            {
                "name": r["site_name"],
                "cost": _money(r["intervention_cost"]),
                "avoided": _money(r["costs_avoided"]),
                "savings": _money(r["attributable_savings"]),
                "net": _money(r["net_benefit"]),
                "roi": _pct(r["roi"]),
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
