"""Connectors: read the raw extracts of each source system into typed polars frames.

One module per source system; each maps its tables in ``TABLES`` to a function from a
:class:`~connectors.reading.RawFile` to a :class:`~connectors.base.Parsed`. Adding a
source means a new module here, its layouts in :mod:`connectors.schemas` and a code list
in ``data/reference/``.

Examples
--------
>>> sorted(CONNECTORS)[:2]
[('carehome', 'absences'), ('carehome', 'incidents')]
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from connectors import carehome, emis, hospital, qi_log, systmone
from connectors.base import Context, Parsed
from connectors.reading import RawFile, read_extract

Connector = Callable[[RawFile, Context], Parsed]
CONNECTORS: dict[tuple[str, str], Connector] = {
    **emis.TABLES,
    **systmone.TABLES,
    **carehome.TABLES,
    **hospital.TABLES,
    **qi_log.TABLES,
}


def parse_file(path: Path, ctx: Context) -> Parsed:
    """Read, identify and parse one extract file (raises FileRefusedError if it cannot)."""
    raw = read_extract(path)
    return CONNECTORS[(raw.spec.source, raw.spec.table)](raw, ctx)
