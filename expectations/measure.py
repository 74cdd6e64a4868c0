"""Measuring the rules in DuckDB: rows and failing rows per site, home, month and file.

The staged tables hold millions of rows; each rule is one set-based query over its table
in the warehouse, grouped by site, home, month and the file the rows came from, and only
those counts (with the first few failing lines of each file) leave DuckDB. Great
Expectations then judges the counts against the thresholds (:mod:`expectations.suites`).
Identifiers come from the rules file and are checked against the warehouse's own
columns; values are bound parameters. A ``sql`` rule's query (``expectations/sql/``)
returns the same columns itself: completeness against the census, freshness, files.

Examples
--------
>>> import duckdb
>>> from expectations.rules import load_rules
>>> con = duckdb.connect()
>>> _ = con.execute("CREATE TABLE stg_incident AS SELECT 's' AS site_id, 'h' AS home_id, "
...                 "DATE '2024-01-05' AS incident_date, 7 AS file_id, 12 AS source_row")
>>> rule = next(r for r in load_rules() if r.check == "incident_date_plausible")
>>> measure(con, [rule], run_date=dt.date(2024, 1, 1)).row(0)[2:]
('s', 'h', datetime.date(2024, 1, 1), 7, 1, 1, [12], None)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from importlib import resources

import duckdb
import polars as pl

from expectations.rules import SQL, Rule, RuleError
from warehouse.connection import registered
from warehouse.tables import STAGED_TABLES, periods

PERIOD = periods()  # each staged table's month column (warehouse/tables.py)
OBSERVATIONS = {
    "check": pl.String,
    "table_name": pl.String,
    "site_id": pl.String,
    "home_id": pl.String,
    "period": pl.Date,
    "file_id": pl.Int64,
    "rows": pl.Int64,
    "failing": pl.Int64,
    "lines": pl.List(pl.Int64),
    "detail": pl.String,
}
SHOWN_LINES = 5  # failing lines named per file; the rest are counted
# Files a sql rule may read, bound as parameters of the same name.
FILES = {"schedule": resources.files("expectations").joinpath("extract_schedule.csv")}


def measure(
    con: duckdb.DuckDBPyConnection, rules: Sequence[Rule], *, run_date: dt.date
) -> pl.DataFrame:
    """Rows and failing rows of every rule per site, home, month and file (``OBSERVATIONS``).

    ``lines`` holds the first failing lines of the file; ``detail`` says what failed
    where a ``sql`` rule's unit is not a row (a home-month, a source, a file).
    """
    if any(rule.kind == "sql" for rule in rules):
        try:
            con.execute(SQL.joinpath("macros.sql").read_text(encoding="utf-8"))
        except duckdb.CatalogException:
            raise RuleError(
                "the warehouse has no reference tables yet: load the extracts and build "
                "the staged model first."
            ) from None
    with registered(con, staged_dates=staged_dates(con, run_date)):
        frames = [
            _measure_sql(con, rule, run_date)
            if rule.kind == "sql"
            else _measure_rows(con, rule, run_date)
            for rule in rules
        ]
    return pl.concat([pl.DataFrame(schema=OBSERVATIONS), *frames]).sort(
        "check", "site_id", "home_id", "period", "file_id", nulls_last=True
    )


def _measure_rows(con: duckdb.DuckDBPyConnection, rule: Rule, run_date: dt.date) -> pl.DataFrame:
    columns = _columns(con, rule.table)
    for column in rule.columns:
        if column not in columns:
            raise RuleError(f"rule {rule.check}: {rule.table} has no column {column!r}.")
    params: list[object] = [rule.check, rule.table]
    failing = _failing(rule, params, run_date, columns)
    where = ""
    if rule.where_column:
        params.append(rule.where_value)
        where = f'WHERE t."{rule.where_column}" = ${len(params)}'
    home = 't."home_id"' if "home_id" in columns else "NULL"
    period = PERIOD.get(rule.table)
    month = f"date_trunc('month', t.\"{period}\")::DATE" if period else "NULL::DATE"
    file_id = 't."file_id"' if "file_id" in columns else "NULL::BIGINT"
    row = 't."source_row"' if "source_row" in columns else "NULL::BIGINT"
    query = f"""
        WITH t AS (SELECT *, coalesce({failing}, false) AS __failing FROM "{rule.table}" AS t)
        SELECT $1 AS "check", $2 AS table_name, t.site_id, {home} AS home_id,
               {month} AS period, {file_id} AS file_id, count(*) AS rows,
               count(*) FILTER (WHERE __failing) AS failing,
               coalesce(list({row} ORDER BY {row}) FILTER (WHERE __failing AND {row} NOT NULL),
                        [])[1:{SHOWN_LINES}] AS lines,
               NULL AS detail
        FROM t {where}
        GROUP BY ALL
    """  # identifiers checked against the table above; values bound
    return con.sql(query, params=params).pl().cast(OBSERVATIONS)


def _measure_sql(con: duckdb.DuckDBPyConnection, rule: Rule, run_date: dt.date) -> pl.DataFrame:
    """A ``sql`` rule: its query returns ``OBSERVATIONS`` but the check name."""
    text = rule.sql.read_text(encoding="utf-8")
    bound = {"run_date": run_date, **{k: str(v) for k, v in FILES.items()}}
    params = {k: v for k, v in bound.items() if re.search(rf"\${k}\b", text)}
    try:
        frame = con.sql(text, params=params).pl()
    except duckdb.CatalogException as exc:
        first = str(exc).splitlines()[0]
        raise RuleError(
            f"rule {rule.check} ({rule.sql.name}) cannot run on this warehouse: {first} "
            "Load the extracts and build the staged model first."
        ) from None
    return frame.select(pl.lit(rule.check).alias("check"), *list(OBSERVATIONS)[1:]).cast(
        OBSERVATIONS
    )


def staged_dates(con: duckdb.DuckDBPyConnection, run_date: dt.date) -> pl.DataFrame:
    """Each site's newest row per staged table and source, up to ``run_date``.

    The tables, their date columns and their sources come from the declarations in
    :mod:`warehouse.tables`; the freshness check (``sql/source_fresh.sql``) reads the
    result as ``staged_dates`` (``table_name, site_id, source, latest``).
    """
    schema = {"table_name": pl.String, "site_id": pl.String, "source": pl.String,
              "latest": pl.Date}  # fmt: skip
    present = {t for (t,) in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}
    frames = [pl.DataFrame(schema=schema)]
    for t in STAGED_TABLES:
        if not t.fresh or t.name not in present:
            continue
        source = f't."{t.source_column}"' if t.source_column else "$source"
        query = f"""
            SELECT $table AS table_name, t.site_id, {source} AS source,
                   max(t."{t.period}")::DATE AS latest
            FROM "{t.name}" AS t WHERE t."{t.period}" <= $run_date GROUP BY ALL
        """  # identifiers from the declarations; values bound
        params = {"table": t.name, "run_date": run_date}
        if not t.source_column:
            params["source"] = t.source
        frames.append(con.sql(query, params=params).pl().cast(schema))
    return pl.concat(frames)


def _failing(rule: Rule, params: list[object], run_date: dt.date, types: dict[str, str]) -> str:
    """The SQL predicate of a failing row (values appended to ``params``)."""
    col = f't."{rule.column}"'
    if rule.kind == "not_null":
        return f"{col} IS NULL"
    if rule.kind == "between":
        bounds = []
        for op, bound in (("<", rule.minimum), (">", rule.maximum)):
            if bound is not None:
                params.append(run_date if bound == "today" else bound)
                kind = types[rule.column]
                cast = kind if kind.startswith(("DATE", "TIMESTAMP")) else "DOUBLE"
                bounds.append(f"{col} {op} CAST(${len(params)} AS {cast})")
        return " OR ".join(bounds) or "false"
    if rule.kind == "not_before":
        return f'{col} < t."{rule.minimum}"'
    if rule.kind == "unique":
        keys = [f't."{c}"' for c in rule.column.split()]
        present = " AND ".join(f"{k} IS NOT NULL" for k in keys)
        return f"({present} AND count(*) OVER (PARTITION BY t.site_id, {', '.join(keys)}) > 1)"
    if rule.kind == "in_person":
        return (
            f"NOT EXISTS (SELECT 1 FROM stg_person AS p WHERE p.site_id = t.site_id "
            f"AND p.pseudo_id = {col})"
        )
    raise RuleError(f"rule {rule.check}: unknown kind {rule.kind!r}")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """The table's columns and their DuckDB types (bounds are cast to the column's type)."""
    names = con.sql(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = $1 "
        "AND NOT internal",
        params=[table],
    ).fetchall()
    if not names:
        raise RuleError(f"the warehouse has no table {table!r}: build the staged model first.")
    return dict(names)
