"""Dagster assets and asset checks of data quality: the gate between staging and measures.

``dq_results`` runs every rule of ``expectations/rules.csv`` (counted in DuckDB, judged
by Great Expectations) once the staged model is built. Each staged table then carries a
``data_quality`` asset check reporting its own results: failed with severity ERROR when
any site-home-month reached ERROR, WARN when some only warned. The checks are not
Dagster-blocking on purpose: a blocking check stops every downstream asset for every
site, and an ERROR must stop only the affected site-period. That finer gate is in the
measures (``dq_point`` in expectations/sql/dq_results.sql).
"""

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb

from assets.ingest import POOL
from assets.resources import Reports, Warehouse
from expectations.report import results_by_site, write_pages
from expectations.validate import validate
from warehouse.tables import STAGED


class QualityConfig(dg.Config):
    """``as_of``: the day to judge freshness and future dates against (default today)."""

    as_of: str = ""


@dg.asset(
    group_name="data_quality",
    kinds={"duckdb", "great_expectations"},
    pool=POOL,
    deps=["raw_extracts", *STAGED],
    description=(
        "The latest data-quality run: every rule of expectations/rules.csv per check, "
        "table, site, home and month (severity, rows failing, message in plain words), "
        "and dq_details file by file."
    ),
)
def dq_results(warehouse: Warehouse, config: QualityConfig) -> dg.MaterializeResult:
    """Measure and judge every rule; replace dq_results and dq_details."""
    run_date = dt.date.fromisoformat(config.as_of) if config.as_of else None
    with warehouse.connect() as con:
        v = validate(con, run_date=run_date)
    failed = v.results.filter(v.results["status"] == "fail")
    return dg.MaterializeResult(
        metadata={
            "rows": v.results.height,
            "run_id": v.run_id,
            "run_date": str(v.run_date),
            "errors": v.count("ERROR"),
            "warnings": v.count("WARN"),
            "sites_with_errors": sorted(
                {s or "all" for s in failed.filter(failed["severity"] == "ERROR")["site_id"]}
            ),
        }
    )


@dg.asset(
    group_name="data_quality",
    kinds={"html"},
    pool=POOL,
    deps=[dq_results],
    description=(
        "A data-quality page per site in plain words (out/data_quality/<site>.html): what "
        "is wrong, in which file and lines, how to fix it, and each home's months over time."
    ),
)
def dq_pages(warehouse: Warehouse, reports: Reports) -> dg.MaterializeResult:
    """Write one self-contained page per site."""
    out = Path(reports.path) / "data_quality"
    with warehouse.connect(read_only=True) as con:
        per_site = results_by_site(con)
    pages = write_pages(per_site, out)
    return dg.MaterializeResult(metadata={"pages": len(pages), "folder": str(out)})


def _quality_check(table: str) -> dg.AssetChecksDefinition:
    """The check of one staged table, or of ``raw_extracts``.

    The check of ``raw_extracts`` reports the results of no staged table: each
    source's freshness against its extract schedule.
    """
    about = (
        "each source's freshness against expectations/extract_schedule.csv"
        if table == "raw_extracts"
        else f"the rules of expectations/rules.csv on {table}"
    )

    @dg.asset_check(
        asset=table,
        name="data_quality",
        additional_deps=[dq_results],
        description=f"From dq_results: {about}.",
    )
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            if not _has_results(con):  # a run of the ingest alone, before any check ran
                return dg.AssetCheckResult(
                    passed=False,
                    severity=dg.AssetCheckSeverity.WARN,
                    description="Data quality has not been checked yet: materialise dq_results.",
                )
            rows = con.sql(
                """SELECT count(*) AS results,
                          count(*) FILTER (WHERE severity = 'ERROR') AS errors,
                          count(*) FILTER (WHERE severity = 'WARN') AS warnings,
                          list(DISTINCT coalesce(site_id, 'all'))
                              FILTER (WHERE severity = 'ERROR') AS sites_with_errors,
                          list(message ORDER BY severity, site_id, period)
                              FILTER (WHERE status = 'fail')[1:3] AS first_problems
                   FROM dq_results
                   WHERE CASE WHEN $1 = 'raw_extracts'
                              THEN table_name IS NOT NULL AND NOT list_contains($2, table_name)
                              ELSE table_name = $1 OR table_name IS NULL END""",
                params=[table, list(STAGED)],
            ).pl()
        summary = rows.row(0, named=True)
        severity = dg.AssetCheckSeverity.ERROR if summary["errors"] else dg.AssetCheckSeverity.WARN
        return dg.AssetCheckResult(
            passed=not (summary["errors"] or summary["warnings"]),
            severity=severity,
            metadata={k: v if v is not None else [] for k, v in summary.items()},
        )

    return _check


def _has_results(con: duckdb.DuckDBPyConnection) -> bool:
    query = "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'dq_results'"
    return con.sql(query).fetchall()[0][0] > 0


QUALITY_CHECKS = [_quality_check(t) for t in ("raw_extracts", *STAGED)]
