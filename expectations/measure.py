"""Measuring the rules in DuckDB: rows and failing rows per site, home and month.

The staged tables hold millions of rows; each rule is one set-based query over its table
in the warehouse, grouped by site, home and month, and only those counts leave DuckDB.
Great Expectations then judges the counts against the thresholds
(:mod:`expectations.suites`). Identifiers come from the rules file and are checked
against the warehouse's own columns; values are bound parameters.

Examples
--------
>>> import duckdb
>>> from expectations.rules import load_rules
>>> con = duckdb.connect()
>>> _ = con.execute("CREATE TABLE stg_incident AS SELECT 's' AS site_id, 'h' AS home_id, "
...                 "DATE '2024-01-05' AS incident_date")
>>> rule = next(r for r in load_rules() if r.check == "incident_date_plausible")
>>> measure(con, [rule], run_date=dt.date(2024, 1, 1)).row(0)
('incident_date_plausible', 's', 'h', datetime.date(2024, 1, 1), 1, 1)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import polars as pl

from expectations.rules import Rule, RuleError

# Each staged table's month (the period a row counts in) and home, where it has them.
PERIOD = {
    "stg_event": "event_date",
    "stg_incident": "incident_date",
    "stg_medication_issue": "issue_date",
    "stg_residence_episode": "start_date",
    "stg_absence": "start_dt",
    "stg_hospital_spell": "admit_date",
    "stg_ae_attendance": "arrival_date",
    "stg_qi_activity": "activity_date",
}
OBSERVATIONS = {
    "check": pl.String,
    "site_id": pl.String,
    "home_id": pl.String,
    "period": pl.Date,
    "rows": pl.Int64,
    "failing": pl.Int64,
}


def measure(
    con: duckdb.DuckDBPyConnection, rules: Sequence[Rule], *, run_date: dt.date
) -> pl.DataFrame:
    """Rows and failing rows of every rule, per site, home and month (``OBSERVATIONS``)."""
    frames = [_measure_one(con, rule, run_date) for rule in rules]
    return pl.concat([pl.DataFrame(schema=OBSERVATIONS), *frames]).sort(
        "check", "site_id", "home_id", "period", nulls_last=True
    )


def _measure_one(con: duckdb.DuckDBPyConnection, rule: Rule, run_date: dt.date) -> pl.DataFrame:
    columns = _columns(con, rule.table)
    for column in rule.columns:
        if column not in columns:
            raise RuleError(f"rule {rule.check}: {rule.table} has no column {column!r}.")
    params: list[object] = [rule.check]
    failing = _failing(rule, params, run_date, columns)
    where = ""
    if rule.where_column:
        params.append(rule.where_value)
        where = f'WHERE t."{rule.where_column}" = ${len(params)}'
    home = 't."home_id"' if "home_id" in columns else "NULL"
    period = PERIOD.get(rule.table)
    month = f"date_trunc('month', t.\"{period}\")::DATE" if period else "NULL::DATE"
    query = f"""
        WITH t AS (SELECT *, coalesce({failing}, false) AS __failing FROM "{rule.table}" AS t)
        SELECT $1 AS "check", t.site_id, {home} AS home_id, {month} AS period,
               count(*) AS rows, count(*) FILTER (WHERE __failing) AS failing
        FROM t {where}
        GROUP BY ALL
    """  # identifiers checked against the table above; values bound
    return con.sql(query, params=params).pl().cast(OBSERVATIONS)


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
