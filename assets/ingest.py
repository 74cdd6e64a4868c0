"""Dagster assets of the ingest: landed extracts, then the staged canonical model.

Thin wrappers: the work is in :mod:`assets.landing` and the SQL of :mod:`assets.staging`.
Every asset writes to the DuckDB warehouse, so all run in the ``duckdb`` pool, one at a
time (../shared/docs/stack.md: DuckDB allows a single writer).
"""

from pathlib import Path

import dagster as dg
import duckdb

from assets import landing, staging
from pipelines import settings


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse file."""

    path: str = str(settings.DEFAULT_WAREHOUSE)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """Open the warehouse for writing."""
        return landing.connect(Path(self.path))


class Inbox(dg.ConfigurableResource):
    """The folder of extracts, one sub-folder per site; ``live`` for real data."""

    path: str = str(settings.ROOT / "data" / "inbox")
    live: bool = False


@dg.asset(
    group_name="ingest",
    kinds={"duckdb", "polars"},
    pool="duckdb",
    description=(
        "Every extract of the inbox landed in the warehouse: raw tables per source, "
        "quarantine (row, column, rule, message) and load_log (hash and counts per file)."
    ),
)
def raw_extracts(context: dg.AssetExecutionContext, warehouse: Warehouse, inbox: Inbox):
    """Load new and corrected files of the inbox; unchanged files are skipped."""
    con = warehouse.connect()
    try:
        key = settings.pseudo_key(Path(warehouse.path))
        results = landing.ingest(Path(inbox.path), con, key=key, live=inbox.live)
    finally:
        con.close()
    refused = [r for r in results if r.status == "refused"]
    for r in refused:
        context.log.warning(r.message)
    return dg.MaterializeResult(
        metadata={
            "files": len(results),
            "files_refused": len(refused),
            "rows_in": sum(r.rows_in for r in results),
            "rows_loaded": sum(r.rows_loaded for r in results),
            "rows_quarantined": sum(r.rows_quarantined for r in results),
            "rows_skipped": sum(r.rows_skipped for r in results),
        }
    )


DESCRIPTIONS = {
    "stg_person": "One row per pseudonymised person and site: birth month, sex, death date.",
    "stg_residence_episode": "Who lived in which home, from when to when; ends at death.",
    "stg_absence": "Nights away from the home, such as hospital stays.",
    "stg_occupied_bed_days": "Occupied bed days per home and month, without hospital nights.",
    "stg_event": "Coded events of every source, mapped to SNOMED CT and attributed to homes.",
    "stg_incident": "Care-home incidents (falls, pressure ulcers) with harm.",
    "stg_medication_issue": "Medication issues from EMIS and SystmOne, attributed to homes.",
    "stg_hospital_spell": "Hospital spells, attributed to the home lived in when admitted.",
    "stg_ae_attendance": "A&E attendances, attributed to the home lived in on arrival.",
    "stg_qi_activity": "The QI activity log: triage, MDT and medication reviews, PDSA cycles.",
}
UPSTREAM = {
    "stg_person": ["raw_extracts"],
    "stg_residence_episode": ["stg_person"],
    "stg_absence": ["raw_extracts"],
    "stg_occupied_bed_days": ["stg_residence_episode", "stg_absence"],
    "stg_event": ["stg_residence_episode"],
    "stg_incident": ["raw_extracts"],
    "stg_medication_issue": ["stg_residence_episode"],
    "stg_hospital_spell": ["stg_residence_episode"],
    "stg_ae_attendance": ["stg_residence_episode"],
    "stg_qi_activity": ["raw_extracts"],
}


def _staged_asset(table: str) -> dg.AssetsDefinition:
    @dg.asset(
        name=table,
        group_name="staged",
        kinds={"duckdb"},
        pool="duckdb",
        deps=UPSTREAM[table],
        description=DESCRIPTIONS[table] + f" Built by assets/sql/{table}.sql.",
    )
    def _build(warehouse: Warehouse) -> dg.MaterializeResult:
        con = warehouse.connect()
        try:
            if table == staging.STAGED[0]:
                staging.load_reference(con)
            rows = staging.build(con, table)
        finally:
            con.close()
        return dg.MaterializeResult(metadata={"rows": rows})

    return _build


STAGED_ASSETS = [_staged_asset(t) for t in staging.STAGED]
