"""Chart outputs: the pages the pipeline draws from the measures, and the alerts it sends."""

from pathlib import Path

import dagster as dg

from assets.ingest import POOL
from assets.measures import registry_of, signals
from assets.quality import dq_pages, dq_results
from assets.resources import Project, Reports, Warehouse
from assets.roi import roi_summary
from expectations.report import check_title, site_results, summary_line
from expectations.rules import load_rules
from warehouse.alerts import collect_alerts, deliver, write_logs
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


@dg.asset(
    group_name="reports",
    kinds={"duckdb", "email", "webhook"},
    pool=POOL,
    deps=[signals, dq_results],
    description=(
        "Alerts people receive: each new special-cause signal (said once per series) and "
        "each data-quality check that stops a site's charts, appended to the site's log "
        "(<site_id>/alerts.log in the output folder) and, as [alerts] of m4c.toml says, "
        "emailed to the site's recipients and POSTed to a webhook, one message per site. "
        "A delivery that fails is recorded here and does not fail the run."
    ),
)
def alerts(warehouse: Warehouse, reports: Reports, project: Project) -> dg.MaterializeResult:
    """Log every alert per site, then deliver them (docs/operations.md)."""
    with warehouse.connect(read_only=True) as con:
        found = collect_alerts(con)
    logs = write_logs(found, Path(reports.path))
    outcomes = deliver(found, project.settings().alerts)
    per_site = found.group_by("site_id").len().sort("site_id").rows()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": found.height,
            "alerts_per_site": dict(per_site),
            "new_signals": found.filter(found["kind"] == "signal").height,
            "data_quality": found.filter(found["kind"] == "data_quality").height,
            "logs": [str(p) for p in logs.values()],
            "delivered": sum(d.ok for d in outcomes),
            "failed": sum(not d.ok for d in outcomes),
            "failures": [f"{d.channel} {d.site_id}: {d.reason}" for d in outcomes if not d.ok],
        }
    )
