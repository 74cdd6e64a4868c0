"""The ``raw_extracts`` asset: every extract of the inbox landed in the warehouse."""

from pathlib import Path

import dagster as dg

from assets.resources import Inbox, Project, Warehouse
from warehouse import landing

POOL = "duckdb"  # DuckDB allows one writer: dagster.yaml limits this pool to one step


@dg.asset(
    group_name="ingest",
    kinds={"duckdb", "polars"},
    pool=POOL,
    description=(
        "Every extract of the inbox landed in the warehouse: raw tables per source, "
        "quarantine (row, column, rule, message), load_log (hash and counts per file) and "
        "ingest_results (what this run did with each file, misplaced ones included)."
    ),
)
def raw_extracts(
    context: dg.AssetExecutionContext, project: Project, warehouse: Warehouse, inbox: Inbox
) -> dg.MaterializeResult:
    """Load new and corrected files of the inbox; unchanged files are skipped."""
    settings = project.settings().replace(warehouse=warehouse.path)
    key = settings.pseudo_key()
    with warehouse.connect() as con:
        results = landing.ingest(Path(inbox.path), con, key=key, live=inbox.live)
        landing.record(con, results, run_id=context.run.run_id)
    summary = landing.summarise(results)
    for r in results:
        if r.status == "refused" or r.warning:
            context.log.warning(r.warning or r.message)
    refused = [r for r in results if r.status == "refused"]
    table = "\n".join(f"| {r.file} | {r.message} |" for r in refused[:50])
    return dg.MaterializeResult(
        metadata={
            **summary,
            "refused": dg.MetadataValue.md(
                f"| file | why |\n| --- | --- |\n{table}" if refused else "No file was refused."
            ),
        }
    )
