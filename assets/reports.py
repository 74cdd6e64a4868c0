"""Chart outputs: the pages the pipeline draws from the measures."""

from pathlib import Path

import dagster as dg
import polars as pl

from assets.ingest import POOL
from assets.measures import measure_values, registry_of, signals
from assets.quality import dq_pages
from assets.resources import Project, Reports, Warehouse
from assets.roi import roi_summary
from charts.measure_chart import site_chart
from charts.plot import report_html
from expectations.report import check_title, site_results, summary_line
from expectations.rules import load_rules
from warehouse import measures
from warehouse.pages.build import write_pages
from warehouse.pages.content import sites
from warehouse.roi.tables import RoiNotComputedError, read_summary

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


@dg.asset(
    group_name="reports",
    kinds={"plotly", "html"},
    pool=POOL,
    deps=[signals, roi_summary, dq_pages],
    description=(
        "The pages people read, in the output folder: index.html; a folder per site "
        "(<site_id>/: its dashboard of every measure with Making Data Count icons, a home "
        "x measure matrix, new signals in plain words, data-quality status and change "
        "log; a page per measure with the site chart, the homes' small multiples, a "
        "funnel, the definition and the points with their files; PNGs of the charts and "
        "the QI meeting's slides); and commissioners/ (the ROI, suppressed)."
    ),
)
def pages(warehouse: Warehouse, reports: Reports, project: Project) -> dg.MaterializeResult:
    """Write every page, PNG and slide deck."""
    reasons = {r.check: check_title(r) for r in load_rules()}
    with warehouse.connect(read_only=True) as con:
        dq_lines = {
            s.site_id: summary_line(site_results(con, s.site_id), s.site_id) for s in sites(con)
        }
        try:
            roi = read_summary(con)
        except RoiNotComputedError:
            roi = []
        result = write_pages(
            con, registry_of(project), Path(reports.path), reasons=reasons, dq_lines=dq_lines,
            reports=roi,
        )  # fmt: skip
    biggest = max(result.page_bytes.values(), default=0)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(result.pages),
            "index": dg.MetadataValue.path(str(result.index)),
            "pages": len(result.pages),
            "pngs": len(result.pngs),
            "decks": len(result.decks),
            "largest_site_pages_mb": round(biggest / 1e6, 2),
            "seconds": round(result.seconds, 1),
        }
    )
