"""Vectorised reductions over many series at once.

Every chart statistic is computed for all facets and parts in one pass. The rows of
all series are sorted and laid end to end, so each series (a *segment*) is a
contiguous block of rows. :class:`Segments` reduces over those blocks with
``numpy.ufunc.reduceat`` and broadcasts per-segment values back with
``numpy.repeat``; no Python code loops over points or series.

Values are float arrays with NaN for missing. Reductions skip NaN (R's
``na.rm = TRUE``) and rows outside an optional ``where`` mask; over an empty
selection they give NaN, as R's ``mean(numeric(0))`` does.

Examples
--------
>>> seg = Segments.from_lengths(np.array([3, 2]))
>>> seg.mean(np.array([1.0, 2.0, 6.0, np.nan, 4.0]))
array([3., 4.])
>>> seg.repeat(np.array([10.0, 20.0]))
array([10., 10., 10., 20., 20.])
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import polars as pl

from charts import _heap  # noqa: F401  (keeps large temporaries cheap; see charts/_heap.py)


def breaks(*keys: np.ndarray) -> np.ndarray:
    """True where any key differs from the row before (and on the first row).

    Examples
    --------
    >>> breaks(np.array([0, 0, 1, 1]), np.array([1, 1, 1, 2]))
    array([ True, False,  True,  True])
    """
    n = len(keys[0])
    out = np.zeros(n, bool)
    if n:
        out[0] = True
        for k in keys:
            out[1:] |= k[1:] != k[:-1]
    return out


def sign(v: np.ndarray) -> np.ndarray:
    """Sign of each value as int8, with 0 for NaN (much faster than ``numpy.sign``)."""
    return (v > 0).view(np.int8) - (v < 0).view(np.int8)


def run_lengths(*keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Runs of rows with equal keys (R ``rle()``); return their starts and lengths.

    Examples
    --------
    >>> run_lengths(np.array([0, 0, 0, 1]), np.array([1, 1, -1, -1]))
    (array([0, 2, 3]), array([2, 1, 1]))
    """
    start = np.flatnonzero(breaks(*keys))
    length = np.diff(np.append(start, len(keys[0])))
    return start, length


def spread(start: np.ndarray, stop: np.ndarray, n: int) -> np.ndarray:
    """Boolean mask of length ``n``, true on every ``[start[i], stop[i])`` interval.

    Examples
    --------
    >>> spread(np.array([1]), np.array([3]), 5)
    array([False,  True,  True, False, False])
    """
    mark = np.zeros(n + 1, np.int64)
    np.add.at(mark, start, 1)
    np.add.at(mark, stop, -1)
    return np.cumsum(mark[:n]) > 0


