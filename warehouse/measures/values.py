"""``measure_values``: every measure of a registry, per home, site and collaborative.

Each measure's SQL (:mod:`warehouse.measures.registry`) gives its home points; one SQL
file (``measure_values.sql``) then adds the site and collaborative points (sums of
numerators and denominators, never averages of rates), the data-quality gate, the
coverage of the designated source, the measure's version and the files behind each
point.

The measures share table macros (``denominators.sql``). The intermediates many of them
read (the people numbered, the residents on roll, the observations and the readings at
each period's end, the unique medicines, the GP codes, the ONS issues) are worked out
once per run, before the measures, as temp tables that temp macros of the same names
read (the part of ``denominators.sql`` after its "Once per run" line), and dropped after
them: see :func:`shared_intermediates`.

Examples
--------
>>> measure_frame(load_registry()).filter(pl.col("measure_id") == "S1").row(0, named=True)[
...     "tables"]
['stg_incident', 'stg_event', 'stg_occupied_bed_days']
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from importlib import resources

import duckdb
import polars as pl

from warehouse.connection import registered, transaction
from warehouse.measures.registry import Measure, Registry, load_registry
from warehouse.tables import STAGED_TABLES

HERE = resources.files("warehouse.measures")
POINT_COLUMNS = ("site_id", "home_id", "period", "numerator", "denominator", "source")
ONCE_PER_RUN = "-- ==== Once per run"  # the line of denominators.sql that starts the part


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


def denominators_sql() -> tuple[str, str]:
    """``denominators.sql`` in two: the macros, and what is worked out once per run."""
    text = HERE.joinpath("denominators.sql").read_text(encoding="utf-8")
    macros, marker, shared = text.partition(ONCE_PER_RUN)
    return macros, marker + shared


def _shared_blocks(shared: str, macros: str, registry: Registry | None) -> str:
    """The "shared:" blocks of the once-per-run part for the macros the registry uses.

    A macro is used when a measure's SQL calls it, or a macro so used does; with no
    registry, every block.
    """
    parts = re.split(r"^-- shared: (\w+)$", shared, flags=re.MULTILINE)
    blocks = list(zip(parts[1::2], parts[2::2], strict=True))
    if registry is None:
        return "".join(body for _, body in blocks)
    macros = re.sub(r"--.*", "", macros)  # the comments name macros too
    starts = list(re.finditer(r"^CREATE OR REPLACE MACRO (\w+)\(", macros, flags=re.MULTILINE))
    bodies = {
        m.group(1): macros[m.end() : nxt.start() if nxt else len(macros)]
        for m, nxt in zip(starts, [*starts[1:], None], strict=True)
    }

    def calls(text: str) -> set[str]:
        return {name for name in bodies if re.search(rf"\b{name}\s*\(", text)}

    used = calls(re.sub(r"--.*", "", "\n".join(f"{m.sql}\n{m.events_sql or ''}" for m in registry)))
    todo = list(used)
    while todo:
        for name in calls(bodies[todo.pop()]) - used:
            used.add(name)
            todo.append(name)
    return "".join(body for name, body in blocks if name in used)


def _drop_shared(con: duckdb.DuckDBPyConnection, shared: str) -> None:
    """Drop the temp macros and tables the once-per-run part creates (those there are)."""
    for name in re.findall(r"CREATE OR REPLACE TEMP MACRO (\w+)", shared):
        con.execute(f"DROP MACRO TABLE IF EXISTS temp.{name}")  # names from our own SQL
    for name in re.findall(r"CREATE OR REPLACE TEMP TABLE (\w+)", shared):
        con.execute(f"DROP TABLE IF EXISTS temp.{name}")


@contextlib.contextmanager
def shared_intermediates(
    con: duckdb.DuckDBPyConnection, registry: Registry | None = None
) -> Iterator[None]:
    """The shared macros, with their intermediates worked out once, for the block.

    Creates (or replaces) the macros of ``denominators.sql``, then runs its once-per-run
    part (the blocks for the macros the registry's measures use; all without a
    registry): temp tables of the intermediates the measures share, each read by a temp
    macro of the macro's own name and arguments (DuckDB finds a name in the temp schema
    first), giving the same rows as the macro. After the block the temp macros and tables
    are dropped, and the macros work everything out again. Not dropped if the block
    raises: :func:`compute` runs it in a transaction, which is rolled back.
    """
    macros, shared = denominators_sql()
    con.execute(macros)
    _drop_shared(con, shared)  # what an earlier run in this connection may have left
    blocks = _shared_blocks(shared, macros, registry)
    if blocks.strip():
        con.execute(blocks)
    yield
    _drop_shared(con, shared)


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
                f"SELECT DISTINCT '{t.name}' AS table_name, site_id, home_id, "
                f"CAST(date_trunc('month', \"{t.period}\") AS DATE) AS month, file_id "
                f'FROM "{t.name}" WHERE home_id IS NOT NULL AND file_id IS NOT NULL'
            )  # identifiers from the declarations (warehouse/tables.py), no values
    parts.append(
        "SELECT DISTINCT 'stg_occupied_bed_days', o.site_id, o.home_id, o.month, f.file_id "
        "FROM (SELECT DISTINCT site_id, home_id, month FROM stg_occupied_bed_days) AS o "
        "JOIN (SELECT DISTINCT site_id, home_id, file_id FROM stg_residence_episode "
        "      UNION SELECT DISTINCT site_id, home_id, file_id FROM stg_absence) AS f "
        "USING (site_id, home_id)"
    )
    # each part distinct, and no two alike (each names its table): no DISTINCT over all
    return "CREATE OR REPLACE TEMP TABLE staged_files AS " + " UNION ALL ".join(parts)


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
        con.execute(
            "CREATE OR REPLACE TEMP TABLE measure_points (measure_id VARCHAR, site_id VARCHAR,"
            " home_id VARCHAR, period DATE, numerator DOUBLE, denominator DOUBLE,"
            " source VARCHAR)"
        )
        con.execute(
            "CREATE OR REPLACE TABLE measure_events (measure_id VARCHAR, site_id VARCHAR,"
            " home_id VARCHAR, event_date DATE)"
        )
        with shared_intermediates(con, registry):
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
