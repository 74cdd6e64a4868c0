"""The staged canonical model, built from the raw tables by the SQL files in ``sql/``.

Each staged table (declared in :mod:`warehouse.tables`) is rebuilt whole
(``CREATE OR REPLACE``) from the raw tables, so it is always consistent with what has
landed. The reference tables are loaded first: the code lists shipped in
``warehouse/reference/``, the homes of the settings file, and the staged model's own
declarations (which extract feeds which table, and the columns the measures read).

Examples
--------
>>> STAGED[:2]
('stg_person', 'stg_residence_episode')
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import duckdb
import polars as pl

from warehouse.connection import registered, transaction
from warehouse.settings import REGISTER_SCHEMA
from warehouse.tables import STAGED, columns_frame, feeds_frame

SQL = resources.files("warehouse").joinpath("sql")
REFERENCE = resources.files("warehouse").joinpath("reference")
REFERENCE_TABLES = (
    "emis_codeid_snomed",
    "ctv3_snomed",
    "dscr_observation_types",
    "snomed_concepts",
    "ons_products",
)
__all__ = ["STAGED", "ReferenceDataError", "build", "build_all", "load_reference"]


class ReferenceDataError(Exception):
    """A shipped code list is missing or misshapen; the message says how to fix it."""


def sql(name: str) -> str:
    """The text of ``warehouse/sql/<name>.sql``."""
    return SQL.joinpath(f"{name}.sql").read_text(encoding="utf-8")


def load_reference(
    con: duckdb.DuckDBPyConnection,
    folder: Traversable = REFERENCE,
    *,
    homes: Sequence[dict[str, Any]] = (),
) -> dict[str, int]:
    """Replace the ``ref_*`` tables: code lists, homes, and the staged model's declarations.

    ``homes`` are the settings' homes (:meth:`warehouse.settings.Settings.register`): the
    names pages and charts show. Returns the rows loaded per table.

    Raises
    ------
    ReferenceDataError
        If a code list is missing (codes would silently map to no SNOMED CT concept) or
        lacks a column of its table.
    """
    frames = {f"ref_{name}": _code_list(con, folder, name) for name in REFERENCE_TABLES}
    frames["ref_home"] = pl.DataFrame(list(homes), schema=REGISTER_SCHEMA)
    frames["ref_extract_feeds"] = feeds_frame()
    frames["ref_staged_columns"] = columns_frame()
    with transaction(con):
        for table, frame in frames.items():
            with registered(con, frame=frame):
                con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM frame")
    return {table: frame.height for table, frame in frames.items()}


def _code_list(con: duckdb.DuckDBPyConnection, folder: Traversable, name: str) -> pl.DataFrame:
    path = folder.joinpath(f"{name}.csv")
    table = f"ref_{name}"
    columns = [
        c
        for (c,) in con.sql(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = $1 ORDER BY column_index",
            params=[table],
        ).fetchall()
    ]
    if not path.is_file():
        raise ReferenceDataError(
            f"the reference code list {path} is missing, so {table} would be empty and codes "
            "would map to no SNOMED CT concept. Reinstall measure-for-change, or restore it "
            f"(git checkout -- warehouse/reference/{name}.csv); if no site has such codes, "
            f"create it with only its header row: {','.join(columns)}"
        )
    frame = pl.read_csv(path.read_bytes(), infer_schema=False)
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise ReferenceDataError(
            f"the reference code list {path} has no column {', '.join(absent)} (its header is "
            f"{','.join(frame.columns)}). Make its header row {','.join(columns)}"
        )
    return frame.select(columns)


def build(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rebuild one staged table from its SQL file; return its row count."""
    con.execute(sql(table))
    return con.sql(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]


def build_all(
    con: duckdb.DuckDBPyConnection, *, homes: Sequence[dict[str, Any]] = ()
) -> dict[str, int]:
    """Load the reference tables and rebuild every staged table, in order; rows per table."""
    load_reference(con, homes=homes)
    return {table: build(con, table) for table in STAGED}
