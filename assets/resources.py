"""The Dagster resources of the pipeline: the settings, the warehouse, the inbox, the pages.

Each is a thin :class:`dagster.ConfigurableResource` over :mod:`warehouse`:
:func:`resources_for` builds them all from one :class:`~warehouse.settings.Settings`, so
the code location, the command line and the tests wire the graph the same way.

Examples
--------
>>> from warehouse.settings import load_settings
>>> sorted(resources_for(load_settings()))
['inbox', 'project', 'reports', 'warehouse']
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb

from warehouse import connection
from warehouse.settings import Settings, load_settings


class Project(dg.ConfigurableResource):
    """The settings file (``m4c.toml``) the run uses; empty: none, every setting its default."""

    settings_file: str = ""

    def settings(self) -> Settings:
        """The settings it names (the defaults, with no sites, when it names none)."""
        if self.settings_file:
            return load_settings(file=Path(self.settings_file))
        return load_settings(search=False)


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse file (DuckDB allows one writer at a time)."""

    path: str

    @contextlib.contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """The warehouse, open for the block and closed after it."""
        with connection.connect(Path(self.path), read_only=read_only) as con:
            yield con


class Inbox(dg.ConfigurableResource):
    """The folder of extracts, one sub-folder per site; ``live`` for real data."""

    path: str
    live: bool = False


class Reports(dg.ConfigurableResource):
    """The folder pages and charts are written to."""

    path: str


def resources_for(settings: Settings, *, live: bool = False) -> dict[str, dg.ConfigurableResource]:
    """Every resource of the graph, from ``settings``."""
    return {
        "project": Project(settings_file=str(settings.file) if settings.file else ""),
        "warehouse": Warehouse(path=str(settings.warehouse)),
        "inbox": Inbox(path=str(settings.inbox), live=live),
        "reports": Reports(path=str(settings.out)),
    }
