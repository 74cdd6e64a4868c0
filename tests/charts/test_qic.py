"""Hand-built cases for qic(): edge cases, IHI rules, errors and warnings."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import polars as pl
import pytest

from charts.spc import SpcInputError, SpcWarning, qic
from tests.charts.helpers import quietly, series


def quiet(*args, **kwargs):
    return quietly(qic, *args, **kwargs)


def test_points_on_the_centre_line_neither_break_nor_extend_runs():
    r = quiet(series([1, 3, 2, 3, 3, 1, 2, 1, 2]), x="t", y="v", chart="i")
    s = r.summary.row(0, named=True)
    assert r.points["cl"][0] == 2.0
    assert s["n_obs"] == 9
    assert s["n_useful"] == 6  # the three 2s lie on the mean
    assert s["longest_run"] == 3  # 3, (2), 3, 3 is one run of three
    assert s["n_crossings"] == 2


def test_ties_on_the_median_are_not_useful_observations():
    r = quiet(series([5, 5, 5, 4, 6, 5, 4, 6, 5]), x="t", y="v")
    s = r.summary.row(0, named=True)
    assert r.points["cl"][0] == 5.0
    assert (s["n_useful"], s["longest_run"], s["n_crossings"]) == (4, 1, 3)
    assert (s["longest_run_max"], s["n_crossings_min"]) == (5, 0)


def test_a_decreasing_series_signals_too_few_crossings():
    r = quiet(series([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), x="t", y="v")
    s = r.summary.row(0, named=True)
    assert (s["longest_run"], s["longest_run_max"]) == (5, 6)
    assert (s["n_crossings"], s["n_crossings_min"]) == (1, 2)
    assert s["runs_signal"] is True


def test_missing_values_are_not_bridged_by_moving_ranges():
    r = quiet(series([1.0, 3.0, None, 2.0, 4.0]), x="t", y="v", chart="i")
    sigma = 2 / 1.128  # moving ranges 2 and 2; the two next to the gap are missing
    assert r.points["cl"][0] == pytest.approx(2.5, rel=1e-15)
    assert r.points["ucl"][0] == pytest.approx(2.5 + 3 * sigma, rel=1e-12)
    assert r.points["y"][2] is None
    assert r.points["sigma_signal"][2] is False
    assert r.summary["n_obs"][0] == 5
    assert r.summary["n_useful"][0] == 4


def test_excluded_points_are_bridged_and_still_flagged():
    r = quiet(series([1.0, 3.0, 100.0, 2.0, 4.0]), x="t", y="v", chart="i", exclude=[3])
    sigma = (2 + 1 + 2) / 3 / 1.128
    assert r.points["cl"][0] == pytest.approx(2.5, rel=1e-15)
    assert r.points["ucl"][0] == pytest.approx(2.5 + 3 * sigma, rel=1e-12)
    assert r.points["include"].to_list() == [True, True, False, True, True]
    assert r.points["sigma_signal"].to_list() == [False, False, True, False, False]
    assert r.summary["n_obs"][0] == 4


def test_a_single_point_gives_no_limits_and_a_warning():
    with pytest.warns(SpcWarning, match="trial limits"):
        r = qic(series([7.0]), x="t", y="v", chart="i")
    p = r.points.row(0, named=True)
    assert p["cl"] == 7.0
    assert (p["lcl"], p["ucl"], p["sigma_signal"]) == (None, None, False)
    assert r.summary["trial_limits"][0] is True


def test_fewer_than_twelve_points_give_trial_limits():
    with pytest.warns(SpcWarning, match="fewer than 12 baseline points"):
        r = qic(series([4.0, 6, 5, 7, 5, 6, 4, 5, 6, 5, 7]), x="t", y="v", chart="c")
    assert r.summary["trial_limits"].to_list() == [True]
    assert r.points["ucl"][0] == pytest.approx(5.454545 + 3 * math.sqrt(60 / 11), rel=1e-6)


def test_all_values_equal():
    run = quiet(series([3.0] * 12), x="t", y="v")
    s = run.summary.row(0, named=True)
    assert (s["n_useful"], s["longest_run"], s["n_crossings"], s["runs_signal"]) == (
        0,
        None,
        None,
        False,
    )
    # qicharts2 screens out every moving range of a constant series (0 < 3.267 x 0 is
    # false), leaving no limits; unscreened, the limits collapse onto the centre line.
    screened = quiet(series([3.0] * 12), x="t", y="v", chart="i")
    assert screened.points["ucl"].to_list() == [None] * 12
    unscreened = quiet(series([3.0] * 12), x="t", y="v", chart="i", screen_mr=False)
    assert unscreened.points["ucl"].to_list() == [3.0] * 12
    assert not unscreened.points["sigma_signal"].any()


def test_zero_denominator_gives_a_missing_point_not_a_crash():
    d = series([1.0, 2.0, 3.0, 1.0], n=[10.0, 0.0, 10.0, 10.0])
    r = quiet(d, x="t", y="v", n="n", chart="u")
    assert r.points["y"].to_list()[1] is None
    assert r.points["ucl"].to_list()[1] is None
    assert r.points["cl"][0] == pytest.approx(5 / 30, rel=1e-15)


def test_rows_sharing_an_x_are_aggregated_as_qicharts2_does():
    d = pl.DataFrame({"t": [1, 1, 2, 2, 3], "v": [1.0, 3.0, None, None, 4.0]})
    r = quiet(d, x="t", y="v")
    assert r.points["y"].to_list() == [2.0, None, 4.0]
    assert r.points["y_sum"].to_list() == [4.0, 0.0, 4.0]  # R: sum(NA, NA, na.rm = TRUE)
    assert r.points["y_length"].to_list() == [2, 0, 1]


def test_freeze_by_date_text_and_multiply():
    months = [dt.date(2024, m, 1) for m in range(1, 13)]
    d = pl.DataFrame(
        {"month": months, "falls": [4, 5, 3, 6, 4, 5, 1, 1, 2, 1, 1, 2], "bed_days": [900] * 12}
    )
    r = quiet(d, x="month", y="falls", n="bed_days", chart="u", freeze="2024-06-01", multiply=1000)
    assert r.points["baseline"].to_list() == [True] * 6 + [False] * 6
    assert r.points["cl"][0] == pytest.approx(27 / 5400 * 1000, rel=1e-12)
    assert r.points["y"][0] == pytest.approx(4 / 900 * 1000, rel=1e-12)


def test_parts_begin_at_x_values_even_if_absent_from_a_facet():
    d = pl.DataFrame(
        {
            "home": ["A"] * 6 + ["B"] * 5,
            "t": [1, 2, 3, 4, 5, 6, 1, 2, 3, 5, 6],
            "v": [1.0, 2, 1, 5, 6, 5, 1, 2, 1, 5, 6],
        }
    )
    r = quiet(d, x="t", y="v", facets="home", parts=[4])
    assert r.points["part"].to_list() == [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2]
    assert r.summary.select("home", "part", "cl").rows() == [
        ("A", 1, 1.0),
        ("A", 2, 5.0),
        ("B", 1, 1.0),
        ("B", 2, 5.5),
    ]


def test_freeze_is_ignored_with_parts_as_in_qicharts2():
    with pytest.warns(SpcWarning, match="freeze is ignored"):
        r = qic(series([1.0, 2, 3, 4, 5, 6]), x="t", y="v", freeze=2, parts=[4])
    assert r.points["baseline"].all()


def test_categorical_x_has_no_runs_signal():
    d = pl.DataFrame({"home": list("ABCDEFGHIJKL"), "v": [1.0] * 6 + [9.0] * 6})
    r = quiet(d, x="home", y="v")
    assert r.categorical
    assert r.summary["longest_run"][0] == 6
    assert not r.points["runs_signal"].any()


def test_pandas_input_gives_the_same_result():
    d = series([3.0, 5, 4, 6, 2, 5, 3, 4, 9, 4, 5, 6])
    assert quiet(d.to_pandas(), x="t", y="v", chart="i").points.equals(
        quiet(d, x="t", y="v", chart="i").points
    )


def test_y_only_numbers_the_points():
    r = quiet(pd.DataFrame({"days": [12.0, 30.0, 7.0, 21.0]}), x=None, y="days", chart="t")
    assert r.points["x"].to_list() == [1, 2, 3, 4]


# --- IHI run-chart rules -------------------------------------------------------------


def test_ihi_shift_and_too_few_runs():
    r = quiet(series([3.0] * 6 + [1.0] * 6 + [2.0]), x="t", y="v", rules="ihi")
    p = r.points
    assert r.rules.name == "ihi"
    assert p["cl"][0] == 2.0
    assert p["shift"].to_list() == [True] * 12 + [False]
    assert not p["trend"].any()
    s = r.summary.row(0, named=True)
    assert (s["n_runs"], s["n_runs_min"], s["n_runs_max"]) == (2, 3, 11)
    assert s["runs_signal"] is True


def test_ihi_trend_counts_ties_once_and_detects_decreases():
    up = [4.0, 1, 2, 2, 3, 4, 5, 3, 4, 3, 4]
    r = quiet(series(up), x="t", y="v", rules="ihi")
    assert r.points["trend"].to_list() == [False] + [True] * 6 + [False] * 4
    down = quiet(series([2.0, 9, 8, 8, 7, 6, 5, 7, 6, 7, 6]), x="t", y="v", rules="ihi")
    assert down.points["trend"].to_list() == [False] + [True] * 6 + [False] * 4
    four = quiet(series([2.0, 1, 2, 3, 4, 2, 3, 2, 3, 2]), x="t", y="v", rules="ihi")
    assert not four.points["trend"].any()


def test_ihi_astronomical_point():
    r = quiet(series([10.0, 11, 10, 12, 11, 10, 11, 12, 10, 11, 50, 11]), x="t", y="v", rules="ihi")
    assert r.points["astronomical"].to_list() == [False] * 10 + [True, False]
    assert r.summary["astronomical"][0] == 1


def test_ihi_rules_are_for_run_charts_only():
    with pytest.raises(SpcInputError, match="rules for run charts"):
        qic(series([1.0, 2]), x="t", y="v", chart="i", rules="ihi")


# --- errors a user can make ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y": "falls"}, r"column 'falls' \(given as y\) is not in the data"),
        ({"y": "v", "n": "beds"}, r"column 'beds' \(given as n\) is not in the data"),
        ({"y": "v", "facets": ["home"]}, r"column 'home' \(given as facets\)"),
        ({"y": "label"}, r"column 'label' \(y\) must hold numbers"),
        ({"y": "v", "chart": "x"}, r"chart = 'x' is not a chart type"),
        ({"y": "v", "multiply": 0}, r"multiply = 0 must be a positive number"),
        ({"y": "v", "freeze": "soon"}, r"freeze = \['soon'\] cannot be read as values"),
        ({"y": "v", "rules": "nelson"}, r"no rule set called 'nelson'"),
    ],
)
def test_bad_arguments_name_the_problem(kwargs, message):
    d = series([1.0, 2, 3], label=["a", "b", "c"])
    with pytest.raises(SpcInputError, match=message):
        qic(d, x="t", **kwargs)


def test_negative_denominator_names_column_and_rows():
    d = series([1.0, 2, 3], n=[10.0, -5, 10])
    with pytest.raises(
        SpcInputError, match=r"'n' \(n\) has a negative denominator in 1 row\(s\), at t = \[2\]"
    ):
        qic(d, x="t", y="v", n="n", chart="u")


def test_more_cases_than_denominator_on_a_p_chart():
    d = series([1.0, 12, 3], n=[10.0, 10, 10])
    with pytest.raises(SpcInputError, match=r"'v' is larger than 'n' in 1 row\(s\), at t = \[2\]"):
        qic(d, x="t", y="v", n="n", chart="p")


def test_t_chart_needs_positive_times():
    with pytest.raises(SpcInputError, match="greater than zero"):
        qic(series([3.0, 0, 5]), x="t", y="v", chart="t")


def test_rows_without_x_are_dropped_with_a_warning():
    d = pl.DataFrame({"t": [1, None, 3], "v": [1.0, 2.0, 3.0]})
    with pytest.warns(SpcWarning, match="1 row"):
        r = qic(d, x="t", y="v")
    assert r.points.height == 2


def test_every_facet_column_is_checked():
    d = series([1.0, 2, 3], home=["A", "A", "B"])
    with pytest.raises(SpcInputError, match=r"column 'unit' \(given as facets\)"):
        qic(d, x="t", y="v", facets=["unit", "home"])


def test_text_x_with_arguments_that_are_not_in_the_data():
    d = pl.DataFrame({"unit": ["ward A", "ward C", "ward E", "ward G"], "v": [1.0, 2, 3, 4]})
    r = quiet(d, x="unit", y="v", chart="i", freeze="ward D", exclude=["ward B", "ward E"])
    assert r.points["baseline"].to_list() == [True, True, False, False]
    assert r.points["include"].to_list() == [True, True, False, True]


def test_summaries_name_their_rule_set():
    assert quiet(series([1.0, 2, 3]), x="t", y="v").summary["rule_set"].to_list() == [
        "anhoej qicharts2-0.8.1"
    ]
    ihi = quiet(series([1.0, 2, 3]), x="t", y="v", rules="ihi")
    assert ihi.summary["rule_set"].to_list() == ["ihi perla2011-table1.v1"]


def _two_homes() -> pl.DataFrame:
    falls = [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 2, 3, 2, 1, 2, 3, 2, 2, 1, 2]
    return pl.DataFrame(
        {"home": ["A"] * 20 + ["B"] * 20, "m": list(range(1, 21)) * 2, "y": falls + falls[::-1]}
    )


def test_freeze_by_facet_gives_each_series_its_own_baseline():
    d = _two_homes()
    r = quiet(d, x="m", y="y", chart="c", facets="home", freeze={"A": 10})
    for home, freeze in (("A", 10), ("B", None)):
        alone = quiet(d.filter(pl.col("home") == home), x="m", y="y", chart="c", freeze=freeze)
        got = r.points.filter(pl.col("home") == home)
        assert got["cl"].to_list() == alone.points["cl"].to_list()
        assert got["baseline"].to_list() == alone.points["baseline"].to_list()
    assert r.points.filter(pl.col("home") == "A")["cl"][0] == pytest.approx(5.8)


def test_parts_by_facet_and_a_freeze_before_a_rebase():
    d = _two_homes()
    r = quiet(d, x="m", y="y", chart="c", facets="home", parts={"B": [11]}, freeze={"B": 5})
    b = r.points.filter(pl.col("home") == "B")
    assert b["part"].to_list() == [1] * 10 + [2] * 10
    # the freeze governs part 1 only; part 2 takes its limits from all its points
    assert b["baseline"].to_list() == [True] * 5 + [False] * 5 + [True] * 10
    alone = quiet(d.filter(pl.col("home") == "B", pl.col("m") > 10), x="m", y="y", chart="c")
    assert b["cl"][10:].to_list() == alone.points["cl"].to_list()
    assert r.points.filter(pl.col("home") == "A")["part"].unique().to_list() == [1]


def test_freeze_by_facet_needs_one_facet_column():
    d = _two_homes().with_columns(site=pl.lit("s"))
    with pytest.raises(SpcInputError, match="needs exactly one facet column"):
        qic(d, x="m", y="y", chart="c", facets=["site", "home"], freeze={"A": 10})
