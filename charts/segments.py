"""Vectorised reductions over many series at once.

Every chart statistic is computed for all facets and parts in one pass. The rows of
all series are laid end to end, sorted, and a *segment id* (0, 0, 0, 1, 1, 2, ...)
says which series each row belongs to. The functions here reduce over segments
with ``numpy.bincount`` and friends, so no Python code loops over points or series.

Conventions: ``seg`` is a non-decreasing int64 array, ``size`` the number of
segments, ``mask`` a boolean array selecting the rows that take part. Reductions
over an empty selection give NaN, as R's ``mean(numeric(0))`` does.

Examples
--------
>>> import numpy as np
>>> seg = np.array([0, 0, 0, 1, 1])
>>> v = np.array([1.0, 2.0, 6.0, np.nan, 4.0])
>>> seg_mean(seg, v, np.ones(5, bool), 2)
array([3., 4.])
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "breaks",
    "long_runs",
    "run_lengths",
    "seg_count",
    "seg_diff",
    "seg_max",
    "seg_mean",
    "seg_median",
    "seg_min",
    "seg_sd",
    "seg_sum",
    "spread",
]


def _valid(v: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return mask & ~np.isnan(v)


def seg_count(seg: np.ndarray, mask: np.ndarray, size: int) -> np.ndarray:
    """Count the selected rows of each segment."""
    return np.bincount(seg[mask], minlength=size)


def seg_sum(seg: np.ndarray, v: np.ndarray, mask: np.ndarray, size: int) -> np.ndarray:
    """Sum the selected non-NaN values of each segment (R ``sum(x, na.rm = TRUE)``)."""
    m = _valid(v, mask)
    return np.bincount(seg[m], weights=v[m], minlength=size)


def seg_mean(seg: np.ndarray, v: np.ndarray, mask: np.ndarray, size: int) -> np.ndarray:
    """Mean of the selected non-NaN values of each segment (R ``mean(x, na.rm = TRUE)``).

    Like R's ``mean()``, a second pass adds the mean residual to the first estimate,
    so the result is accurate to about one unit in the last place. That matters for
    deciding whether a point lies exactly on the centre line.
    """
    m = _valid(v, mask)
    s, vm = seg[m], v[m]
    count = np.bincount(s, minlength=size).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        first = np.bincount(s, weights=vm, minlength=size) / count
        return first + np.bincount(s, weights=vm - first[s], minlength=size) / count


def seg_sd(seg: np.ndarray, v: np.ndarray, mask: np.ndarray, size: int) -> np.ndarray:
    """Sample standard deviation (n - 1) of each segment; NaN below two values."""
    m = _valid(v, mask)
    s, vm = seg[m], v[m]
    count = np.bincount(s, minlength=size).astype(float)
    mean = seg_mean(seg, v, mask, size)
    with np.errstate(invalid="ignore", divide="ignore"):
        ss = np.bincount(s, weights=(vm - mean[s]) ** 2, minlength=size)
        return np.sqrt(ss / (count - 1))


def seg_median(seg: np.ndarray, v: np.ndarray, mask: np.ndarray, size: int) -> np.ndarray:
    """Median of the selected non-NaN values of each segment (R ``median(x, na.rm = TRUE)``)."""
    m = _valid(v, mask)
    s, vm = seg[m], v[m]
    order = np.lexsort((vm, s))
    vs = vm[order]
    count = np.bincount(s, minlength=size)
    start = np.concatenate(([0], np.cumsum(count)[:-1]))
    out = np.full(size, np.nan)
    has = count > 0
    lo = start[has] + (count[has] - 1) // 2
    hi = start[has] + count[has] // 2
    out[has] = (vs[lo] + vs[hi]) / 2
    return out


def _seg_extreme(
    seg: np.ndarray, v: np.ndarray, mask: np.ndarray, size: int, ufunc: np.ufunc
) -> np.ndarray:
    m = _valid(v, mask)
    s, vm = seg[m], v[m]
    out = np.full(size, np.nan)
    if len(s):
        first = breaks(s)
        out[s[first]] = ufunc.reduceat(vm, np.flatnonzero(first))
    return out


def seg_min(seg: np.ndarray, v: np.ndarray, mask: np.ndarray, size: int) -> np.ndarray:
    """Smallest selected non-NaN value of each segment (NaN if none)."""
    return _seg_extreme(seg, v, mask, size, np.minimum)


def seg_max(seg: np.ndarray, v: np.ndarray, mask: np.ndarray, size: int) -> np.ndarray:
    """Largest selected non-NaN value of each segment (NaN if none)."""
    return _seg_extreme(seg, v, mask, size, np.maximum)


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


def seg_diff(
    seg: np.ndarray, v: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Differences between consecutive selected rows of the same segment.

    Rows left out by ``mask`` are skipped, so a difference spans them (as R's
    ``diff(y[base])`` does). NaN values are kept and give NaN differences.

    Returns
    -------
    seg_of_diff, diff, row : numpy.ndarray
        The segment of each difference, its value ``v[row] - v[previous row]``,
        and the row index it ends on.
    """
    idx = np.flatnonzero(mask)
    same = seg[idx[1:]] == seg[idx[:-1]]
    end = idx[1:][same]
    start = idx[:-1][same]
    return seg[end], v[end] - v[start], end


def run_lengths(seg: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Runs of equal ``key`` within each segment (R ``rle()`` per segment).

    Returns
    -------
    start, length : numpy.ndarray
        Index of the first element of each run, and its length.

    Examples
    --------
    >>> run_lengths(np.array([0, 0, 0, 1]), np.array([1, 1, -1, -1]))
    (array([0, 2, 3]), array([2, 1, 1]))
    """
    start = np.flatnonzero(breaks(seg, key))
    length = np.diff(np.append(start, len(key)))
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