class Segments:
    """Contiguous blocks of rows (series), and reductions over them.

    Parameters
    ----------
    starts : numpy.ndarray
        First row of each segment, increasing, starting at 0.
    n : int
        Number of rows.
    """

    def __init__(self, starts: np.ndarray, n: int) -> None:
        self.starts = np.asarray(starts, dtype=np.int64)
        self.n = n
        self.size = len(self.starts)
        self.lengths = np.diff(np.append(self.starts, n))

    @classmethod
    def from_breaks(cls, first: np.ndarray) -> Segments:
        """Segments starting where ``first`` is true."""
        return cls(np.flatnonzero(first), len(first))

    @classmethod
    def from_lengths(cls, lengths: np.ndarray) -> Segments:
        """Segments of the given lengths, in order."""
        lengths = np.asarray(lengths, dtype=np.int64)
        return cls(np.concatenate(([0], np.cumsum(lengths)[:-1])), int(lengths.sum()))

    @cached_property
    def ids(self) -> np.ndarray:
        """Segment number of every row."""
        return np.repeat(np.arange(self.size), self.lengths)

    @cached_property
    def position(self) -> np.ndarray:
        """Position of every row within its segment (0, 1, 2, ...)."""
        return np.arange(self.n) - np.repeat(self.starts, self.lengths)

    def repeat(self, per_segment: np.ndarray) -> np.ndarray:
        """Broadcast one value per segment to its rows."""
        return np.repeat(per_segment, self.lengths)

    def _valid(self, v: np.ndarray, where: np.ndarray | None) -> np.ndarray:
        valid = ~np.isnan(v)
        return valid if where is None else valid & where

    def count(self, where: np.ndarray) -> np.ndarray:
        """Number of selected rows in each segment."""
        if not self.size:
            return np.zeros(0, np.int64)
        return np.add.reduceat(where, self.starts, dtype=np.int64)

    def sum(self, v: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        """Sum of the selected non-NaN values (R ``sum(x, na.rm = TRUE)``)."""
        if not self.size:
            return np.zeros(0)
        return np.add.reduceat(np.where(self._valid(v, where), v, 0.0), self.starts)

    def mean(self, v: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        """Mean of the selected non-NaN values (R ``mean(x, na.rm = TRUE)``).

        Like R's ``mean()``, a second pass adds the mean residual to the first
        estimate, so the result is accurate to about one unit in the last place;
        that decides whether a point lies exactly on the centre line.
        """
        if not self.size:
            return np.zeros(0)
        valid = self._valid(v, where)
        vz = np.where(valid, v, 0.0)
        count = self.count(valid).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            first = np.add.reduceat(vz, self.starts) / count
            resid = np.where(valid, vz - self.repeat(first), 0.0)
            return first + np.add.reduceat(resid, self.starts) / count

    def sd(self, v: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        """Sample standard deviation (n - 1) of the selected non-NaN values."""
        valid = self._valid(v, where)
        mean = self.repeat(self.mean(v, valid))
        ss = self.sum((v - mean) ** 2, valid)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.sqrt(ss / (self.count(valid) - 1))

    def _extreme(self, v: np.ndarray, where: np.ndarray | None, ufunc: np.ufunc) -> np.ndarray:
        if not self.size:
            return np.zeros(0)
        fill = np.inf if ufunc is np.minimum else -np.inf
        out = ufunc.reduceat(np.where(self._valid(v, where), v, fill), self.starts)
        return np.where(np.isinf(out) & (out == fill), np.nan, out)

    def min(self, v: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        """Smallest selected non-NaN value of each segment (NaN if none)."""
        return self._extreme(v, where, np.minimum)

    def max(self, v: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        """Largest selected non-NaN value of each segment (NaN if none)."""
        return self._extreme(v, where, np.maximum)

    def median(self, v: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        """Median of the selected non-NaN values (R ``median(x, na.rm = TRUE)``)."""
        valid = self._valid(v, where)
        frame = pl.DataFrame({"s": self.ids[valid], "v": v[valid]})
        medians = frame.group_by("s").agg(pl.col("v").median())
        out = np.full(self.size, np.nan)
        out[medians.get_column("s").to_numpy()] = medians.get_column("v").to_numpy()
        return out

    def diff(self, v: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        """Differences between consecutive selected rows of the same segment.

        The result has one value per row: ``v[row] - v[previous selected row]`` on
        each selected row that has a predecessor in its segment, NaN elsewhere. Rows
        outside ``where`` are skipped, so a difference spans them (R's
        ``diff(y[base])``); NaN values give NaN differences (they are not bridged).
        """
        out = np.full(self.n, np.nan)
        if where is None or where.all():
            out[1:] = v[1:] - v[:-1]
            out[self.starts] = np.nan
            return out
        idx = np.flatnonzero(where)
        same = self.ids[idx[1:]] == self.ids[idx[:-1]]
        out[idx[1:][same]] = (v[idx[1:]] - v[idx[:-1]])[same]
        return out

    def per_segment_max(self, values: np.ndarray, segment: np.ndarray) -> np.ndarray:
        """Largest of ``values`` per segment, given each value's (sorted) segment; 0 if none."""
        out = np.zeros(self.size, values.dtype if len(values) else np.int64)
        if len(values):
            first = np.flatnonzero(breaks(segment))
            out[segment[first]] = np.maximum.reduceat(values, first)
        return out


def long_runs(seg: np.ndarray, key: np.ndarray, min_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Runs of ``min_length`` or more equal, non-NaN keys within a segment.

    NaN never equals anything, so a NaN key ends a run and starts none.

    Returns
    -------
    start, length : numpy.ndarray
        First index and length of each long run.

    Examples
    --------
    >>> long_runs(np.zeros(6, int), np.array([1.0, 1, 1, np.nan, 1, 1]), 3)
    (array([0]), array([3]))
    """
    start, length = run_lengths(seg, key)
    long = (length >= min_length) & ~np.isnan(key[start])
    return start[long], length[long]
