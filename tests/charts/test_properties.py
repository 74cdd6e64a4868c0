"""Properties any correct SPC engine has, checked on series hypothesis invents."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from charts.spc import mdc, qic
from tests.charts.helpers import quietly

finite = st.floats(0, 1000, allow_nan=False, allow_subnormal=False)


@st.composite
def faceted(draw, min_size=2):
    homes = draw(st.integers(1, 3))
    rows = []
    for h in range(homes):
        k = draw(st.integers(min_size, 30))
        ys = draw(st.lists(st.integers(0, 20), min_size=k, max_size=k))
        ns = draw(st.lists(st.integers(20, 60), min_size=k, max_size=k))
        rows += [
            (f"home {h}", t, float(y), float(n))
            for t, (y, n) in enumerate(zip(ys, ns, strict=True))
        ]
    return pl.DataFrame(rows, schema=["home", "t", "y", "n"], orient="row")


def run(*args, **kwargs):
    return quietly(qic, *args, **kwargs)


@settings(max_examples=60)
@given(
    faceted(),
    st.sampled_from(["run", "i", "p", "pp", "u", "up", "c", "g", "mr"]),
    st.randoms(use_true_random=False),
)
def test_row_order_does_not_matter(d, chart, rnd):
    order = list(range(d.height))
    rnd.shuffle(order)
    a = run(d, x="t", y="y", n="n", chart=chart, facets="home")
    b = run(d[order], x="t", y="y", n="n", chart=chart, facets="home")
    assert a.points.equals(b.points)
    assert a.summary.equals(b.summary)


@settings(max_examples=60)
@given(
    faceted(),
    st.sampled_from(["run", "i", "mr", "xbar", "s"]),
    st.sampled_from([2.0**-10, 0.5, 4.0, 1024.0]),
)
def test_scaling_y_scales_centre_line_and_limits(d, chart, k):
    # Powers of two scale floating-point numbers exactly, so ties and signals must not move.
    a = run(d, x="t", y="y", chart=chart, facets="home")
    b = run(d.with_columns(pl.col("y") * k), x="t", y="y", chart=chart, facets="home")
    for col in ("y", "cl", "lcl", "ucl", "lcl_95", "ucl_95"):
        np.testing.assert_allclose(
            b.points[col].to_numpy() / k, a.points[col].to_numpy(), rtol=1e-9, atol=1e-9
        )
    for col in ("runs_signal", "sigma_signal", "longest_run", "n_crossings"):
        assert a.points[col].equals(b.points[col])


@settings(max_examples=40)
@given(faceted(), st.sampled_from(["u", "p", "i"]), st.sampled_from([10.0, 100.0, 1000.0]))
def test_multiply_scales_the_plot_but_not_the_signals(d, chart, m):
    a = run(d, x="t", y="y", n="n", chart=chart, facets="home")
    b = run(d, x="t", y="y", n="n", chart=chart, facets="home", multiply=m)
    np.testing.assert_allclose(
        b.points["ucl"].to_numpy(), a.points["ucl"].to_numpy() * m, rtol=1e-12
    )
    assert a.points["sigma_signal"].equals(b.points["sigma_signal"])


@settings(max_examples=40)
@given(faceted(), st.sampled_from(["run", "i", "u", "pp"]))
def test_each_facet_is_charted_as_if_alone(d, chart):
    together = run(d, x="t", y="y", n="n", chart=chart, facets="home").points
    for home in together["home"].unique().to_list():
        alone = run(d.filter(pl.col("home") == home), x="t", y="y", n="n", chart=chart)
        assert together.filter(pl.col("home") == home).drop("home").equals(alone.points)


@settings(max_examples=40)
@given(
    faceted(min_size=1),
    st.randoms(use_true_random=False),
    st.sampled_from(["increase", "decrease", "neutral"]),
)
def test_mdc_row_order_and_facets_do_not_matter(d, rnd, improvement):
    order = list(range(d.height))
    rnd.shuffle(order)
    a = quietly(mdc, d, x="t", y="y", facet="home", improvement=improvement)
    b = quietly(mdc, d[order], x="t", y="y", facet="home", improvement=improvement)
    home0 = d.filter(pl.col("home") == "home 0")
    alone = quietly(mdc, home0, x="t", y="y", improvement=improvement)
    assert a.points.equals(b.points)
    assert a.points.filter(pl.col("home") == "home 0").drop("home").equals(alone.points)


@settings(max_examples=40)
@given(st.lists(finite, min_size=2, max_size=40), st.floats(-500, 500, allow_nan=False))
def test_shifting_y_shifts_an_i_chart(values, c):
    spread = max(values) - min(values)
    # A spread the shift rounds away (0 and 1e-146, plus 1) makes every value equal.
    assume(spread == 0 or spread > 1e-6)
    d = pl.DataFrame({"t": range(len(values)), "y": values})
    a = run(d, x="t", y="y", chart="i")
    b = run(d.with_columns(pl.col("y") + c), x="t", y="y", chart="i")
    for col in ("cl", "lcl", "ucl"):
        np.testing.assert_allclose(
            b.points[col].to_numpy() - c, a.points[col].to_numpy(), rtol=1e-9, atol=1e-6
        )
