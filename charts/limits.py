"""Centre lines and control limits of each chart type, as qicharts2 0.8.1 computes them.

One function per chart type, all with the same shape: they take the subgroups of
every facet and part at once (:class:`Subgroups`) and return :class:`Limits`. The
``base`` rows (baseline and not excluded) set the centre line and sigma; the limits
then apply to every row of the part. Formulas follow ``R/helper.functions.R`` of
qicharts2 (functions ``qic.run``, ``qic.i``, ...); each line cites its source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from charts.errors import SpcInputError
from charts.rules import D2, D4, IP_SCREEN, T_EXPONENT
from charts.segments import Segments


@dataclass(frozen=True)
class Subgroups:
    """The aggregated subgroups of all series, one row per facet and x.

    Attributes
    ----------
    seg : Segments
        The series (facet x part) as contiguous blocks of rows.
    y : numpy.ndarray
        ``sum(y) / sum(n)`` with a denominator, else the subgroup mean.
    y_sum, y_length, y_mean, y_sd, n : numpy.ndarray
        Subgroup sum, count of non-missing values, mean, sd and denominator.
    base : numpy.ndarray of bool
        Baseline rows that are not excluded: they set the centre line and limits.
    got_n : bool
        Whether a denominator was given.
    categorical : bool
        Whether x is categorical (a funnel plot for P' and U' charts).
    screen_mr : bool
        Whether large moving ranges are screened out before sigma is estimated.
    """

    seg: Segments
    y: np.ndarray
    y_sum: np.ndarray
    y_length: np.ndarray
    y_mean: np.ndarray
    y_sd: np.ndarray
    n: np.ndarray
    base: np.ndarray
    got_n: bool
    categorical: bool
    screen_mr: bool

    def per_row(self, per_segment: np.ndarray) -> np.ndarray:
        """Broadcast a per-segment array to the rows."""
        return self.seg.repeat(per_segment)


@dataclass(frozen=True)
class Limits:
    """Plotted values, centre line and limits of every row (NaN where undefined)."""

    y: np.ndarray
    cl: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray
    lcl_95: np.ndarray
    ucl_95: np.ndarray


def _sigma_limits(y: np.ndarray, cl: np.ndarray, sigma: np.ndarray) -> Limits:
    return Limits(y, cl, cl - 3 * sigma, cl + 3 * sigma, cl - 2 * sigma, cl + 2 * sigma)


def _amr(seg: Segments, mr: np.ndarray, screen: bool, limit: float) -> np.ndarray:
    """Mean moving range per segment, screened once if asked (Nelson 1982)."""
    amr = seg.mean(mr)
    if screen:
        with np.errstate(invalid="ignore"):
            keep = mr < limit * seg.repeat(amr)  # strict, as qicharts2 and NHSRplotthedots
        amr = seg.mean(mr, keep)
    return amr


def _moving_range_sigma(g: Subgroups, v: np.ndarray, cl: np.ndarray) -> np.ndarray:
    """Sigma per segment from the mean moving range of ``v`` over base rows."""
    mr = np.abs(g.seg.diff(v - cl, g.base))  # qic.i(): diff(y[base] - cl[base])
    return _amr(g.seg, mr, g.screen_mr, D4) / D2  # Montgomery 6.33


def _floor_zero(*arrays: np.ndarray) -> None:
    for a in arrays:
        with np.errstate(invalid="ignore"):
            a[np.isfinite(a) & (a < 0)] = 0


def run_chart(g: Subgroups) -> Limits:
    """Run chart: the centre line is the median of the baseline (``qic.run``)."""
    cl = g.per_row(g.seg.median(g.y, g.base))
    nan = np.full(len(g.y), np.nan)
    return Limits(g.y, cl, nan, nan, nan, nan)


def i_chart(g: Subgroups) -> Limits:
    """I chart (individuals): mean +/- 3 x mean moving range / 1.128 (``qic.i``)."""
    cl = g.per_row(g.seg.mean(g.y, g.base))
    return _sigma_limits(g.y, cl, g.per_row(_moving_range_sigma(g, g.y, cl)))


def mr_chart(g: Subgroups) -> Limits:
    """Moving-range chart over all rows of each part (``qic.mr``)."""
    y = np.abs(g.seg.diff(g.y))
    cl = g.per_row(g.seg.mean(y, g.base))
    zero = np.zeros(len(y))
    return Limits(y, cl, zero, D4 * cl, zero.copy(), (D4 / 3) * 2 * cl)


def _c4(n: np.ndarray) -> np.ndarray:
    n = np.where(n <= 1, np.nan, n)
    return np.sqrt(2 / (n - 1)) * np.exp(gammaln(n / 2) - gammaln((n - 1) / 2))


def _c5(n: np.ndarray) -> np.ndarray:
    return np.sqrt(1 - _c4(n) ** 2)


def _pooled_sd(g: Subgroups) -> np.ndarray:
    """Sigma of Xbar and S charts: pooled sd when subgroup sizes vary, else mean sd."""
    var_n = g.seg.min(g.y_length) != g.seg.max(g.y_length)
    dof = g.y_length - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.sqrt(g.seg.sum(dof * g.y_sd**2, g.base) / g.seg.sum(dof, g.base))  # Mont. 6.31
    return np.where(var_n, pooled, g.seg.mean(g.y_sd, g.base))  # Montgomery 6.29


def xbar_chart(g: Subgroups) -> Limits:
    """Xbar chart: weighted mean of subgroup means, limits cl +/- A3(n) x s (``qic.xbar``)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        cl = g.seg.sum(g.y_length * g.y_mean, g.base) / g.seg.sum(g.y_length, g.base)  # Mont. 6.30
        sd = g.per_row(_pooled_sd(g))
        cl = g.per_row(cl)
        a = sd / (_c4(g.y_length) * np.sqrt(g.y_length))  # A3(n) / 3
    return Limits(g.y, cl, cl - 3 * a, cl + 3 * a, cl - 2 * a, cl + 2 * a)


