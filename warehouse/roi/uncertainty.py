"""Draws for the intervals: a clustered bootstrap over homes and gamma unit costs.

The bootstrap resamples whole homes with replacement, within each site (so every site
keeps its number of homes and every analysis keeps both its arms), as the clustered
bootstrap of Field and Welsh (2007) does; a home drawn twice counts twice. Each draw
also draws every unit cost from a gamma distribution with the published value as its
mean and the sensitivity range as +/- 1.96 standard deviations (Briggs, Claxton and
Sculpher 2006, ch. 4: gamma for costs), so the interval carries the uncertainty of both
the effect and the prices. Row 0 of every array is the point estimate (all weights 1,
published prices).

Examples
--------
>>> w = bootstrap_weights(np.array(["a", "a", "b"]), draws=4, seed=1)
>>> w.shape, w[0].tolist(), w[1:, :2].sum(axis=1).tolist(), w[1:, 2].tolist()
((5, 3), [1.0, 1.0, 1.0], [2.0, 2.0, 2.0, 2.0], [1.0, 1.0, 1.0, 1.0])
>>> x = np.array([5.0, *range(1, 101)])
>>> [round(v, 2) for v in summary(x)]
[5.0, 3.48, 97.52]
"""

from __future__ import annotations

import numpy as np

DRAWS = 2000  # at least 2,000 resamples (docs/domain.md §3.3)
SEED = 20211  # fixed: the same warehouse gives the same intervals


def bootstrap_weights(strata: np.ndarray, draws: int = DRAWS, seed: int = SEED) -> np.ndarray:
    """Home weights (draws + 1, H): row 0 ones, then one multinomial resample per draw.

    Homes are resampled with replacement within their stratum (``strata``, one label
    per home: the site).
    """
    rng = np.random.default_rng(seed)
    w = np.ones((draws + 1, strata.size))
    for label in np.unique(strata):  # one multinomial per site, all draws at once
        idx = np.flatnonzero(strata == label)
        w[1:, idx] = rng.multinomial(idx.size, np.full(idx.size, 1 / idx.size), size=draws)
    return w


def gamma_draws(
    value: np.ndarray, low: np.ndarray, high: np.ndarray, draws: int = DRAWS, seed: int = SEED
) -> np.ndarray:
    """Prices (draws + 1, K): row 0 the values, then gamma draws with mean ``value``.

    The standard deviation is (high - low) / 3.92, the range read as a 95% interval; a
    price with no range stays fixed.

    Examples
    --------
    >>> d = gamma_draws(np.array([100.0, 1.0]), np.array([50.0, 1.0]), np.array([150.0, 1.0]),
    ...                 draws=20000, seed=3)
    >>> round(float(d[1:, 0].mean())), round(float(d[1:, 0].std()), -1), float(d[5, 1])
    (100, 30.0, 1.0)
    """
    rng = np.random.default_rng(seed + 1)
    value = np.asarray(value, dtype=float)
    sd = (np.asarray(high, dtype=float) - np.asarray(low, dtype=float)) / 3.92
    varies = (sd > 0) & (value > 0)
    shape = np.where(varies, (value / np.where(varies, sd, 1.0)) ** 2, 1.0)  # k = (m / s)^2
    scale = np.where(varies, sd**2 / np.where(varies, value, 1.0), 1.0)  # theta = s^2 / m
    out = np.empty((draws + 1, value.size))
    out[0] = value
    out[1:] = np.where(varies, rng.gamma(shape, scale, size=(draws, value.size)), value)
    return out


def summary(x: np.ndarray) -> tuple[float, float, float]:
    """(estimate, lower, upper): row 0 and the 2.5th and 97.5th percentiles of the rest.

    Draws that cannot be computed (NaN: a resample with no events in a cell) are left out.
    """
    rest = x[1:][np.isfinite(x[1:])]
    if rest.size == 0 or not np.isfinite(x[0]):
        return float(x[0]), float("nan"), float("nan")
    lo, hi = np.percentile(rest, [2.5, 97.5])  # percentile bootstrap interval
    return float(x[0]), float(lo), float(hi)


def probability_positive(x: np.ndarray) -> float:
    """Share of the draws (row 0 aside) above zero."""
    rest = x[1:][np.isfinite(x[1:])]
    return float((rest > 0).mean()) if rest.size else float("nan")
