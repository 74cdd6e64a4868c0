"""The staged canonical model, built from the raw tables by the SQL files beside this one.

Each staged table is rebuilt whole (``CREATE OR REPLACE``) from the raw tables, so it is
always consistent with what has landed. Reference code lists are loaded first.

Examples
--------
>>> STAGED[:2]
('stg_person', 'stg_residence_episode')
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

SQL = Path(__file__).with_name("sql")
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
# Build order: later tables attribute events to homes through residence episodes.
STAGED = (
    "stg_person",
    "stg_residence_episode",
    "stg_absence",
    "stg_occupied_bed_days",
    "stg_event",
    "stg_incident",
    "stg_medication_issue",
    "stg_hospital_spell",
    "stg_ae_attendance",
    "stg_qi_activity",
)
REFERENCE_TABLES = ("emis_codeid_snomed", "ctv3_snomed", "dscr_observation_types")


class ReferenceDataError(Exception):
    """A code list in ``data/reference`` is missing or misshapen; the message says how to fix it."""


def load_reference(con: duckdb.DuckDBPyConnection, folder: Path = REFERENCE) -> dict[str, int]:
    """Replace the ``ref_*`` tables by the code lists in ``data/reference``; rows per table.

    Raises
    ------
    FileNotFoundError
        If a code list is missing: codes would silently map to no SNOMED CT concept.
    ValueError
        If a code list lacks a column of its table.
    """
    counts = {}
    for name in REFERENCE_TABLES:
        path = folder / f"{name}.csv"
        table = f"ref_{name}"
        columns = [
            c
            for (c,) in con.sql(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = $1 "
                "ORDER BY column_index",
                params=[table],
            ).fetchall()
        ]
        if not path.exists():
            raise ReferenceDataError(
                f"the reference code list {path} is missing, so {table} would be empty and "
                "codes would map to no SNOMED CT concept. Restore it (git checkout -- "
                f"data/reference/{path.name}), or, if no site has such codes, create it with "
                f"only its header row: {','.join(columns)}"
            )
        frame = pl.read_csv(path, infer_schema=False)
        absent = [c for c in columns if c not in frame.columns]
        if absent:
            raise ReferenceDataError(
                f"the reference code list {path} has no column {', '.join(absent)} (its "
                f"header is {','.join(frame.columns)}). Make its header row "
                f"{','.join(columns)}"
            )
        con.register("frame", frame.select(columns))
        try:
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame")
        finally:
            con.unregister("frame")
        counts[table] = frame.height
    return counts


def build(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rebuild one staged table from its SQL file; return its row count."""
    con.execute((SQL / f"{table}.sql").read_text())
    return con.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def build_all(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Load the code lists and rebuild every staged table, in order; rows per table."""
    load_reference(con)
    return {table: build(con, table) for table in STAGED}
