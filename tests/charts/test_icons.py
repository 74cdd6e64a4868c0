"""Making Data Count icons from hand-made series, and their SVGs."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charts.figures import point_types
from charts.icons import (
    ICON_WORDS,
    MIN_POINTS,
    assurance_icon,
    icon_sprite,
    icon_svg,
    icon_use,
    icons_by_series,
    variation_icon,
)
from tests.charts.test_figures import series


def long_run_below(improvement: str, n_before: int = 6, n_run: int = 9) -> pl.DataFrame:
    """Points about 5, then the latest ``n_run`` in a row below it (more than the 8 allowed)."""
    values = [5.5, 4.5] * (n_before // 2) + [4.2] * n_run
    n = len(values)
    return series(values, improvement=improvement, runs_signal=[True] * n,
                  longest_run=[n_run] * n, longest_run_max=[8] * n, n_crossings=[5] * n,
                  n_crossings_min=[3] * n)  # fmt: skip


def test_improvement_when_lower_is_better_and_the_latest_points_are_a_long_run_below():
    assert variation_icon(long_run_below("decrease")) == "special_cause_improvement"


def test_concern_when_higher_is_better_and_the_same_run_falls():
    assert variation_icon(long_run_below("increase")) == "special_cause_concern"


def test_a_neutral_measure_is_high_or_low():
    assert variation_icon(long_run_below("neutral")) == "special_cause_neutral_low"
    high = series([5.0] * 6 + [9.0], improvement="neutral")
    assert variation_icon(high) == "special_cause_neutral_high"


def test_common_cause_when_the_latest_point_is_not_special():
    pts = long_run_below("decrease").vstack(series([5.5], runs_signal=[True], longest_run=[9],
                                                   longest_run_max=[8], n_crossings=[6],
                                                   n_crossings_min=[3]).with_columns(
        period=pl.date(2024, 4, 1)))  # fmt: skip
    assert variation_icon(pts) == "common_cause"
    assert variation_icon(series([5.0, 5.5, 4.5, 5.2, 4.8, 5.1])) == "common_cause"


def test_no_icon_from_too_few_points():
    assert MIN_POINTS == 6
    assert variation_icon(series([5.0, 5.5, 9.0, 5.2, 4.8])) == "none"
    assert variation_icon(series([None] * 8)) == "none"


def test_the_latest_point_with_a_value_decides_when_the_last_month_is_missing():
    pts = series([5.0, 5.5, 4.5, 5.2, 4.8, 1.0, None], data_complete=[True] * 6 + [False])
    assert variation_icon(pts) == "special_cause_improvement"


@pytest.mark.parametrize(
    ("improvement", "target", "icon"),
    [
        ("decrease", 9.0, "pass"),  # above the upper limit (8): every month under target
        ("decrease", 1.0, "fail"),  # below the lower limit (2): never without a change
        ("decrease", 5.0, "inconsistent"),
        ("increase", 9.0, "fail"),
        ("increase", 1.0, "pass"),
        ("increase", 8.0, "inconsistent"),  # on a limit
        ("neutral", 9.0, "none"),
    ],
)
def test_assurance_is_the_target_against_the_latest_limits(improvement, target, icon):
    pts = series([5.0, 5.5, 4.5], improvement=improvement, target=[target] * 3)
    assert assurance_icon(pts) == icon


def test_assurance_reads_the_limits_of_the_latest_part():
    pts = series([5.0] * 4, target=[6.5] * 4, part=[1, 1, 2, 2],
                 lcl=[2.0, 2.0, 6.0, 6.0], ucl=[8.0, 8.0, 7.0, 7.0])  # fmt: skip
    assert assurance_icon(pts) == "inconsistent"
    assert assurance_icon(pts.with_columns(target=pl.lit(7.5))) == "pass"


def test_no_assurance_without_a_target_or_limits():
    assert assurance_icon(series([5.0, 5.5])) == "none"
    assert assurance_icon(series([5.0, 5.5]).drop("target")) == "none"
    run = series([5.0, 5.5], chart="run", lcl=[None] * 2, ucl=[None] * 2, target=[4.0] * 2)
    assert assurance_icon(run) == "none"


def test_every_icon_has_words():
    kinds = {"common_cause", "special_cause_improvement", "special_cause_concern",
             "special_cause_neutral_high", "special_cause_neutral_low", "pass", "fail",
             "inconsistent", "none"}  # fmt: skip
    assert set(ICON_WORDS) == kinds


@pytest.mark.parametrize("kind", sorted(ICON_WORDS))
def test_every_icon_is_a_well_formed_svg_that_names_itself(kind):
    svg = icon_svg(kind, size=32, improvement="decrease")
    root = ET.fromstring(svg)
    assert root.get("width") == "32"
    assert root.get("role") == "img"
    assert root.get("aria-label") == ICON_WORDS[kind]
    (title,) = root.findall("{http://www.w3.org/2000/svg}title")
    assert title.text == ICON_WORDS[kind]


@pytest.mark.parametrize(
    ("kind", "improvement", "letter"),
    [
        ("special_cause_improvement", "decrease", "L"),
        ("special_cause_improvement", "increase", "H"),
        ("special_cause_concern", "decrease", "H"),
        ("special_cause_concern", "increase", "L"),
        ("special_cause_neutral_high", None, "H"),
        ("pass", None, "P"),
        ("fail", None, "F"),
        ("inconsistent", None, "?"),
    ],
)
def test_icons_carry_the_mdc_letters_not_colour_alone(kind, improvement, letter):
    assert f">{letter}</text>" in icon_svg(kind, improvement=improvement)


def test_icons_use_the_mdc_colours_and_refuse_unknown_kinds():
    assert 'stroke="#289de0"' in icon_svg("special_cause_improvement")
    assert 'stroke="#fab428"' in icon_svg("fail")
    with pytest.raises(ValueError, match="unknown icon"):
        icon_svg("<script>")


# -- many series at once, and icons by reference --------------------------------------------

HANDMADE = {
    "improvement": long_run_below("decrease"),
    "concern": long_run_below("increase"),
    "neutral": long_run_below("neutral"),
    "calm": series([5.0, 5.5, 4.5, 5.2, 4.8, 5.1], target=[9.0] * 6),
    "few": series([5.0, 5.5, 9.0]),
    "missing": series([5.0, 5.5, 4.5, 5.2, 4.8, 1.0, None], data_complete=[True] * 6 + [False],
                      target=[1.0] * 7),
    "parts": series([5.0] * 4, target=[6.5] * 4, part=[1, 1, 2, 2], lcl=[2.0, 2.0, 6.0, 6.0],
                    ucl=[8.0, 8.0, 7.0, 7.0]),
    "run chart": series([5.0, 5.5], chart="run", lcl=[None] * 2, ucl=[None] * 2,
                        target=[4.0] * 2),
}  # fmt: skip


def test_the_icons_of_many_series_at_once_are_those_of_each_alone():
    both = pl.concat(
        [pts.with_columns(name=pl.lit(name)) for name, pts in HANDMADE.items()],
        how="diagonal_relaxed",
    ).sample(fraction=1.0, shuffle=True, seed=3)  # in any order
    icons = icons_by_series(both, ["name"])
    assert icons.get_column("name").to_list() == sorted(HANDMADE)
    for name, variation, assurance in icons.iter_rows():
        assert variation == variation_icon(HANDMADE[name]), name
        assert assurance == assurance_icon(HANDMADE[name]), name
    assert dict(icons.select("name", "variation").iter_rows())["improvement"] == (
        "special_cause_improvement"
    )


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.floats(0, 10)), min_size=1, max_size=16),
    improvement=st.sampled_from(["increase", "decrease", "neutral"]),
    target=st.one_of(st.none(), st.floats(0, 10)),
)
def test_the_icons_of_a_series_are_those_of_its_latest_point_and_limits(values, improvement,
                                                                        target):  # fmt: skip
    n = len(values)
    pts = series(values, improvement=improvement, runs_signal=[True] * n,
                 longest_run_max=[3] * n, target=[target] * n)  # fmt: skip
    # the icons read straight from their definitions, point by point
    typed = pts.with_columns(kind=point_types(pts)).filter(pl.col("value").is_not_null())
    if typed.height < MIN_POINTS:
        variation = "none"
    else:
        last = typed.row(-1, named=True)
        side = "high" if last["value"] > last["cl"] else "low"
        variation = {"improvement": "special_cause_improvement", "concern":
                     "special_cause_concern", "neutral": f"special_cause_neutral_{side}"}.get(
            last["kind"], "common_cause")  # fmt: skip
    ucl, lcl = pts.row(-1, named=True)["ucl"], pts.row(-1, named=True)["lcl"]
    if target is None or improvement == "neutral":
        assurance = "none"
    elif (target > ucl) == (improvement == "decrease") and not lcl <= target <= ucl:
        assurance = "pass"
    elif lcl <= target <= ucl:
        assurance = "inconsistent"
    else:
        assurance = "fail"
    assert (variation_icon(pts), assurance_icon(pts)) == (variation, assurance)
    both = pl.concat([pts.with_columns(h=pl.lit("a")), pts.with_columns(h=pl.lit("b"))])
    icons = icons_by_series(both, ["h"])
    assert icons.select("variation", "assurance").rows() == [(variation, assurance)] * 2


def test_an_empty_series_has_no_icons():
    empty = series([5.0]).clear()
    assert variation_icon(empty) == assurance_icon(empty) == "none"


@pytest.mark.parametrize("kind", sorted(ICON_WORDS))
@pytest.mark.parametrize("improvement", [None, "increase", "decrease"])
def test_every_icon_by_reference_draws_its_own_symbol_of_the_sprite(kind, improvement):
    sprite = ET.fromstring(icon_sprite())
    svg = "{http://www.w3.org/2000/svg}"
    symbols = {s.get("id"): s for s in sprite.iter(f"{svg}symbol")}
    use = ET.fromstring(icon_use(kind, size=28, improvement=improvement))
    assert use.get("width") == "28"
    assert use.get("role") == "img"
    assert use.find("title").text == ICON_WORDS[kind]
    target = use.find("use").get("href").removeprefix("#")
    # the symbol draws what icon_svg draws inline
    inline = ET.fromstring(icon_svg(kind, improvement=improvement))
    drawn = [ET.tostring(e) for e in inline if e.tag != f"{svg}title"]
    assert [ET.tostring(e) for e in symbols[target]] == drawn
    assert sprite.get("aria-hidden") == "true"


def test_icons_by_reference_are_small():
    assert len(icon_use("special_cause_improvement", size=28, improvement="decrease")) < 250
    assert len(icon_svg("special_cause_improvement", size=28, improvement="decrease")) > 700
