"""The main job on the embedded default: synthetic extracts, through the pipeline, to a chart.

1. Write the synthetic PEACH-like extract set (4 sites, 29 homes, 18 months, seed 7) to
   ``data/inbox`` unless an inbox is already there.
2. Materialise the Dagster assets (``raw_extracts`` and the staged model) in-process
   into ``data/warehouse.duckdb``: the same code the nightly schedule runs.
3. Check data quality (``dq_results``, a page per site in ``out/data_quality``) and
   compute the measures gated by it (``measure_values``).
4. Chart falls per 1,000 occupied bed days for each site, with the months before the
   sites' change as the baseline; months left out for incomplete data are listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from assets.ingest import STAGED_ASSETS, Inbox, Warehouse, raw_extracts
from assets.measures import measure_values
from assets.quality import QUALITY_CHECKS, Reports, dq_pages, dq_results
from charts.explain import Finding, explain_qic
from charts.plot import qic_figure, report_html
from charts.spc import qic
from connectors.synth import DEFAULT_END, write_extracts
from pipelines import settings

# The day after the bundled synthetic extracts end: freshness is judged against it.
AS_OF = DEFAULT_END
FALLS_BY_SITE = """
SELECT site_id, month, numerator AS falls, denominator AS occupied_bed_days, data_complete,
       dq_checks
FROM measure_values WHERE measure_id = 'S1' AND home_id IS NULL
ORDER BY site_id, month
"""


@dataclass(frozen=True)
class DemoResult:
    """Where the demo wrote its outputs, and what the ingest did."""

    inbox: Path
    warehouse: Path
    chart: Path
    points: Path
    metadata: dict[str, int]


def run(inbox: Path, warehouse: Path, out: Path) -> DemoResult:
    """Run the whole demo; print progress as it goes."""
    if not inbox.exists() or not any(inbox.iterdir()):
        s = write_extracts(inbox)
        print(
            f"wrote synthetic extracts: {len(s.paths)} files, {s.residents} residents, "
            f"{s.homes} homes in {s.sites} sites, to {inbox}"
        )
    result = dg.materialize(
        [raw_extracts, *STAGED_ASSETS, dq_results, dq_pages, measure_values, *QUALITY_CHECKS],
        resources={
            "warehouse": Warehouse(path=str(warehouse)),
            "inbox": Inbox(path=str(inbox)),
            "reports": Reports(path=str(out)),
        },
        run_config={
            "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
            "ops": {"dq_results": {"config": {"as_of": AS_OF.isoformat()}}},
        },
    )
    meta = {
        k: v.value
        for k, v in result.asset_materializations_for_node("raw_extracts")[0].metadata.items()
    }
    print(
        f"ingest: {meta['files']} files, {meta['rows_in']:,} rows: {meta['rows_loaded']:,} "
        f"loaded, {meta['rows_quarantined']:,} quarantined, {meta['rows_skipped']:,} skipped, "
        f"{meta['files_refused']} files refused"
    )
    quality = result.asset_materializations_for_node("dq_results")[0].metadata
    print(
        f"data quality as of {AS_OF}: {quality['errors'].value} results stop charts, "
        f"{quality['warnings'].value} need a look; a page per site in {out / 'data_quality'}"
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        falls = con.sql(FALLS_BY_SITE).pl()
    baseline_end = falls.get_column("month").min()
    baseline_end = baseline_end.replace(month=baseline_end.month + 7)
    chart = qic(
        falls,
        x="month",
        y="falls",
        n="occupied_bed_days",
        chart="u",
        multiply=1000,
        facets="site_id",
        freeze=baseline_end,
    )
    out.mkdir(parents=True, exist_ok=True)
    page, points = out / "falls_by_site.html", out / "falls_by_site.csv"
    title = "Falls per 1,000 occupied bed days, by site"
    fig = qic_figure(chart, title=title, ylab="falls per 1,000 bed days")
    findings = explain_qic(chart) + incomplete_months(falls)
    page.write_text(report_html(fig, findings, chart.rules, title=title), encoding="utf-8")
    chart.points.join(
        falls.select("site_id", "month", "data_complete", "dq_checks"),
        on=["site_id", "month"],
        how="left",
    ).with_columns(pl.col("dq_checks").list.join(" ")).write_csv(points)
    for f in findings:
        print(f"{f.label}: {f.headline}")
        if not f.signal and f.details and f.headline.startswith("Left out"):
            print("\n".join(f"  {d}" for d in f.details))
    print(f"chart: {page}\npoints: {points}\nwarehouse: {warehouse}")
    return DemoResult(inbox, warehouse, page, points, meta)


def incomplete_months(points: pl.DataFrame) -> list[Finding]:
    """A finding per site with months the data-quality gate left out, naming them.

    Examples
    --------
    >>> import datetime as dt
    >>> points = pl.DataFrame({"site_id": ["a", "a"], "data_complete": [True, False],
    ...     "month": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)],
    ...     "dq_checks": [[], ["home_month_occupancy"]]})
    >>> (finding,) = incomplete_months(points)
    >>> finding.headline
    'Left out: 1 month with incomplete data'
    >>> finding.details
    ('February 2024: home_month_occupancy; see data_quality/a.html',)
    """
    findings = []
    left_out = points.filter(~pl.col("data_complete")).sort("site_id", "month")
    for (site,), rows in left_out.group_by("site_id", maintain_order=True):
        findings.append(
            Finding(
                key={"site_id": site},
                headline=f"Left out: {rows.height} month{'s' if rows.height > 1 else ''} "
                "with incomplete data",
                details=tuple(
                    f"{r['month']:%B %Y}: {', '.join(r['dq_checks'])}; see data_quality/{site}.html"
                    for r in rows.iter_rows(named=True)
                ),
                signal=False,
            )
        )
    return findings


def default_paths() -> tuple[Path, Path, Path]:
    """The embedded default: data/inbox, the warehouse, and out/."""
    return settings.ROOT / "data" / "inbox", settings.warehouse_path(), settings.ROOT / "out"