def s_chart(g: Subgroups) -> Limits:
    """S chart: pooled or mean subgroup sd; limits B3(n) cl and B4(n) cl (``qic.s``)."""
    cl = g.per_row(_pooled_sd(g))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = _c5(g.y_length) / _c4(g.y_length)
        return Limits(
            g.y_sd,
            cl,
            np.maximum(0, 1 - 3 * ratio) * cl,  # B3
            (1 + 3 * ratio) * cl,  # B4
            np.maximum(0, 1 - 2 * ratio) * cl,
            (1 + 2 * ratio) * cl,
        )


def t_chart(g: Subgroups) -> Limits:
    """T chart: I chart of y^(1/3.6), back-transformed (Nelson 1994; ``qic.t``)."""
    with np.errstate(invalid="ignore"):
        bad = g.y <= 0
    if bad.any():
        raise SpcInputError(
            "qic: a T chart needs times between events greater than zero, but "
            f"{int(bad.sum())} subgroup(s) have y <= 0. Remove them, or use a G chart "
            "for counts of opportunities between events."
        )
    yt = g.y ** (1 / T_EXPONENT)
    cl = g.per_row(g.seg.mean(yt, g.base))
    t = _sigma_limits(yt, cl, g.per_row(_moving_range_sigma(g, yt, cl)))
    with np.errstate(invalid="ignore"):
        back = [a**T_EXPONENT for a in (t.y, t.cl, t.lcl, t.ucl, t.lcl_95, t.ucl_95)]
    lcl = back[2]
    with np.errstate(invalid="ignore"):
        lcl[(lcl < 0) | np.isnan(lcl)] = 0
    return Limits(*back)


def _rate_centre(g: Subgroups) -> np.ndarray:
    """Centre line sum(y) / sum(n) over the baseline; zero denominators are left out."""
    with np.errstate(invalid="ignore", divide="ignore"):
        counted = np.where(g.n > 0, g.y_sum, np.nan)
        return g.per_row(g.seg.sum(counted, g.base) / g.seg.sum(g.n, g.base))


