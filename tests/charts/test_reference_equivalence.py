"""The vectorised engine against literal transliterations of the R code (tests/charts/reference.py).

Series are drawn from small integer ranges so that ties, points on the centre line,
equal neighbours and missing values are common: the cases where rules go wrong.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from charts.runs import anhoej_limits
from charts.spc import mdc, qic
from tests.charts import reference as ref

values = st.one_of(st.none(), st.integers(0, 6).map(float))
noise = st.lists(values, min_size=1, max_size=45)


@st.composite
def walks(draw):
    """Random walks with a drift: long trends, shifts and ties are common."""
    steps = draw(st.lists(st.sampled_from([-1, 0, 1, 1, 2, 3]), min_size=1, max_size=45))
    sign = draw(st.sampled_from([-1, 1]))
    level = np.cumsum([sign * s for s in steps]).astype(float)
    gaps = draw(st.sets(st.integers(0, len(steps) - 1), max_size=2))
    return [None if i in gaps else v for i, v in enumerate(level.tolist())]


series = st.one_of(noise, walks())


@given(st.lists(st.integers(1, 400), min_size=1, max_size=20))
def test_crossings_limit_is_exact_binomial_quantile(ns):
    _, crossings = anhoej_limits(np.array(ns))
    assert crossings.tolist() == [ref.crossings_min_exact(n) for n in ns]


@settings(max_examples=300)
@given(st.lists(series, min_size=1, max_size=4))
def test_run_chart_runs_analysis_matches_qicharts2(groups):
    frame = pl.DataFrame(
        {
            "g": [i for i, s in enumerate(groups) for _ in s],
            "t": [t for s in groups for t in range(len(s))],
            "v": [v for s in groups for v in s],
        },
        schema={"g": pl.Int64, "t": pl.Int64, "v": pl.Float64},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = qic(frame, x="t", y="v", facets="g")
    summary = result.summary.to_dicts()
    for s, got in zip(groups, summary, strict=True):
        present = [v for v in s if v is not None]
        cl = float(np.median(present)) if present else float("nan")
        expected = ref.runs_analysis(s, cl)
        assert {k: got[k] for k in expected} == expected


def _mdc_frame(groups):
    return pl.DataFrame(
        {
            "f": [f"home {i}" for i, s in enumerate(groups) for _ in s],
            "t": [t for s in groups for t in range(len(s))],
            "v": [v for s in groups for v in s],
        },
        schema={"f": pl.String, "t": pl.Int64, "v": pl.Float64},
    )


@settings(max_examples=300)
@given(
    groups=st.lists(series, min_size=1, max_size=3),
    rebase_at=st.lists(st.integers(1, 40), max_size=2),
    fix=st.one_of(st.none(), st.integers(12, 30)),
    screen=st.booleans(),
    six=st.booleans(),
)
def test_mdc_points_match_nhsrplotthedots(groups, rebase_at, fix, screen, six):
    frame = _mdc_frame(groups)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = mdc(
            frame,
            x="t",
            y="v",
            facet="f",
            rebase=sorted(set(rebase_at)) or None,
            fix_after_n_points=fix,
            screen_outliers=screen,
            rules="mdc6" if six else "mdc",
        )
    k = 6 if six else 7
    expected = []
    for s in groups:
        cuts = [0, *sorted(c for c in set(rebase_at) if c < len(s)), len(s)]
        for a, b in itertools.pairwise(cuts):
            expected += ref.ptd_group(s[a:b], fix, screen, shift=k, trend=k)
    got = result.points.select(*expected[0]).to_dicts()
    for e, g in zip(expected, got, strict=True):
        for key in ("mean", "lpl", "upl"):
            ev, gv = e.pop(key), g.pop(key)
            assert (np.isnan(ev) and gv is None) or np.isclose(ev, gv, rtol=1e-12, atol=0)
        assert g == e
