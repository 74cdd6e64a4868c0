"""Opening the DuckDB warehouse, and transactions on it: one way, used everywhere.

DuckDB lets one process write a database file at a time. :func:`connect` opens the
warehouse (creating it and its landing tables if needed) and always closes it, and says
in plain words when another process holds it. :func:`transaction` commits a block of
statements whole or rolls it back.

Examples
--------
>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "w.duckdb"
>>> with connect(path) as con, transaction(con):
...     _ = con.execute("CREATE TABLE t AS SELECT 1 AS x")
>>> with connect(path, read_only=True) as con:
...     con.sql("SELECT x FROM t").fetchall()
[(1,)]
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb

LANDING_SCHEMA = resources.files("warehouse").joinpath("sql/landing_schema.sql")


class WarehouseBusyError(Exception):
    """Another process holds the warehouse; the message says what to do."""


@contextlib.contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse at ``path``, open for writing (or reading), closed on leaving.

    A writable connection creates the file and its landing tables if they are missing.

    Raises
    ------
    WarehouseBusyError
        If another process has the file open for writing.
    FileNotFoundError
        If ``read_only`` and there is no warehouse yet.
    """
    if read_only and not path.is_file():
        raise FileNotFoundError(f"there is no warehouse at {path}")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        raise WarehouseBusyError(
            f"the warehouse {str(path)!r} is in use by another process (only one may write "
            f"at a time: is a Dagster run or another m4c command still going?). Wait for it "
            f"to finish, or stop it, and try again. ({str(exc).splitlines()[0]})"
        ) from None
    try:
        con.execute("SET enable_progress_bar = false")
        # SQL names tables, never Python variables that happen to share a name
        con.execute("SET python_enable_replacements = false")
        if not read_only:
            con.execute(LANDING_SCHEMA.read_text(encoding="utf-8"))
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block in one transaction: committed if it completes, else rolled back."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextlib.contextmanager
def registered(
    con: duckdb.DuckDBPyConnection, **frames: object
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Frames visible to SQL under the given names for the block, then unregistered."""
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        yield con
    finally:
        for name in frames:
            con.unregister(name)
