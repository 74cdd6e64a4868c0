"""Small multiples: a panel per home on one legend, short hovers, the grid, and their size."""

from __future__ import annotations

import datetime as dt

import numpy as np
import plotly.io as pio
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charts.drawing import _steps
from charts.figures import measure_figure, small_multiples
from tests.charts.test_figures import RULES, falls, series, valid, values

__all__ = ["falls"]  # a fixture, used by name


@pytest.fixture
def homes(falls) -> pl.DataFrame:
    names = ["Willow House", "Ash Court", "Oak Lodge", "Beech View"]
    return pl.concat(
        [falls.with_columns(home_name=pl.lit(n), value=pl.col("value") * (i + 1))
         for i, n in enumerate(names)]
    )  # fmt: skip


def draw(homes: pl.DataFrame, **kwargs):
    return small_multiples(homes, facet="home_name", title="Falls", rules_label=RULES,
                           unit="falls per 1,000 bed days", **kwargs)  # fmt: skip


def test_small_multiples_give_one_panel_per_home_by_name_and_one_legend(homes):
    fig = draw(homes, columns=2)
    titles = [a.text for a in fig.layout.annotations][:4]
    assert titles == ["Ash Court", "Beech View", "Oak Lodge", "Willow House"]
    shown = [t.name for t in fig.data if t.showlegend]
    assert len(shown) == len(set(shown))
    assert "Improvement" in shown
    oak = values(fig, "x3")
    assert oak.hovertemplate.startswith("<b>Oak Lodge</b><br>%{x|%B %Y}: %{customdata}")
    assert oak.marker.symbol[8] == "diamond"
    ranges = {tuple(fig.layout[f"yaxis{i or ''}"].range) for i in ("", 2, 3, 4)}
    assert len(ranges) == 1  # one scale for every home
    assert "Rules: " + RULES in fig.layout.title.subtitle.text


def test_small_multiples_can_give_each_home_its_own_scale(homes):
    fig = draw(homes, shared_y=False)
    ranges = {tuple(fig.layout[f"yaxis{i or ''}"].range) for i in ("", 2, 3, 4)}
    assert len(ranges) == 4
    assert "own scale" in fig.layout.title.subtitle.text


def test_a_panel_hover_is_short_and_names_the_rule_in_a_few_words(homes):
    fig = draw(homes)
    willow = values(fig, "x4").customdata[8]  # the site's values; September 2023
    assert willow == (
        "1 falls per 1,000 bed days (10 of 1,650)<br>Improvement: below the lower limit; a long "
        "run below the average; too few crossings of the average"
    )
    # Oak Lodge: three times as high, one month low: its line leans high, so the low month
    # is a special cause for its limit alone
    assert values(fig, "x3").customdata[8] == (
        "3 falls per 1,000 bed days (10 of 1,650)<br>Improvement: below the lower limit"
    )
    assert "Incomplete data: the care-home extract is missing" in values(fig).customdata[14]
    # a warning is named, its reasons are on the site's chart (most points can carry one)
    assert values(fig).customdata[11].endswith("<br>Data-quality warning")


def test_a_panel_gives_each_reason_for_incomplete_data_up_to_its_first_clause(homes):
    why = "Rows set aside (see the quarantine table); Bed days: estimated for two homes; late"
    fig = draw(homes.with_columns(dq_reason=pl.lit(why)))
    assert (
        values(fig).customdata[14].endswith("<br>Incomplete data: Rows set aside; Bed days; late")
    )
    gone = homes.with_columns(value=pl.when(pl.col("data_complete")).then(pl.col("value")))
    fig = draw(gone)
    assert values(fig).customdata[14] == ""  # no value, no marker: the mark at the foot has it
    (mark,) = [t for t in fig.data if t.name == "No value: incomplete data" and t.xaxis == "x"]
    assert mark.customdata == ("no value<br>Incomplete data: the care-home extract is missing",)


