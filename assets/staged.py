"""The staged canonical model: one asset per table of :mod:`warehouse.tables`."""

import dagster as dg

from assets.ingest import POOL
from assets.resources import Project, Warehouse
from warehouse import staging
from warehouse.tables import STAGED_TABLES, StagedTable


def _staged_asset(table: StagedTable) -> dg.AssetsDefinition:
    first = table.name == STAGED_TABLES[0].name

    @dg.asset(
        name=table.name,
        group_name="staged",
        kinds={"duckdb"},
        pool=POOL,
        deps=list(table.upstream),
        description=f"{table.description} Built by warehouse/sql/{table.name}.sql.",
    )
    def _build(project: Project, warehouse: Warehouse) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            if first:  # reference tables first: code lists, homes, declarations
                staging.load_reference(con, homes=project.settings().register())
            rows = staging.build(con, table.name)
        return dg.MaterializeResult(metadata={"rows": rows})

    return _build


STAGED_ASSETS = [_staged_asset(t) for t in STAGED_TABLES]
