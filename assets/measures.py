"""Dagster assets of the measures: values per site, home and month, gated by data quality.

Each point carries ``data_complete``: false when its site-home-month has an ERROR in a
table the measure reads (``dq_results``), and then no value, so a chart shows a marked
gap rather than a false zero. Other sites' points are untouched.
"""

from pathlib import Path

import dagster as dg
import polars as pl

from assets.ingest import Warehouse
from assets.quality import dq_results
from pipelines import settings

MEASURES = settings.ROOT / "data" / "measures" / "measures.csv"
SQL = Path(__file__).with_name("sql") / "measure_values.sql"


@dg.asset(
    group_name="measures",
    kinds={"duckdb"},
    pool="duckdb",
    deps=[dq_results, "stg_incident", "stg_occupied_bed_days"],
    description=(
        "Measure values per site and month and per home and month (data/measures/"
        "measures.csv), each with data_complete from the data-quality gate. Built by "
        "assets/sql/measure_values.sql."
    ),
)
def measure_values(warehouse: Warehouse) -> dg.MaterializeResult:
    """Compute the measures; points on data with an ERROR are kept, marked and left empty."""
    s1 = pl.read_csv(MEASURES).filter(pl.col("measure_id") == "S1").row(0, named=True)
    con = warehouse.connect()
    try:
        con.execute(
            SQL.read_text(),
            {"tables": s1["tables"].split(), "multiply": s1["multiply"]},
        )
        rows, incomplete = con.sql(
            "SELECT count(*), count(*) FILTER (WHERE NOT data_complete) FROM measure_values"
        ).fetchall()[0]
    finally:
        con.close()
    return dg.MaterializeResult(metadata={"rows": rows, "points_incomplete": incomplete})
