"""The measures' values per site, home and month, gated by data quality.

Each point carries ``data_complete``: false when its site-home-month has an ERROR in a
table the measure reads (``dq_results``), and then no value, so a chart shows a named
gap rather than a false zero; ``dq_warning`` when a check only warned. Other sites'
points are untouched. The measures are declared in ``warehouse/measures.csv``.

Examples
--------
>>> measure("S1")["tables"]
'stg_incident stg_occupied_bed_days'
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import duckdb
import polars as pl

from warehouse.staging import sql

MEASURES = resources.files("warehouse").joinpath("measures.csv")


def measure(measure_id: str) -> dict[str, Any]:
    """The declaration of one measure (a row of ``measures.csv``)."""
    rows = pl.read_csv(MEASURES.read_bytes()).filter(pl.col("measure_id") == measure_id)
    if rows.is_empty():
        raise KeyError(f"no measure {measure_id!r} in {MEASURES}")
    return rows.row(0, named=True)


def compute(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Replace ``measure_values``; return its rows and the points left incomplete."""
    s1 = measure("S1")
    con.execute(sql("measure_values"), {"tables": s1["tables"].split(), "multiply": s1["multiply"]})
    rows, incomplete, warned = con.sql(
        "SELECT count(*), count(*) FILTER (WHERE NOT data_complete), "
        "count(*) FILTER (WHERE dq_warning) FROM measure_values"
    ).fetchall()[0]
    return {"rows": rows, "points_incomplete": incomplete, "points_with_warnings": warned}


def site_series(con: duckdb.DuckDBPyConnection, measure_id: str) -> pl.DataFrame:
    """A measure's points per site and month, with site names and data-quality state."""
    return con.sql(
        """SELECT v.site_id, coalesce(s.site_name, v.site_id) AS site, v.month,
                  v.numerator, v.denominator, v.data_complete, v.dq_warning, v.dq_checks
           FROM measure_values AS v
           LEFT JOIN (SELECT DISTINCT site_id, site_name FROM ref_home) AS s USING (site_id)
           WHERE v.measure_id = $measure AND v.home_id IS NULL
           ORDER BY v.site_id, v.month""",
        params={"measure": measure_id},
    ).pl()
