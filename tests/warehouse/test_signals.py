"""Signals at the latest points, in words that know which way is better (hand-built series)."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

from warehouse.measures.signals import find_signals, measure_name

MONTHS = [dt.date(2023 + (m // 12), m % 12 + 1, 1) for m in range(20)]


def series(
    values,
    *,
    cl=10.0,
    improvement="decrease",
    title="Falls per 1,000 occupied bed days",
    chart="u",
    phase=None,
    phase_start=None,
    complete=None,
    sigma=None,
    level="home",
    rare=False,
    crossings=(8, 5),
    sparse=False,
    runs=True,
):
    n = len(values)
    return pl.DataFrame(
        {
            "series": ["S1|home|site_a|1-1"] * n,
            "measure_id": ["S1"] * n,
            "level": [level] * n,
            "site_id": ["site_a"] * n,
            "home_id": ["1-1"] * n,
            "period": MONTHS[:n],
            "value": values,
            "cl": [cl] * n,
            "sigma_signal": sigma or [False] * n,
            "runs_signal": [runs] * n,
            "longest_run_max": [round(math.log2(n) + 3)] * n,
            "n_crossings": [crossings[0]] * n,
            "n_crossings_min": [crossings[1]] * n,
            "data_complete": complete or [v is not None for v in values],
            "dq_warning": [False] * n,
            "title": [title] * n,
            "chart": [chart] * n,
            "improvement": [improvement] * n,
            "phase": [phase] * n,
            "phase_start": [phase_start] * n,
            "period_unit": ["month"] * n,
            "home_name": ["Elm House"] * n,
            "site_name": ["Riverside"] * n,
            "rare": [rare] * n,
            "sparse": [sparse] * n,
        },
        schema_overrides={"value": pl.Float64, "phase": pl.String, "phase_start": pl.Date},
    )


def test_a_fall_rate_below_its_average_is_good_news_since_the_change_began():
    values = [12, 11, 13, 12, 11, 12, 13, 12, 8, 7, 8, 9, 7, 8, 8, 7]
    (signal,) = find_signals(
        series(values, phase="Falls huddles", phase_start=dt.date(2023, 9, 1))
    ).to_dicts()
    assert signal["kind"] == "shift"
    assert signal["direction"] == "improvement"
    assert signal["points"] == 8
    assert signal["since"] == dt.date(2023, 9, 1)
    assert signal["sentence"] == (
        "Falls at Elm House: the last 8 months are all below the average. This looks like a "
        "real improvement since “Falls huddles” began in September 2023."
    )


def test_a_rise_in_falls_is_a_concern():
    values = [8, 9, 8, 7, 9, 8, 8, 9, 12, 13, 12, 11, 12, 13, 12, 12]
    (signal,) = find_signals(series(values)).to_dicts()
    assert signal["direction"] == "concern"
    assert signal["sentence"] == (
        "Falls at Elm House: the last 8 months are all above the average. This is a concern: "
        "lower is better here. Find out what changed around September 2023."
    )


def test_higher_is_better_for_screening_so_a_rise_is_an_improvement():
    values = [60, 61, 59, 62, 58, 60, 61, 59, 80, 85, 88, 90, 89, 91, 90, 92]
    frame = series(
        values, cl=70, improvement="increase", title="MUST screening compliance", chart="p"
    )
    (signal,) = find_signals(frame).to_dicts()
    assert signal["direction"] == "improvement"
    assert signal["sentence"].startswith("MUST screening compliance at Elm House: the last 8")


def test_points_on_the_centre_line_neither_break_nor_add_to_a_run():
    values = [12, 11, 13, 12, 11, 12, 13, 12, 8, 7, 10, 8, 9, 7, 8, 10, 8, 7]
    (signal,) = find_signals(series(values)).to_dicts()
    assert signal["points"] == 8  # ten points from month 9, two of them on the line


def test_a_run_no_longer_than_chance_allows_is_no_signal():
    values = [12, 11, 13, 12, 11, 12, 13, 12, 11, 13, 8, 7, 8, 9, 7, 8]
    assert find_signals(series(values)).is_empty()  # 6 below; 16 points allow 7


def test_a_neutral_measure_says_something_changed_without_judging():
    values = [12, 11, 13, 12, 11, 12, 13, 12, 8, 7, 8, 9, 7, 8, 8, 7]
    (signal,) = find_signals(series(values, improvement="neutral")).to_dicts()
    assert signal["direction"] == "neutral"
    assert "neither way is better" in signal["sentence"]


def test_the_latest_point_beyond_a_limit_is_named_by_its_month():
    values = [10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 18]
    (signal,) = find_signals(series(values, sigma=[False] * 10 + [True])).to_dicts()
    assert signal["kind"] == "beyond_limit"
    assert signal["direction"] == "concern"
    assert signal["sentence"].startswith(
        "Falls at Elm House: November 2023 is above the upper limit, beyond what normal"
    )


def test_a_signal_when_the_latest_month_is_incomplete_says_so():
    values = [12, 11, 13, 12, 11, 12, 13, 12, 8, 7, 8, 9, 7, 8, 8, 7, None]
    (signal,) = find_signals(series(values)).to_dicts()
    assert signal["latest"] == dt.date(2024, 4, 1)
    assert signal["sentence"].endswith("May 2024 is not charted yet: its data are incomplete.")


def test_a_site_signal_names_the_site_and_the_collaborative_all_sites():
    values = [12, 11, 13, 12, 11, 12, 13, 12, 8, 7, 8, 9, 7, 8, 8, 7]
    assert find_signals(series(values, level="site"))["sentence"][0].startswith(
        "Falls at Riverside:"
    )
    assert find_signals(series(values, level="collaborative"))["sentence"][0].startswith(
        "Falls at all sites:"
    )


def test_measure_names_drop_the_unit():
    assert measure_name("Emergency admissions per 1,000 occupied bed days") == (
        "Emergency admissions"
    )


def test_rare_events_speak_of_the_gaps_between_them():
    gaps = [20, 25, 18, 22, 30, 19, 21, 24, 60, 75, 58, 66, 70, 80, 62, 90]
    frame = series(
        gaps,
        cl=40,
        improvement="increase",
        chart="t",
        rare=True,
        title="Emergency admissions per 1,000 occupied bed days",
    )
    (signal,) = find_signals(frame).to_dicts()
    assert signal["direction"] == "improvement"
    assert signal["sentence"] == (
        "Emergency admissions at Elm House: the last 8 gaps between emergency admissions are "
        "all longer than the average gap. This looks like a real improvement."
    )


def test_few_crossings_and_latest_points_mostly_on_one_side_is_a_shift():
    values = [12, 11, 13, 12, 11, 12, 13, 12, 11, 12, 7, 6, 11, 7, 8, 6, 7, 7]
    (signal,) = find_signals(series(values, crossings=(3, 6))).to_dicts()
    assert signal["kind"] == "few_crossings"
    assert signal["direction"] == "improvement"
    assert signal["sentence"].startswith(
        "Falls at Elm House: the average has been crossed only 3 times, fewer times than "
        "chance allows, and the last 7 months are mostly below it."
    )
    assert find_signals(series(values, crossings=(6, 6))).is_empty()
    assert find_signals(series(values, crossings=(3, 6), runs=False)).is_empty()  # as the chart
    back_up = [*values[:-1], 12]  # the latest point is back above the average: no longer
    assert find_signals(series(back_up, crossings=(3, 6))).is_empty()


def test_an_average_never_crossed_is_said_so():
    values = [12, 11, 13, 12, 11, 12]  # 6 in a row: no longer than chance allows for 6
    (signal,) = find_signals(series(values, cl=10.0, crossings=(0, 1))).to_dicts()
    assert signal["sentence"].startswith(
        "Falls at Elm House: the average has not been crossed at all, fewer times than chance"
    )


def test_a_series_of_mostly_zeros_gets_no_runs_signal():
    values = [0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1]
    assert not find_signals(series(values, cl=0, improvement="decrease")).is_empty()
    assert find_signals(series(values, cl=0, improvement="decrease", sparse=True)).is_empty()


def test_a_series_with_a_shift_and_a_point_beyond_the_limit_says_both_once():
    values = [12, 11, 13, 12, 11, 12, 13, 12, 8, 7, 8, 9, 7, 8, 8, 2]
    sigma = [False] * 15 + [True]
    found = find_signals(series(values, sigma=sigma, phase="Falls huddles",
                                phase_start=dt.date(2023, 9, 1)))  # fmt: skip
    assert found["kind"].to_list() == ["shift", "beyond_limit"]
    assert found["summary"].unique().to_list() == [
        "Falls at Elm House: the last 8 months are all below the average, and April 2024 is "
        "below the lower limit, beyond what normal ups and downs give. This looks like a "
        "real improvement since “Falls huddles” began in September 2023."
    ]


def test_a_series_with_one_signal_summarises_it_as_its_sentence():
    values = [8, 9, 8, 7, 9, 8, 8, 9, 12, 13, 12, 11, 12, 13, 12, 12]
    (signal,) = find_signals(series(values)).to_dicts()
    assert signal["summary"] == signal["sentence"]
