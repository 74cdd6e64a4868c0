"""Chart outputs: the pages the pipeline draws from the measures."""

from pathlib import Path

import dagster as dg

from assets.ingest import POOL
from assets.measures import registry_of, signals
from assets.quality import dq_pages
from assets.resources import Project, Reports, Warehouse
from assets.roi import roi_summary
from expectations.report import check_title, site_results, summary_line
from expectations.rules import load_rules
from warehouse.pages.build import write_pages
from warehouse.pages.content import sites
from warehouse.roi.tables import RoiNotComputedError, read_summary


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
