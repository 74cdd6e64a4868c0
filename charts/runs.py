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
from scipy import special

from charts.rules import RuleSet
from charts.segments import Segments, run_lengths, sign, spread


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
    crossings = qbinom(0.05, uniq - 1, 0.5)  # Chen 2010 (7): qbinom()
    return longest[inverse], crossings[inverse]


def qbinom(q: float, size: np.ndarray, prob: float) -> np.ndarray:
    """R's ``qbinom(q, size, prob)``: the least k with P(X <= k) >= q, X ~ Bin(size, prob).

    The quantile as ``scipy.stats.binom.ppf`` computes it (``_ppf``: the continuous
    inverse of the CDF, rounded up, then one step back where the CDF allows), from
    ``scipy.special`` alone, which imports in a fraction of the time ``scipy.stats`` takes.

    Examples
    --------
    >>> qbinom(0.05, np.array([0, 9, 19, 99]), 0.5).tolist()
    [0, 2, 6, 41]
    """
    size = np.asarray(size, dtype=np.int64)
    above = np.ceil(special.bdtrik(q, size.astype(np.float64), prob))  # scipy.stats.binom._ppf
    below = np.maximum(above - 1, 0)
    k = np.where(special.bdtr(below, size, prob) >= q, below, above)
    return np.where(size == 0, 0, k).astype(np.int64)  # no trials: all mass at 0


@dataclass(frozen=True)
class RunsAnalysis:
    """Per-segment results of the run-chart rules (arrays indexed by segment).

    ``longest_run``, ``longest_run_max``, ``n_crossings`` and ``n_crossings_min``
    are float arrays with NaN where a segment has no useful observation. ``rows``,
    ``run_start`` and ``run_length`` describe the runs: the useful rows, and where
    each run starts (an index into ``rows``) and how long it is.
    """

    n_obs: np.ndarray
    n_useful: np.ndarray
    longest_run: np.ndarray
    longest_run_max: np.ndarray
    n_crossings: np.ndarray
    n_crossings_min: np.ndarray
    signal: np.ndarray
    rows: np.ndarray
    run_start: np.ndarray
    run_length: np.ndarray


def anhoej(seg: Segments, y: np.ndarray, cl: np.ndarray, include: np.ndarray) -> RunsAnalysis:
    """Anhøj runs analysis of every segment, as qicharts2 ``runs.analysis()`` does it.

    Parameters
    ----------
    seg : Segments
        The series (facet x part).
    y, cl : numpy.ndarray
        Plotted values and centre line of every row; NaN for missing.
    include : numpy.ndarray of bool
        Rows taking part (rows in ``exclude`` are left out).
    """
    side = sign(y - cl)  # 0 on the centre line and for missing values
    useful = include & (side != 0)
    rows = np.flatnonzero(useful)
    run_seg = seg.ids[rows]
    start, length = run_lengths(run_seg, side[rows])
    run_seg = run_seg[start]
    n_useful = seg.count(useful)
    n_runs = np.bincount(run_seg, minlength=seg.size)
    longest = seg.per_segment_max(length, run_seg)
    has = n_useful > 0
    lmax = np.zeros(seg.size, np.int64)
    cmin = np.zeros(seg.size, np.int64)
    lmax[has], cmin[has] = anhoej_limits(n_useful[has])
    crossings = np.maximum(n_runs - 1, 0)
    signal = has & ((longest > lmax) | (crossings < cmin))
    nan = np.where(has, 0.0, np.nan)
    return RunsAnalysis(
        n_obs=seg.count(include),
        n_useful=n_useful,
        longest_run=longest + nan,
        longest_run_max=lmax + nan,
        n_crossings=crossings + nan,
        n_crossings_min=cmin + nan,
        signal=signal,
        rows=rows,
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
    (array([nan,  6., 15., 16.]), array([nan, 16., 27., 27.]))
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
    seg: Segments, y: np.ndarray, include: np.ndarray, runs: RunsAnalysis, rules: RuleSet
) -> IhiAnalysis:
    """IHI shift, trend and runs rules (Perla, Provost & Murray 2011).

    Parameters
    ----------
    seg, y, include
        As for :func:`anhoej`.
    runs : RunsAnalysis
        The Anhøj analysis of the same series against the median; its runs of
        useful observations are the IHI runs too.
    rules : RuleSet
        Supplies the shift and trend lengths and the runs table.
    """
    n = len(y)
    long_runs = runs.run_length >= rules.shift
    shift_useful = spread(
        runs.run_start[long_runs],
        runs.run_start[long_runs] + runs.run_length[long_runs],
        len(runs.rows),
    )
    shift = np.zeros(n, bool)
    shift[runs.rows[shift_useful]] = True

    # Trend: consecutive non-missing points; ties are counted once (they neither add to
    # nor break a trend), so zero differences are dropped before runs are counted.
    step = sign(seg.diff(y, include & ~np.isnan(y)))  # at the later point of each pair
    moving = np.flatnonzero(step != 0)
    start, length = run_lengths(seg.ids[moving], step[moving])
    trending = length >= rules.trend - 1
    points = np.flatnonzero(include & ~np.isnan(y))
    # A run of differences ending at rows moving[...] spans from the point before its
    # first difference to the point of its last.
    first_row = moving[start[trending]]
    last_row = moving[start[trending] + length[trending] - 1]
    first_point = np.searchsorted(points, first_row) - 1
    last_point = np.searchsorted(points, last_row)
    trend = np.zeros(n, bool)
    trend[points[spread(first_point, last_point + 1, len(points))]] = True

    n_runs = np.where(runs.n_useful > 0, runs.n_crossings + 1, np.nan)
    lower, upper = runs_limits(runs.n_useful, rules)
    with np.errstate(invalid="ignore"):
        runs_signal = (n_runs < lower) | (n_runs > upper)
    return IhiAnalysis(shift, trend, n_runs, lower, upper, runs_signal)
