"""``measure_values``: every measure of a registry, per home, site and collaborative.

Each measure's SQL (:mod:`warehouse.measures.registry`) gives its home points; one SQL
file (``measure_values.sql``) then adds the site and collaborative points (sums of
numerators and denominators, never averages of rates), the data-quality gate, the
coverage of the designated source, the measure's version and the files behind each
point.

Examples
--------
>>> measure_frame(load_registry()).filter(pl.col("measure_id") == "S1").row(0, named=True)[
...     "tables"]
['stg_incident', 'stg_event', 'stg_occupied_bed_days']
"""

from __future__ import annotations

from importlib import resources

import duckdb
import polars as pl

from warehouse.connection import registered, transaction
from warehouse.measures.registry import Measure, Registry, load_registry
from warehouse.tables import STAGED_TABLES

HERE = resources.files("warehouse.measures")
POINT_COLUMNS = ("site_id", "home_id", "period", "numerator", "denominator", "source")


class MeasureSqlError(RuntimeError):
    """A measure's SQL failed or returned the wrong shape; names the file and the fix."""


def measure_frame(registry: Registry) -> pl.DataFrame:
    """The registry as a table (``ref_measure``): one row per measure, in order."""
    return pl.DataFrame(
        [
            {
                "position": i,
                "measure_id": m.id,
                "version": m.version,
                "title": m.title,
                "project": m.project,
                "unit": m.unit,
                "multiplier": m.multiplier,
                "has_denominator": m.has_denominator,
                "chart": m.chart,
                "rare_chart": m.rare_chart,
                "rare_below": m.rare_below,
                "history_days": m.history_days,
                "run_until": m.run_until,
                "improvement": m.improvement,
                "target": m.target,
                "period_unit": m.period,
                "source": m.source,
                "fallback": m.fallback,
                "tables": list(m.tables),
                "aliases": list(m.aliases),
            }
            for i, m in enumerate(registry)
        ],
        schema_overrides={"target": pl.Float64, "rare_chart": pl.String, "source": pl.String,
                          "fallback": pl.String, "aliases": pl.List(pl.String)},
    )  # fmt: skip


def _staged_files_sql() -> str:
    """Per staged table, site, home and month: the files its rows came from.

    Bed days have no file of their own: they come from the residents and absences
    files of the home, in every month.
    """
    parts = []
    for t in STAGED_TABLES:
        names = {c for c, _ in t.columns}
        if t.period and {"file_id", "home_id", "site_id"} <= names:
            parts.append(
                f"SELECT '{t.name}' AS table_name, site_id, home_id, "
                f"CAST(date_trunc('month', \"{t.period}\") AS DATE) AS month, file_id "
                f'FROM "{t.name}" WHERE home_id IS NOT NULL AND file_id IS NOT NULL'
            )  # identifiers from the declarations (warehouse/tables.py), no values
    parts.append(
        "SELECT 'stg_occupied_bed_days', o.site_id, o.home_id, o.month, f.file_id "
        "FROM (SELECT DISTINCT site_id, home_id, month FROM stg_occupied_bed_days) AS o "
        "JOIN (SELECT DISTINCT site_id, home_id, file_id FROM stg_residence_episode "
        "      UNION SELECT DISTINCT site_id, home_id, file_id FROM stg_absence) AS f "
        "USING (site_id, home_id)"
    )
    return "CREATE OR REPLACE TEMP TABLE staged_files AS SELECT DISTINCT * FROM (" + (
        " UNION ALL ".join(parts) + ")"
    )


def _points(con: duckdb.DuckDBPyConnection, m: Measure) -> None:
    """Append one measure's home points to ``measure_points``."""
    query = (
        "INSERT INTO measure_points SELECT $m4c_measure, "
        + ", ".join(f"q.{c}" for c in POINT_COLUMNS)
        + f" FROM ({m.sql}\n) AS q"  # the measure's own SQL text; its values are bound
    )
    try:
        con.execute(query, {"m4c_measure": m.id, **m.bound()})
    except duckdb.Error as exc:
        raise MeasureSqlError(
            f"measure {m.id} ({m.key}.sql): {str(exc).splitlines()[0]}. Its SQL must be one "
            f"SELECT giving {', '.join(POINT_COLUMNS)} per home and period; run it alone "
            "in the warehouse (duckdb data/warehouse.duckdb) to see why."
        ) from None


