"""Connectors: read the raw extracts of each source system into typed polars frames.

One module per source system; each maps its tables in ``LAYOUTS`` to a
:class:`~connectors.base.Layout`, which :func:`~connectors.base.apply` uses to turn a
:class:`~connectors.reading.RawFile` into a :class:`~connectors.base.Parsed`. Adding a
source means a new module here (listed in :mod:`connectors.layouts`), its file layouts
in :mod:`connectors.schemas` and a code list in ``data/reference/``.

Examples
--------
>>> LAYOUTS["hospital", "inpatient_spells"].table
'raw_hospital_spell'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from connectors.base import ROW_BASE, Context, Parsed, apply
from connectors.layouts import LAYOUTS
from connectors.reading import RawFile, read_extract

__all__ = ["LAYOUTS", "parse_batch", "parse_file"]


def parse_file(path: Path, ctx: Context) -> Parsed:
    """Read, identify and parse one extract file (raises FileRefusedError if it cannot)."""
    return parse_batch([(read_extract(path), ctx)])


def parse_batch(items: Sequence[tuple[RawFile, Context]]) -> Parsed:
    """Parse files of one table from one site together, as if they were one file.

    A site sends one small file per care home and table; parsing hundreds of them one
    by one costs far more in per-call overhead than in work. Their rows are stacked,
    each tagged with its home (``__home``) and file (``__file``: duplicates are looked
    for within a file only), and numbered ``file_index * ROW_BASE + line``, so every
    frame of the result tells which file each row came from
    (:func:`connectors.base.file_index`). The files must share source, table and
    version, site and key; only their care home may differ.
    """
    raws = [raw for raw, _ in items]
    first, ctx = items[0]
    if any(r.spec != first.spec for r in raws):
        raise ValueError("parse_batch takes files of one layout and version")
    index = np.repeat(np.arange(len(raws)), [r.rows.height for r in raws])
    homes = pl.Series([c.home_id for _, c in items], dtype=pl.String)
    rows = pl.concat([r.rows for r in raws]).with_columns(
        __row=pl.col("__row") + index * ROW_BASE,
        __file=pl.Series(index),
        __home=homes.gather(index),
    )
    batch = dataclasses.replace(first, rows=rows)
    return apply(batch, LAYOUTS[first.spec.source, first.spec.table], ctx)
