"""Run-chart rules: Anhøj (qicharts2) and IHI (Perla, Provost & Murray 2011).

Both work on the *useful* observations of each series: points that are neither
missing nor exactly on the centre line. Such points neither break a run nor add
to it.

Examples
--------
>>> anhoej_limits(np.array([10, 24, 100]))
(array([ 6,  8, 10]), array([ 2,  8, 41]))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import binom

from charts.rules import RuleSet
from charts.segments import breaks, run_lengths, seg_count, spread


def anhoej_limits(n_useful: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longest-run and crossings limits of the Anhøj rules for ``n_useful`` points.

    Parameters
    ----------
    n_useful : numpy.ndarray of int
        Number of useful observations (at least 1).

    Returns
    -------
    longest_run_max, n_crossings_min : numpy.ndarray of int
        A longest run above ``longest_run_max``, or fewer crossings than
        ``n_crossings_min``, is a signal.
    """
    n = np.asarray(n_useful, dtype=np.int64)
    uniq, inverse = np.unique(n, return_inverse=True)
    longest = np.round(np.log2(uniq)).astype(np.int64) + 3  # Schilling 2012
    crossings = binom.ppf(0.05, uniq - 1, 0.5).astype(np.int64)  # Chen 2010 (7): qbinom()
    return longest[inverse], crossings[inverse]


@dataclass(frozen=True)
class RunsAnalysis:
    """Per-segment results of the run-chart rules (arrays indexed by segment).

    ``longest_run``, ``longest_run_max``, ``n_crossings`` and ``n_crossings_min``
    are float arrays with NaN where a segment has no useful observation.
    """

    n_obs: np.ndarray
    n_useful: np.ndarray
    longest_run: np.ndarray
    longest_run_max: np.ndarray
    n_crossings: np.ndarray
    n_crossings_min: np.ndarray
    signal: np.ndarray
    side: np.ndarray
    useful: np.ndarray
    run_start: np.ndarray
    run_length: np.ndarray


def anhoej(
    seg: np.ndarray, y: np.ndarray, cl: np.ndarray, include: np.ndarray, size: int
) -> RunsAnalysis:
    """Anhøj runs analysis of every segment, as qicharts2 ``runs.analysis()`` does it.

    Parameters
    ----------
    seg : numpy.ndarray
        Segment id of each row (facet x part), non-decreasing.
    y, cl : numpy.ndarray
        Plotted values and centre line; NaN for missing.
    include : numpy.ndarray of bool
        Rows taking part (rows in ``exclude`` are left out).
    size : int
        Number of segments.
    """
    with np.errstate(invalid="ignore"):
        side = np.sign(y - cl)
    useful = include & ~np.isnan(side) & (side != 0)
    s, v = seg[useful], side[useful]
    n_obs = seg_count(seg, include, size)
    n_useful = np.bincount(s, minlength=size)
    start, length = run_lengths(s, v)
    run_seg = s[start]
    n_runs = np.bincount(run_seg, minlength=size)
    longest = np.zeros(size, np.int64)
    if len(start):
        first = np.flatnonzero(breaks(run_seg))
        longest[run_seg[first]] = np.maximum.reduceat(length, first)
    has = n_useful > 0
    lmax = np.zeros(size, np.int64)
    cmin = np.zeros(size, np.int64)
    lmax[has], cmin[has] = anhoej_limits(n_useful[has])
    crossings = np.maximum(n_runs - 1, 0)
    signal = has & ((longest > lmax) | (crossings < cmin))
    nan = np.where(has, 0.0, np.nan)
    return RunsAnalysis(
        n_obs=n_obs,
        n_useful=n_useful,
        longest_run=longest + nan,
        longest_run_max=lmax + nan,
        n_crossings=crossings + nan,
        n_crossings_min=cmin + nan,
        signal=signal,
        side=side,
        useful=useful,
        run_start=start,
        run_length=length,
    )


