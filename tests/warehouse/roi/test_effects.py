"""Rate ratios: the model chosen, the interval, and the cases with no estimate."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from warehouse.roi.effects import NEGBIN, POISSON, QUASI, dispersion_test, rate_ratio


def _rows(counts: np.ndarray, treated_homes: int, months: int = 12, start: int = 6):
    homes = counts.shape[0]
    return pl.DataFrame(
        {
            "analysis": "a",
            "home_id": np.repeat(np.arange(homes), months).astype(str),
            "arm": np.repeat(np.where(np.arange(homes) < treated_homes, "treated", "comparison"),
                             months),
            "post": np.tile(np.arange(months) >= start, homes),
            "count": counts.ravel().astype(float),
            "exposure": np.full(homes * months, 1000.0),
        }
    )  # fmt: skip


def _draw(rng, homes=30, treated=15, ratio=0.6, alpha=0.0, months=12):
    mu = np.full((homes, months), 8.0)
    mu[:treated, 6:] *= ratio
    if alpha:  # gamma-Poisson: variance mu + alpha mu^2
        mu = rng.gamma(1 / alpha, mu * alpha)
    return rng.poisson(mu)


def test_poisson_data_keeps_the_poisson_and_recovers_the_ratio():
    rr = rate_ratio(_rows(_draw(np.random.default_rng(1)), 15), controlled=True)
    assert rr.model == POISSON
    assert rr.dispersion_p > 0.05
    assert abs(np.log(rr.estimate / 0.6)) < 0.2  # within 2.5 standard errors
    assert (rr.homes_treated, rr.homes_comparison) == (15, 15)


def test_the_interval_covers_the_planted_ratio_about_95_times_in_100():
    covered = [
        rate_ratio(_rows(_draw(np.random.default_rng(seed)), 15), controlled=True).covers(0.6)
        for seed in range(100, 200)
    ]
    assert 0.88 <= np.mean(covered) <= 0.99


def test_over_dispersed_data_chooses_the_negative_binomial():
    rr = rate_ratio(_rows(_draw(np.random.default_rng(2), alpha=0.5), 15), controlled=True)
    assert rr.model == NEGBIN
    assert rr.dispersion_p < 0.05
    assert rr.alpha == pytest.approx(0.5, abs=0.25)
    assert rr.lower < 0.6 < rr.upper


def test_costs_keep_the_quasi_likelihood_without_a_test():
    rr = rate_ratio(_rows(_draw(np.random.default_rng(3)) * 100, 15), controlled=True, costs=True)
    assert rr.model == QUASI
    assert rr.dispersion is None


def test_a_controlled_ratio_removes_a_trend_the_uncontrolled_one_keeps():
    mu = np.full((30, 12), 8.0) * 1.05 ** np.arange(12)  # +5% a month everywhere
    counts = np.random.default_rng(4).poisson(mu)
    rows = _rows(counts, 15)
    controlled, before_after = (rate_ratio(rows, controlled=c) for c in (True, False))
    assert controlled.lower < 1.0 < controlled.upper
    assert before_after.lower > 1.2  # 1.05^6 = 1.34: the trend read as an effect


@pytest.mark.parametrize(
    ("counts", "treated", "controlled", "note"),
    [
        (np.zeros((4, 12)), 2, True, "too few events: a before or after count of zero"),
        (np.ones((2, 12)), 2, True, "no comparison homes"),
        (np.ones((1, 12)), 1, False, "one home only: its interval needs two or more homes"),
        (np.ones((2, 12)), 0, False, "not recorded at this site"),
    ],
)
def test_no_estimate_says_why(counts, treated, controlled, note):
    rr = rate_ratio(_rows(counts, treated), controlled=controlled)
    assert rr.estimate is None
    assert rr.note == note


def test_dispersion_test_on_known_alpha():
    rng = np.random.default_rng(5)
    mu = np.full(20000, 4.0)
    y = rng.poisson(rng.gamma(1 / 0.3, mu * 0.3))
    alpha, t, p = dispersion_test(y, mu)
    assert alpha == pytest.approx(0.3, abs=0.05)
    assert t > 10
    assert p < 1e-6
