"""What the writers share: the file written, frames of text, dates as text, a site's context.

Examples
--------
>>> text_frame(["a", "b", "c"], 2, {"a": "x", "b": [1, 2]}).rows()
[('x', '1', None), ('x', '2', None)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import polars as pl

from synth.quirks import FATES
from synth.simulate import World
from synth.world import Calendar


@dataclass(frozen=True)
class ExtractFile:
    """A file to write: its path in the inbox, its bytes, rows in and the fate of the junk."""

    rel: str
    data: bytes
    rows_in: int
    fates: Mapping[str, int]


def text_frame(columns: Sequence[str], n: int, values: Mapping[str, object]) -> pl.DataFrame:
    """A frame of text with exactly ``columns``: the values given, the rest empty."""
    unknown = set(values) - set(columns)
    if unknown:
        raise KeyError(f"not columns of this layout: {sorted(unknown)}")
    out = []
    for c in columns:
        v = values.get(c)
        if v is None:
            s = pl.repeat(None, n, dtype=pl.String, eager=True)
        elif isinstance(v, str):
            s = pl.repeat(v, n, dtype=pl.String, eager=True)
        elif isinstance(v, pl.Series):
            s = v.cast(pl.String)
        else:
            s = pl.Series(np.asarray(v)).cast(pl.String)
        out.append(s.alias(c))
    return pl.DataFrame(out) if out else pl.DataFrame()


def date_text(cal: Calendar, days: pl.Series | np.ndarray, fmt: str) -> pl.Series:
    """Day indexes as dates in ``fmt`` (null stays null)."""
    s = pl.Series(days).cast(pl.Int64)
    base = pl.lit(cal.start)
    return pl.select((base + pl.duration(days=s)).dt.strftime(fmt)).to_series()


def datetime_text(cal: Calendar, days: pl.Series | np.ndarray, minutes, fmt: str) -> pl.Series:
    """Day indexes plus minutes as date-times in ``fmt``."""
    d = pl.Series(days).cast(pl.Int64)
    m = pl.Series(minutes).cast(pl.Int64)
    base = pl.lit(cal.start).cast(pl.Datetime("ms"))
    return pl.select((base + pl.duration(days=d, minutes=m)).dt.strftime(fmt)).to_series()


def csv_text(frame: pl.DataFrame, *, crlf: bool = False) -> str:
    """The frame as CSV text, with CRLF line ends if ``crlf`` (as Windows systems write)."""
    return frame.write_csv(None, line_terminator="\r\n" if crlf else "\n")


def extract_file(
    rel: str,
    text: str,
    real_rows: int,
    fates: Mapping[str, int],
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    preamble: int = 0,
) -> ExtractFile:
    """The file of ``text``, encoded, with its real rows, junk rows and preamble lines counted."""
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)
    fates = {**dict.fromkeys(FATES, 0), **fates, "skipped_preamble": preamble}
    rows_in = real_rows + sum(fates.values())
    return ExtractFile(rel, data, rows_in, MappingProxyType(fates))


@dataclass(frozen=True)
class SiteCtx:
    """What the writers of one site share."""

    site: int
    site_id: str
    world: World
    ids: np.random.Generator
    quirks: np.random.Generator
    quirk_rate: float

    @property
    def cal(self) -> Calendar:
        """The calendar of the period."""
        return self.world.cal

    def people(self) -> pl.DataFrame:
        """The people of this site."""
        return self.world.people.filter(pl.col("site") == self.site)
