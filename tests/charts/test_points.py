"""What each point shows: its type from the chart's own rules, the rule's words, its numbers."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charts.figures import (
    COMMON,
    CONCERN,
    IMPROVEMENT,
    NEUTRAL,
    fmt_number,
    point_types,
    rule_text,
    types_by_series,
)
from charts.points import _num
from tests.charts.test_figures import series

# -- point types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("improvement", "below", "above"),
    [("decrease", IMPROVEMENT, CONCERN), ("increase", CONCERN, IMPROVEMENT),
     ("neutral", NEUTRAL, NEUTRAL)],
)  # fmt: skip
def test_points_beyond_a_limit_take_the_direction_of_improvement(improvement, below, above):
    pts = series([5, 1.5, 5, 9, 5], improvement=improvement)
    assert point_types(pts).to_list() == [COMMON, below, COMMON, above, COMMON]
    assert rule_text(pts).to_list() == [
        "",
        "below the lower limit",
        "",
        "above the upper limit",
        "",
    ]


def test_only_the_points_of_a_run_longer_than_chance_allows_are_special():
    values = [6, 4, 6, 4, 6] + [4.5] * 9 + [6, 4]  # 9 in a row below; 8 are allowed
    pts = series(values, runs_signal=[True] * 16, longest_run=[9] * 16, longest_run_max=[8] * 16,
                 n_crossings=[6] * 16, n_crossings_min=[4] * 16)  # fmt: skip
    types = point_types(pts).to_list()
    assert types == [COMMON] * 5 + [IMPROVEMENT] * 9 + [COMMON] * 2
    assert rule_text(pts)[5] == (
        "part of a run of 9 points in a row below the average, longer than the 8 that chance allows"
    )


def test_a_point_on_the_centre_line_neither_breaks_a_run_nor_adds_to_it():
    values = [6.0, 4, 4, 4, 5, 4, 4, 6]  # 5 below, one on the line among them
    pts = series(values, runs_signal=[True] * 8, longest_run_max=[4] * 8, n_crossings=[3] * 8,
                 n_crossings_min=[1] * 8)  # fmt: skip
    assert point_types(pts).to_list() == [COMMON, *[IMPROVEMENT] * 3, COMMON, *[IMPROVEMENT] * 2,
                                          COMMON]  # fmt: skip
    assert "run of 5 points" in rule_text(pts)[1]


def test_too_few_crossings_flag_the_points_on_the_side_the_part_leans_to():
    values = [6.0, 4, 4, 6, 6, 6]  # the last 4 points: 3 above the average, 1 below
    pts = series(values, improvement="increase", runs_signal=[True] * 6, longest_run=[3] * 6,
                 longest_run_max=[4] * 6, n_crossings=[2] * 6, n_crossings_min=[3] * 6)  # fmt: skip
    assert point_types(pts).to_list() == [IMPROVEMENT, COMMON, COMMON, *[IMPROVEMENT] * 3]
    assert rule_text(pts)[0] == "the line crosses the average too rarely: 2 times, fewer than 3"
    assert rule_text(pts)[1] == ""


def test_too_few_crossings_with_no_lean_at_the_end_flag_nothing():
    values = [6.0, 6, 6, 4, 4, 4]  # the last 6 points: 3 above, 3 below
    pts = series(values, improvement="increase", runs_signal=[True] * 6, longest_run=[3] * 6,
                 longest_run_max=[6] * 6, n_crossings=[1] * 6, n_crossings_min=[2] * 6)  # fmt: skip
    assert point_types(pts).to_list() == [COMMON] * 6
    assert rule_text(pts).to_list() == [""] * 6


def test_a_run_chart_reads_against_its_median_and_a_sparse_series_gets_no_runs_signals():
    values = [1.0, 1, 1, 1, 1, 0]
    pts = series(values, chart="run", cl=0.5, runs_signal=[True] * 6, longest_run_max=[4] * 6,
                 lcl=[None] * 6, ucl=[None] * 6)  # fmt: skip
    assert rule_text(pts)[0] == (
        "part of a run of 5 points in a row above the median, longer than the 4 that chance allows"
    )
    assert point_types(pts).to_list() == [CONCERN] * 5 + [COMMON]
    assert point_types(pts.with_columns(sparse=pl.lit(True))).to_list() == [COMMON] * 6


def test_point_types_come_back_in_the_order_given():
    pts = series([5, 1.5, 5, 9, 5])
    shuffled = pts[[3, 0, 4, 1, 2]]
    assert point_types(shuffled).to_list() == [CONCERN, COMMON, COMMON, IMPROVEMENT, COMMON]


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.floats(0, 10)), min_size=1, max_size=30),
    runs=st.booleans(),
    run_max=st.integers(1, 10),
    crossings=st.tuples(st.integers(0, 10), st.integers(0, 10)),
    improvement=st.sampled_from(["increase", "decrease", "neutral"]),
)
def test_no_point_is_called_an_improvement_on_the_wrong_side(values, runs, run_max, crossings,
                                                              improvement):  # fmt: skip
    n = len(values)
    pts = series(values, improvement=improvement, runs_signal=[runs] * n,
                 longest_run_max=[run_max] * n, n_crossings=[crossings[0]] * n,
                 n_crossings_min=[crossings[1]] * n)  # fmt: skip
    typed = pts.with_columns(t=point_types(pts))
    side = (typed["value"] - typed["cl"]).to_list()
    for kind, d in zip(typed["t"].to_list(), side, strict=True):
        if kind in (IMPROVEMENT, CONCERN):
            assert improvement != "neutral"
            better = d > 0 if improvement == "increase" else d < 0
            assert better == (kind == IMPROVEMENT)
        if kind == NEUTRAL:
            assert improvement == "neutral"
        if d is None or d == 0:
            assert kind == COMMON
    if not runs:
        beyond = ((typed["value"] > typed["ucl"]) | (typed["value"] < typed["lcl"])).fill_null(
            False
        )
        assert ((typed["t"] != COMMON) == beyond).all()


@settings(max_examples=60, deadline=None)
@given(
    a=st.lists(st.one_of(st.none(), st.floats(0, 10)), min_size=1, max_size=20),
    b=st.lists(st.one_of(st.none(), st.floats(0, 10)), min_size=1, max_size=20),
    seed=st.integers(0, 1000),
)
def test_many_series_are_typed_at_once_as_each_alone(a, b, seed):
    def one(values, home, improvement):
        n = len(values)
        return series(values, improvement=improvement, runs_signal=[True] * n,
                      longest_run_max=[3] * n, n_crossings=[1] * n,
                      n_crossings_min=[2] * n).with_columns(home=pl.lit(home))  # fmt: skip

    first, second = one(a, "Oak", "decrease"), one(b, "Elm", "increase")
    both = pl.concat([first, second]).sample(fraction=1.0, shuffle=True, seed=seed)
    typed = types_by_series(both, ["home"])
    assert typed.select("home", "period").equals(both.select("home", "period"))  # same order
    for home, alone in (("Oak", first), ("Elm", second)):
        mine = typed.filter(pl.col("home") == home).sort("period")
        assert mine.get_column("point_type").to_list() == point_types(alone).to_list()


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-1e7, max_value=1e7).filter(lambda x: x == 0 or abs(x) >= 1e-4))
def test_numbers_read_the_same_in_the_hover_and_in_the_words(x):
    column = pl.select(_num(pl.lit(x, pl.Float64))).item()
    assert column == fmt_number(x)