def runs_limits(n_useful: np.ndarray, rules: RuleSet) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits on the number of runs (IHI rule 3).

    Within the rule set's table (Perla 2011, n = 10..40) the table is used. Beyond it,
    the normal approximation to the Swed-Eisenhart distribution with ``a = n // 2``
    points above and ``b = n - a`` below (Wald & Wolfowitz 1940): mean ``1 + 2ab/n``,
    limits at 1.96 standard deviations. Below the table there is no test (NaN).

    Examples
    --------
    >>> from charts.rules import IHI
    >>> runs_limits(np.array([9, 20, 40, 41]), IHI)
    (array([nan,  6., 15., 15.]), array([nan, 16., 27., 28.]))
    """
    n = np.asarray(n_useful, dtype=float)
    a = np.floor(n / 2)
    b = n - a
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = 1 + 2 * a * b / n  # Wald & Wolfowitz 1940
        var = 2 * a * b * (2 * a * b - n) / (n**2 * (n - 1))
        sd = np.sqrt(var)
        lower = np.ceil(mean - 1.96 * sd)
        upper = np.floor(mean + 1.96 * sd)
    table = rules.runs_table
    lo_n, hi_n = min(table), max(table)
    in_table = (n >= lo_n) & (n <= hi_n)
    idx = np.clip(n, lo_n, hi_n).astype(np.int64) - lo_n
    t_lower = np.array([table[k][0] for k in range(lo_n, hi_n + 1)], float)
    t_upper = np.array([table[k][1] for k in range(lo_n, hi_n + 1)], float)
    lower = np.where(in_table, t_lower[idx], np.where(n < lo_n, np.nan, lower))
    upper = np.where(in_table, t_upper[idx], np.where(n < lo_n, np.nan, upper))
    return lower, upper


@dataclass(frozen=True)
class IhiAnalysis:
    """Results of the IHI run-chart rules.

    ``shift`` and ``trend`` are per-row flags (part of a shift or a trend);
    ``n_runs``, ``runs_lower`` and ``runs_upper`` are per segment (NaN where there
    is no test), and ``runs_signal`` per segment is true on too few or too many runs.
    """

    shift: np.ndarray
    trend: np.ndarray
    n_runs: np.ndarray
    runs_lower: np.ndarray
    runs_upper: np.ndarray
    runs_signal: np.ndarray


def ihi(
    seg: np.ndarray,
    y: np.ndarray,
    include: np.ndarray,
    runs: RunsAnalysis,
    size: int,
    rules: RuleSet,
) -> IhiAnalysis:
    """IHI shift, trend and runs rules (Perla, Provost & Murray 2011).

    Parameters
    ----------
    seg, y, include, size
        As for :func:`anhoej`.
    runs : RunsAnalysis
        The Anhøj analysis of the same series against the median; its runs of
        useful observations are the IHI runs too.
    rules : RuleSet
        Supplies the shift and trend lengths and the runs table.
    """
    n = len(y)
    useful_rows = np.flatnonzero(runs.useful)
    long_runs = runs.run_length >= rules.shift
    shift_useful = spread(
        runs.run_start[long_runs],
        runs.run_start[long_runs] + runs.run_length[long_runs],
        len(useful_rows),
    )
    shift = np.zeros(n, bool)
    shift[useful_rows[shift_useful]] = True

    # Trend: consecutive non-missing points; ties are counted once (they neither add to
    # nor break a trend), so zero differences are dropped before runs are counted.
    rows = np.flatnonzero(include & ~np.isnan(y))
    same = seg[rows[1:]] == seg[rows[:-1]]
    step = np.sign(np.diff(y[rows]))
    moving = same & (step != 0)
    d_idx = np.flatnonzero(moving)
    d_seg, d_sign = seg[rows[1:]][d_idx], step[d_idx]
    # A trend breaks where the segment changes, or the direction changes.
    start, length = run_lengths(d_seg, d_sign)
    trending = length >= rules.trend - 1
    first_point = d_idx[start[trending]]  # diff i joins rows[i] and rows[i + 1]
    last_point = d_idx[start[trending] + length[trending] - 1] + 1
    trend = np.zeros(n, bool)
    trend[rows[spread(first_point, last_point + 1, len(rows))]] = True

    n_runs = np.where(runs.n_useful > 0, runs.n_crossings + 1, np.nan)
    lower, upper = runs_limits(runs.n_useful, rules)
    with np.errstate(invalid="ignore"):
        runs_signal = (n_runs < lower) | (n_runs > upper)
    return IhiAnalysis(shift, trend, n_runs, lower, upper, runs_signal)