def test_the_panels_sit_in_a_grid_of_their_own_axes(homes):
    fig = draw(homes.vstack(homes.with_columns(home_name=pl.lit("Yew Park"))), columns=2)
    layout = fig.layout
    xs = [layout[f"xaxis{i or ''}"] for i in ("", 2, 3, 4, 5)]
    ys = [layout[f"yaxis{i or ''}"] for i in ("", 2, 3, 4, 5)]
    assert [x.anchor for x in xs] == ["y", "y2", "y3", "y4", "y5"]
    assert (xs[0].domain, xs[1].domain) == ((0.0, 0.475), (0.525, 1.0))
    assert ys[0].domain == ys[1].domain
    assert ys[0].domain[0] > ys[2].domain[1]  # rows apart
    assert [x.matches for x in xs] == [None, "x", "x", "x", "x"]
    # dates under the lowest panel of each column: Willow House (4), alone on the last row: Yew
    assert [x.showticklabels for x in xs] == [False, False, False, True, True]
    assert [y.showticklabels for y in ys][1:] == [False, True, False, True]  # the first column
    assert layout.annotations[4].text == "Yew Park"
    assert layout.annotations[4].y == ys[4].domain[1]


def test_every_small_multiple_is_valid_plotly(homes):
    for fig in (draw(homes), draw(homes, shared_y=False, columns=4)):
        assert valid(fig).to_dict()["data"] == fig.to_dict()["data"]


@settings(max_examples=200, deadline=None)
@given(
    ys=st.lists(st.one_of(st.none(), st.sampled_from([1.0, 2.0, 3.0])), min_size=1, max_size=25),
    cut_at=st.sets(st.integers(1, 24), max_size=4),
)
def test_a_thinned_step_line_draws_the_same_steps(ys, cut_at):
    n = len(ys)
    x = np.array([f"{i:02d}" for i in range(n)], dtype=object)
    cuts = np.array(sorted(c for c in cut_at if c < n), dtype=int)
    got_x, got_y = _steps(x, cuts, [pl.Series(ys, dtype=pl.Float64)])
    full_x, full_y = [], []
    for i, (xi, yi) in enumerate(zip(x, ys, strict=True)):
        if i in set(cuts.tolist()):
            full_x.append(None)
            full_y.append(None)
        full_x.append(xi)
        full_y.append(yi)

    def drawn(xs, ys):  # the pieces of a line between its gaps, each as {x: y}
        pieces, piece = [], {}
        for xi, yi in zip(xs, ys, strict=True):
            if xi is None:
                pieces.append(piece)
                piece = {}
            else:
                piece[xi] = yi
        return [*pieces, piece]

    thin = drawn(got_x, got_y)
    full = drawn(full_x, full_y)
    assert len(thin) == len(full)
    for a, b in zip(thin, full, strict=True):
        assert set(a) <= set(b)
        assert (min(a), max(a)) == (min(b), max(b))  # each piece from its first to its last
        # every point left out lies between two kept points of its own height, so the
        # hvh steps (each point's height held to halfway to the next) are the same
        for k in set(b) - set(a):
            before = max(j for j in a if j < k)
            after = min(j for j in a if j > k)
            assert b[k] == a[before] == a[after]


def demo_homes(n_homes: int = 8, n_months: int = 18) -> pl.DataFrame:
    """A site's homes as the demo has them: every other point with a data-quality warning."""
    rng = np.random.default_rng(7)
    frames = []
    for h in range(n_homes):
        v = (rng.poisson(9, n_months) / 1.031).tolist()
        frames.append(series(v, cl=9.0, sigma=2.9, runs_signal=[True] * n_months,
                             longest_run_max=[7] * n_months, n_crossings=[4] * n_months,
                             n_crossings_min=[5] * n_months,
                             dq_warning=[i % 3 > 0 for i in range(n_months)],
                             dq_reason=["NHS numbers valid; rows set aside"] * n_months)
                      .with_columns(home_name=pl.lit(f"Home number {h}")))  # fmt: skip
    return pl.concat(frames)


def test_a_page_stays_small(falls):
    # budgets of the pages: a small multiple under 60 KB of JSON, a site chart under 20 KB
    homes = demo_homes()
    assert len(pio.to_json(draw(homes))) < 60_000
    site = measure_figure(homes.filter(pl.col("home_name") == "Home number 0"), title="Falls",
                          unit="falls per 1,000 occupied bed days",
                          subtitle="Falls are level.", rules_label=RULES)  # fmt: skip
    assert len(pio.to_json(site)) < 20_000


def test_daily_points_keep_their_day_in_the_hover():
    pts = series([3.0, 5, 4]).with_columns(
        period=pl.Series([dt.date(2024, 1, 3), dt.date(2024, 1, 17), dt.date(2024, 2, 2)]),
        home_name=pl.lit("Oak"),
    )
    assert values(draw(pts)).hovertemplate.startswith("<b>Oak</b><br>%{x|%-d %B %Y}: ")
