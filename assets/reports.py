"""Chart outputs: the pages the pipeline draws from the measures."""

from pathlib import Path

import dagster as dg
import polars as pl

from assets.ingest import POOL
from assets.measures import measure_values
from assets.resources import Reports, Warehouse
from charts.measure_chart import site_chart
from charts.plot import report_html
from warehouse import measures

FALLS_TITLE = "Falls per 1,000 occupied bed days, by site"


@dg.asset(
    group_name="reports",
    kinds={"plotly", "html"},
    pool=POOL,
    deps=[measure_values],
    description=(
        "Falls per 1,000 occupied bed days for each site (S1, a U chart): "
        "falls_by_site.html (the chart and what it shows, in plain words) and "
        "falls_by_site.csv (its points) in the output folder."
    ),
)
def falls_chart(warehouse: Warehouse, reports: Reports) -> dg.MaterializeResult:
    """Chart S1 per site; months left out by the data-quality gate are named, not zero."""
    with warehouse.connect(read_only=True) as con:
        series = measures.site_series(con, "S1")
    s1 = measures.load_registry()["S1"]
    chart = site_chart(
        series,
        title=FALLS_TITLE,
        ylab="falls per 1,000 bed days",
        multiply=s1.multiplier,
        counts=("falls", "occupied_bed_days"),
    )
    out = Path(reports.path)
    out.mkdir(parents=True, exist_ok=True)
    page, points = out / "falls_by_site.html", out / "falls_by_site.csv"
    html = report_html(chart.figure, chart.findings, chart.result.rules, title=FALLS_TITLE)
    page.write_text(html, encoding="utf-8")
    chart.points.with_columns(pl.col("dq_checks").list.join(" ")).write_csv(points)
    return dg.MaterializeResult(
        metadata={
            "page": dg.MetadataValue.path(str(page)),
            "points": chart.points.height,
            "baseline_end": str(chart.baseline_end),
            "findings": "\n".join(
                f"{f.label}: {f.headline}" if f.label else f.headline for f in chart.findings
            ),
        }
    )