def _laney_sigma_z(g: Subgroups, cl: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Laney's sigma_z per segment: spread of the z-scores of the baseline (Laney 2002)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (g.y - cl) / sigma
    if g.categorical:  # funnel plot: sd(z), qicharts2 qic.pp() / qic.up()
        return g.seg.sd(np.where(np.isfinite(z), z, np.nan), g.base)
    return _amr(g.seg, np.abs(g.seg.diff(z, g.base)), g.screen_mr, D4) / D2


def _clip_proportion(lim: Limits) -> Limits:
    for a in (lim.ucl, lim.ucl_95):
        with np.errstate(invalid="ignore"):
            a[np.isfinite(a) & (a > 1)] = 1
    _floor_zero(lim.lcl, lim.lcl_95)
    return lim


def p_chart(g: Subgroups) -> Limits:
    """P chart: binomial limits sqrt(p(1 - p) / n), clipped to [0, 1] (``qic.p``)."""
    cl = _rate_centre(g)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(cl * (1 - cl) / g.n)
    return _clip_proportion(_sigma_limits(g.y, cl, sigma))


def pp_chart(g: Subgroups) -> Limits:
    """Laney P' chart: P chart sigma times sigma_z (Laney 2002; ``qic.pp``)."""
    cl = _rate_centre(g)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(cl * (1 - cl) / g.n)
    sigma = sigma * g.per_row(_laney_sigma_z(g, cl, sigma))
    return _clip_proportion(_sigma_limits(g.y, cl, sigma))


def c_chart(g: Subgroups) -> Limits:
    """C chart: counts, limits mean +/- 3 sqrt(mean) (Montgomery 7.17; ``qic.c``)."""
    cl = g.per_row(g.seg.mean(g.y_sum, g.base))
    lim = _sigma_limits(g.y_sum, cl, np.sqrt(cl))
    _floor_zero(lim.lcl, lim.lcl_95)
    return lim


def u_chart(g: Subgroups) -> Limits:
    """U chart: rates, limits sqrt(u / n) (Montgomery 7.19; ``qic.u``)."""
    cl = _rate_centre(g)
    with np.errstate(invalid="ignore", divide="ignore"):
        lim = _sigma_limits(g.y, cl, np.sqrt(cl / g.n))
    _floor_zero(lim.lcl, lim.lcl_95)
    return lim


def up_chart(g: Subgroups) -> Limits:
    """Laney U' chart: U chart sigma times sigma_z (Laney 2002; ``qic.up``)."""
    cl = _rate_centre(g)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(cl / g.n)
    lim = _sigma_limits(g.y, cl, sigma * g.per_row(_laney_sigma_z(g, cl, sigma)))
    _floor_zero(lim.lcl, lim.lcl_95)
    return lim


def g_chart(g: Subgroups) -> Limits:
    """G chart: limits from the mean, centre line the median (Montgomery p. 319; ``qic.g``)."""
    mean = g.per_row(g.seg.mean(g.y, g.base))
    sigma = np.sqrt(mean * (mean + 1))
    lim = _sigma_limits(g.y, mean, sigma)
    with np.errstate(invalid="ignore"):
        lim.lcl[lim.lcl < 0] = 0
        lim.lcl_95[lim.lcl_95 < 0] = 0
    cl = g.per_row(g.seg.median(g.y, g.base))
    return Limits(g.y, cl, lim.lcl, lim.ucl, lim.lcl_95, lim.ucl_95)


def ip_chart(g: Subgroups) -> Limits:
    """I' chart for subgroup means with varying n (qicharts2 0.8 ``qic.ip``)."""
    n = g.n if g.got_n else g.y_length.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        cl = g.per_row(g.seg.sum(g.y * n, g.base) / g.seg.sum(n, g.base))
        pair = np.full(len(n), np.nan)  # sqrt(1 / n[i - 1] + 1 / n[i]) within each part
        pair[1:] = np.sqrt(1 / n[:-1] + 1 / n[1:])
        s = np.sqrt(np.pi / 2) * np.abs(g.seg.diff(g.y)) / pair
        mean_s = _amr(g.seg, s, g.screen_mr, IP_SCREEN)
        return _sigma_limits(g.y, cl, g.per_row(mean_s) * np.sqrt(1 / n))


CHARTS: dict[str, Callable[[Subgroups], Limits]] = {
    "run": run_chart,
    "i": i_chart,
    "mr": mr_chart,
    "xbar": xbar_chart,
    "s": s_chart,
    "t": t_chart,
    "p": p_chart,
    "pp": pp_chart,
    "c": c_chart,
    "u": u_chart,
    "up": up_chart,
    "g": g_chart,
    "ip": ip_chart,
}