def _events(con: duckdb.DuckDBPyConnection, m: Measure) -> None:
    """Append one measure's events (its rare chart's input) to ``measure_events``."""
    if m.events_sql is None:
        return
    query = (
        "INSERT INTO measure_events SELECT $m4c_measure, q.site_id, q.home_id, q.event_date "
        f"FROM ({m.events_sql}\n) AS q"  # the measure's own SQL text; its values are bound
    )
    try:
        con.execute(query, {"m4c_measure": m.id, **m.bound(m.events_sql)})
    except duckdb.Error as exc:
        raise MeasureSqlError(
            f"measure {m.id} ({m.key}.events.sql): {str(exc).splitlines()[0]}. It must be one "
            "SELECT giving site_id, home_id, event_date, one row per event."
        ) from None


def compute(con: duckdb.DuckDBPyConnection, registry: Registry | None = None) -> dict[str, int]:
    """Replace ``ref_measure`` and ``measure_values``; return counts for the asset's metadata.

    ``dq_results`` may be absent (no data-quality run yet): every point is then judged
    complete as far as the checks go.
    """
    registry = load_registry() if registry is None else registry
    tables = {t for (t,) in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}
    with transaction(con):
        with registered(con, measures=measure_frame(registry)):
            con.execute("CREATE OR REPLACE TABLE ref_measure AS SELECT * FROM measures")
        if "dq_results" not in tables:
            con.execute(
                "CREATE TEMP TABLE IF NOT EXISTS dq_results (table_name VARCHAR, "
                'site_id VARCHAR, home_id VARCHAR, period DATE, severity VARCHAR, "check" '
                "VARCHAR, status VARCHAR)"
            )
        con.execute(HERE.joinpath("denominators.sql").read_text(encoding="utf-8"))
        con.execute(
            "CREATE OR REPLACE TEMP TABLE measure_points (measure_id VARCHAR, site_id VARCHAR,"
            " home_id VARCHAR, period DATE, numerator DOUBLE, denominator DOUBLE,"
            " source VARCHAR)"
        )
        con.execute(
            "CREATE OR REPLACE TABLE measure_events (measure_id VARCHAR, site_id VARCHAR,"
            " home_id VARCHAR, event_date DATE)"
        )
        for m in registry:
            _points(con, m)
            _events(con, m)
        con.execute(_staged_files_sql())
        con.execute(HERE.joinpath("measure_values.sql").read_text(encoding="utf-8"))
    rows, incomplete, warned, measures = con.sql(
        "SELECT count(*), count(*) FILTER (WHERE NOT data_complete), "
        "count(*) FILTER (WHERE dq_warning), count(DISTINCT measure_id) FROM measure_values"
    ).fetchall()[0]
    return {
        "measures": measures,
        "rows": rows,
        "points_incomplete": incomplete,
        "points_with_warnings": warned,
    }


def site_series(con: duckdb.DuckDBPyConnection, measure_id: str) -> pl.DataFrame:
    """A measure's points per site and period, with site names and data-quality state."""
    return con.sql(
        """SELECT v.site_id, coalesce(s.site_name, v.site_id) AS site, v.period AS month,
                  v.numerator, v.denominator, v.data_complete, v.dq_warning, v.dq_checks
           FROM measure_values AS v
           LEFT JOIN (SELECT DISTINCT site_id, site_name FROM ref_home) AS s USING (site_id)
           WHERE v.measure_id = $measure AND v.level = 'site'
           ORDER BY v.site_id, v.period""",
        params={"measure": measure_id},
    ).pl()
