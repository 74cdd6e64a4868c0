"""Hand-built cases for mdc(): each MDC rule, rebasing, targets, icons and errors."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from charts.spc import SpcInputError, SpcWarning, mdc
from tests.charts.helpers import quietly, series


def quiet(*args, **kwargs):
    return quietly(mdc, *args, **kwargs)


BASELINE = [10.0, 12.0] * 10  # mean 11, every moving range 2: limits 11 +/- 5.32
AFTER = [15, 12, 15, 10.5, 15, 10, 15, 10.8, 17, 10.9, 15, 17, 15, 10, 7, 7.2, 12]


def test_limits_and_two_in_three():
    r = quiet(series(BASELINE + AFTER), x="t", y="v", fix_after_n_points=20)
    p = r.points
    assert p["mean"][0] == 11.0
    assert (p["lpl"][0], p["upl"][0]) == pytest.approx((11 - 5.32, 11 + 5.32), rel=1e-15)
    labels = dict(enumerate(p["special_cause_type"].to_list()))
    special = {i: v for i, v in labels.items() if v != "Common Cause"}
    assert special == {
        20: "2 in 3 Above CL",
        22: "2 in 3 Above CL",  # 15, 12, 15: two close, all above
        28: "Above UCL",
        31: "Above UCL",
        30: "2 in 3 Above CL",
        32: "2 in 3 Above CL",  # a point beyond the limit is not close
        34: "2 in 3 Below CL",
        35: "2 in 3 Below CL",
    }
    assert labels[26] == "Common Cause"  # 15, 10, 15 straddles the mean (#143)
    assert p["point_type"][34] == "special_cause_concern"
    assert p["point_type"][20] == "special_cause_improvement"


def test_seven_point_trend_but_not_six_unless_mdc6():
    fall = [10.0, 12, 11, 13, 10, 12, 11, 13, 10, 12, 14, 13, 12, 11, 10, 9, 12, 11]
    seven = quiet(series(fall), x="t", y="v", improvement="decrease")
    assert not seven.points["trend"].any()
    six = quiet(series(fall), x="t", y="v", improvement="decrease", rules="mdc6")
    assert six.rules.version == "ptd-0.2.2+excel6"
    assert six.points["trend"].to_list() == [False] * 10 + [True] * 6 + [False] * 2
    assert set(six.points["special_cause_type"][10:16]) == {"6 Point Trend (Decreasing)"}
    assert set(six.points["point_type"][10:16]) == {"special_cause_improvement"}


def test_trend_direction_comes_from_the_slope_not_the_side():
    y = [20.0, 24, 20, 24, 20, 24, 17, 18, 19, 20, 21, 22, 23, 20, 24, 20]  # mean 21
    r = quiet(series(y), x="t", y="v")
    assert r.points["trend"].to_list() == [False] * 6 + [True] * 7 + [False] * 3
    assert set(r.points["special_cause_type"][6:13]) == {"7 Point Trend (Increasing)"}
    assert r.points["relative_to_mean"][6] == -1  # below the mean, yet increasing


def test_seven_points_on_one_side_and_a_point_on_the_mean_breaks_them():
    y = [8.0, 8, 8, 6, 8, 8, 8, 8] + [4.0] * 7  # mean exactly 6
    r = quiet(series(y), x="t", y="v")
    assert r.points["mean"][0] == 6.0
    assert r.points["relative_to_mean"][3] == 0
    assert r.points["shift"].to_list() == [False] * 8 + [True] * 7


def test_moving_range_screening_on_and_off():
    y = [10.0, 11, 10, 11, 10, 30, 10, 11, 10, 11, 10, 11, 10]
    mean = sum(y) / len(y)
    screened = quiet(series(y), x="t", y="v")
    unscreened = quiet(series(y), x="t", y="v", screen_outliers=False)
    assert screened.points["upl"][0] == pytest.approx(mean + 2.66 * 1.0, rel=1e-14)
    assert unscreened.points["upl"][0] == pytest.approx(mean + 2.66 * 50 / 12, rel=1e-14)


def test_rebase_targets_and_assurance_per_facet():
    a = [49.0, 51] * 8
    b = [48.0, 52] * 8
    d = pl.DataFrame({"home": ["A"] * 16 + ["B"] * 16, "t": list(range(16)) * 2, "v": a + b})
    r = quiet(
        d,
        x="t",
        y="v",
        facet="home",
        improvement="decrease",
        target={"A": 60.0, "B": 50.0},
        rebase={"A": [8]},
    )
    s = r.summary
    assert s.select("home", "rebase_group", "n").rows() == [("A", 0, 8), ("A", 1, 8), ("B", 0, 16)]
    assert s["assurance_type"].to_list() == [None, "pass", "inconsistent"]
    assert s["variation_icon"].to_list() == [None, "common_cause", "common_cause"]
    assert r.points.filter(pl.col("home") == "A")["target"].unique().to_list() == [60.0]


def test_neutral_direction_has_no_assurance_and_neutral_labels():
    y = [10.0, 12] * 6 + [30.0]
    r = quiet(series(y), x="t", y="v", improvement="neutral", target=5.0)
    assert r.points["point_type"][-1] == "special_cause_neutral_high"
    assert r.summary["variation_icon"][0] == "neutral_high"
    assert r.summary["assurance_type"][0] is None


def test_dates_and_short_groups_warn():
    months = [dt.date(2024, m, 1) for m in range(1, 13)]
    with pytest.warns(SpcWarning, match="fewer than 13 points"):
        r = mdc(
            pl.DataFrame({"month": months, "v": [3.0] * 12}),
            x="month",
            y="v",
            rebase=["2024-07-01"],
        )
    assert r.points["rebase_group"].to_list() == [0] * 6 + [1] * 6
    assert r.points["short_group_warning"].all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fix_after_n_points": 11}, "at least 12 points"),
        ({"improvement": "up"}, "improvement = 'up'"),
        ({"rebase": {"A": [3]}}, "no facet column is given"),
        ({"facet": "home", "target": {"Z": 1.0}}, r"facet value\(s\) \['Z'\]"),
        ({"facet": "ward"}, r"column 'ward' \(given as facet\) is not in the data"),
        ({"rules": "anhoej"}, "not a Making Data Count rule set"),
    ],
)
def test_bad_arguments_name_the_problem(kwargs, message):
    d = series([1.0, 2, 3], home=["A", "A", "B"])
    with pytest.raises(SpcInputError, match=message):
        mdc(d, x="t", y="v", **kwargs)


def test_a_period_twice_is_refused():
    d = pl.DataFrame({"t": [1, 2, 2], "v": [1.0, 2, 3]})
    with pytest.raises(SpcInputError, match=r"first at t = 2.*one value per period"):
        mdc(d, x="t", y="v")


def test_no_rows_is_a_clear_error():
    d = pl.DataFrame({"t": [None], "v": [1.0]}, schema={"t": pl.Int64, "v": pl.Float64})
    with (
        pytest.warns(SpcWarning, match="1 row"),
        pytest.raises(SpcInputError, match="no rows with an x value"),
    ):
        mdc(d, x="t", y="v")
