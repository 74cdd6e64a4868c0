"""The ``measure_values`` asset: values per site, home and month, gated by data quality."""

import dagster as dg

from assets.ingest import POOL
from assets.quality import dq_results
from assets.resources import Warehouse
from warehouse import measures


@dg.asset(
    group_name="measures",
    kinds={"duckdb"},
    pool=POOL,
    deps=[dq_results, "stg_incident", "stg_occupied_bed_days"],
    description=(
        "Measure values per site and month and per home and month (warehouse/"
        "measures.csv), each with data_complete and dq_warning from the data-quality "
        "gate. Built by warehouse/sql/measure_values.sql."
    ),
)
def measure_values(warehouse: Warehouse) -> dg.MaterializeResult:
    """Compute the measures; points on data with an ERROR are kept, marked and left empty."""
    with warehouse.connect() as con:
        counts = measures.compute(con)
    return dg.MaterializeResult(metadata=counts)
