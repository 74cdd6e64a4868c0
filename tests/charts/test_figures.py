"""The figures people see: the figure data a series gives, its words, and its colours."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json

import numpy as np
import plotly.graph_objects as go
import polars as pl
import pytest

from charts.figures import (
    COMMON,
    CONCERN,
    IMPROVEMENT,
    NEUTRAL,
    PALETTE,
    SYMBOLS,
    ChangeIdea,
    alt_text,
    measure_figure,
)

RULES = "Anhøj run rules with 3-sigma limits (qicharts2 0.8.1)"


def months(n: int, start: dt.date = dt.date(2023, 1, 1)) -> list[dt.date]:
    return [dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
            for i in range(n)]  # fmt: skip


def series(values: list[float | None], *, cl: float | list[float] = 5.0, sigma: float = 1.0,
           improvement: str = "decrease", chart: str = "u", **columns) -> pl.DataFrame:  # fmt: skip
    """One series in spc_results' shape, with flags computed as the engine would from cl."""
    n = len(values)
    cl = cl if isinstance(cl, list) else [cl] * n
    frame = pl.DataFrame(
        {
            "period": months(n),
            "value": values,
            "numerator": [None if v is None else v * 10 for v in values],
            "denominator": [1650.0] * n,
            "cl": cl,
            "lcl": [c - 3 * sigma for c in cl],
            "ucl": [c + 3 * sigma for c in cl],
            "part": [1] * n,
            "baseline": [True] * n,
            "runs_signal": [False] * n,
            "longest_run": [None] * n,
            "longest_run_max": [None] * n,
            "n_crossings": [None] * n,
            "n_crossings_min": [None] * n,
            "data_complete": [True] * n,
            "dq_warning": [False] * n,
            "dq_reason": [None] * n,
            "target": [None] * n,
            "phase": [None] * n,
            "chart": [chart] * n,
            "improvement": [improvement] * n,
            "rule_set": ["anhoej qicharts2-0.8.1"] * n,
            "trial_limits": [False] * n,
        },
        schema_overrides={"value": pl.Float64, "numerator": pl.Float64, "dq_reason": pl.String,
                          "target": pl.Float64, "phase": pl.String, "longest_run": pl.Int64,
                          "longest_run_max": pl.Int64, "n_crossings": pl.Int64,
                          "n_crossings_min": pl.Int64},
    )  # fmt: skip
    frame = frame.with_columns(**{k: pl.Series(k, v, dtype=frame[k].dtype if k in frame.columns
                                               else None) for k, v in columns.items()})  # fmt: skip
    return frame.with_columns(
        sigma_signal=(
            (pl.col("value") > pl.col("ucl")) | (pl.col("value") < pl.col("lcl"))
        ).fill_null(False)
    )


def trace(fig: go.Figure, name: str) -> go.Scatter:
    (found,) = [t for t in fig.data if t.name == name and (t.showlegend or t.mode == "markers")]
    return found


def values(fig: go.Figure, axis: str = "x") -> go.Scatter:
    """The trace of a series' values: a line with a marker per point."""
    (found,) = [t for t in fig.data if t.name == "Values" and t.xaxis == axis]
    return found


def pieces(line: go.Scatter) -> list[list[tuple]]:
    """A line trace's pieces (split at its gaps), each as (x, y) pairs."""
    out: list[list[tuple]] = [[]]
    for x, y in zip(line.x, line.y, strict=True):
        if x is None:
            out.append([])
        else:
            out[-1].append((x, y))
    return out


def valid(fig: go.Figure) -> go.Figure:
    """The figure rebuilt with plotly's validation on: it raises on any invalid property."""
    return go.Figure(fig.to_dict())


# -- palette and shapes -----------------------------------------------------------------------

_CVD = {  # Machado, Oliveira & Fernandes (2009), severity 1, on linear RGB
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
}  # fmt: skip


def _lab(colour: str, matrix: list[list[float]]) -> np.ndarray:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    seen = np.clip(np.array(matrix) @ linear, 0, 1)
    srgb_to_xyz = [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    xyz = np.array(srgb_to_xyz) @ seen / np.array([0.95047, 1.0, 1.08883])  # D65 white
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", sorted(_CVD))
def test_the_point_colours_stay_apart_for_colour_blind_readers(vision):
    # the types that share a chart: improvement, concern and common cause; neutral and common
    together = [*itertools.combinations((IMPROVEMENT, CONCERN, COMMON), 2), (NEUTRAL, COMMON)]
    for a, b in together:
        distance = np.linalg.norm(_lab(PALETTE[a], _CVD[vision]) - _lab(PALETTE[b], _CVD[vision]))
        assert distance > 30, (a, b, distance)  # CIE76 delta E: clearly different


def test_every_point_type_has_a_shape_of_its_own():
    assert set(SYMBOLS) == set(PALETTE) == {IMPROVEMENT, CONCERN, NEUTRAL, COMMON}
    assert len(set(SYMBOLS.values())) == 4


# -- the figure -------------------------------------------------------------------------------


@pytest.fixture
def falls() -> pl.DataFrame:
    """Eight months about an average of 7, then twelve below a new one of 5.5 (trial limits)."""
    before = [7.2, 6.5, 7.8, 6.9, 7.4, 6.6, 7.1, 7.5]
    after = [1.0, 4.2, 4.6, 4.1, 4.8, 4.4, 4.0, 4.7, 4.3, 4.5, 4.9, 4.2]
    part = [1] * 8 + [2] * 12
    return series(
        before + after,
        part=part,
        cl=[7.0] * 8 + [5.5] * 12, lcl=[5.0] * 8 + [3.5] * 12, ucl=[9.0] * 8 + [7.5] * 12,
        runs_signal=[False] * 8 + [True] * 12,
        longest_run=[3] * 8 + [12] * 12, longest_run_max=[6] * 8 + [7] * 12,
        n_crossings=[5] * 8 + [0] * 12, n_crossings_min=[2] * 8 + [3] * 12,
        data_complete=[True] * 14 + [False] + [True] * 5,
        dq_warning=[False] * 11 + [True] + [False] * 8,
        dq_reason=[None] * 11 + ["two homes' bed days estimated"] + [None] * 2
        + ["the care-home extract is missing"] + [None] * 5,
        target=[5.0] * 20,
        phase=[None] * 8 + ["Falls huddles"] * 12,
        trial_limits=[False] * 8 + [True] * 12,
    )  # fmt: skip


def draw(points: pl.DataFrame, **kwargs) -> go.Figure:
    return measure_figure(
        points, title="Falls at Oak Lodge", unit="falls per 1,000 occupied bed days",
        subtitle="The last 12 months are all below the old average: a real improvement.",
        rules_label=RULES, **kwargs,
    )  # fmt: skip


def test_points_are_drawn_by_type_with_their_own_shape_colour_and_legend_entry(falls):
    fig = draw(falls)
    keys = {t.name: t for t in fig.data if t.mode == "markers" and t.x == (None,)}
    assert keys["Improvement"].marker.symbol == SYMBOLS[IMPROVEMENT] == "diamond"
    assert keys["Improvement"].marker.color == PALETTE[IMPROVEMENT]
    assert keys["Improvement"].showlegend
    assert keys["Common cause (normal variation)"].marker.symbol == "circle"
    assert CONCERN not in {t.name for t in fig.data}  # only the types present
    points = values(fig)
    assert points.mode == "lines+markers"  # the values' line and a marker per point
    symbols, colours = list(points.marker.symbol), list(points.marker.color)
    assert symbols == ["circle"] * 8 + ["diamond"] * 6 + ["diamond-open"] + ["diamond"] * 5
    assert colours == [PALETTE[COMMON]] * 8 + [PALETTE[IMPROVEMENT]] * 12
    assert min(points.marker.size) >= 9
    assert points.marker.opacity == 1  # sizes per point: plotly.js would fade a "bubble" chart
    assert points.marker.size[8] > points.marker.size[0]  # a signal stands out
    assert all(t.marker.size >= 9 for t in fig.data if t.mode == "markers")


def test_limits_are_steps_per_part_with_a_gap_between_parts(falls):
    fig = draw(falls)
    (limits,) = [t for t in fig.data if t.name == "Control limits (trial)"]
    assert limits.line.shape == "hvh"
    jan, aug, sep, last = "2023-01", "2023-08", "2023-09", "2024-08"  # months, as plotly reads them
    # the upper limit of each part, then the lower: a steady limit needs only its two ends
    assert pieces(limits) == [[(jan, 9.0), (aug, 9.0)], [(sep, 7.5), (last, 7.5)],
                              [(jan, 5.0), (aug, 5.0)], [(sep, 3.5), (last, 3.5)]]  # fmt: skip
    centre = next(t for t in fig.data if t.name == "Average")
    assert pieces(centre) == [[(jan, 7.0), (aug, 7.0)], [(sep, 5.5), (last, 5.5)]]
    assert next(t for t in fig.data if t.name == "Target").line.dash == "dashdot"
    part_lines = [s for s in fig.layout.shapes if s.type == "line" and s.line.dash is None]
    assert len(part_lines) == 1  # one new part


def test_a_limit_that_moves_keeps_every_step():
    pts = series([5.0, 5.5, 4.5, 5.2], cl=[5.0, 5.0, 5.0, 5.0]).with_columns(
        ucl=pl.Series([8.0, 8.5, 8.5, 8.0]))  # fmt: skip
    (limits,) = [t for t in draw(pts).data if t.name == "Control limits"]
    assert [y for _, y in pieces(limits)[0]] == [8.0, 8.5, 8.5, 8.0]


def test_the_hover_of_a_signal_point_names_the_month_the_counts_and_the_rule(falls):
    fig = draw(falls)
    hover = values(fig).customdata[8].split("<br>")
    assert hover[0] == ("September 2023: 1 falls per 1,000 occupied bed days (10 of 1,650)")
    assert hover[1] == (
        "Improvement (special cause): below the lower limit; part of a run of 12 points in a "
        "row below the average, longer than the 7 that chance allows; the line crosses the "
        "average too rarely: 0 times, fewer than 3"
    )
    assert hover[2] == "Average 5.5 · limits 3.5 to 7.5 (trial limits) · target 5"
    assert hover[3] == "Change idea in progress: Falls huddles"
    assert values(fig).hovertemplate == "%{customdata}<extra></extra>"


def test_an_incomplete_point_is_hollow_with_the_reason_and_a_warned_one_is_ringed(falls):
    fig = draw(falls)
    points = values(fig)
    assert points.marker.symbol[14] == "diamond-open"
    assert points.marker.color[14] == PALETTE[IMPROVEMENT]
    assert "Incomplete data: the care-home extract is missing" in points.customdata[14]
    assert trace(fig, "Incomplete data (hollow)").marker.symbol == "circle-open"
    ring = trace(fig, "Data-quality warning (ring)")
    assert ring.marker.symbol == "circle-open"
    assert ring.x == ("2023-12",)
    assert ring.marker.size > points.marker.size[11]
    assert ring.hoverinfo == "skip"  # the point's own hover names the warning
    assert "Data-quality warning: two homes' bed days estimated" in points.customdata[11]


def test_a_month_without_a_value_is_marked_as_missing_not_drawn_as_a_value():
    pts = series([5.0, None, 5.5], data_complete=[True, False, True],
                 dq_reason=[None, "no extract", None])  # fmt: skip
    fig = draw(pts)
    gone = trace(fig, "No value: incomplete data")
    assert gone.marker.symbol == "x-thin-open"
    assert gone.y[0] < 5.0 - 3  # at the foot of the axis, below every line
    assert gone.customdata[0].startswith("February 2023: no value<br>")
    assert "Incomplete data: no extract" in gone.customdata[0]
    points = values(fig)
    assert points.y[1] is None
    assert points.connectgaps is False


def test_a_change_idea_is_a_dashed_line_with_a_short_label_and_its_details_on_hover(falls):
    idea = ChangeIdea("Falls huddles after every fall, led by the nurse in charge",
                      dt.date(2023, 9, 1), cycle="PDSA 2", owner="Ana Silva")  # fmt: skip
    fig = draw(falls, ideas=[idea])
    dashed = [s for s in fig.layout.shapes if s.type == "line" and s.line.dash == "dash"]
    assert len(dashed) == 1
    assert dashed[0].x0 == dt.date(2023, 9, 1)
    (note,) = [a for a in fig.layout.annotations if "Falls huddles after" in a.text]
    assert note.text == "Falls huddles after every fall…"
    assert note.hovertext == (
        "<b>Falls huddles after every fall, led by the nurse in charge</b><br>"
        "Started September 2023<br>Cycle: PDSA 2<br>Owner: Ana Silva"
    )
    assert trace(fig, "Change idea started (dashed line)").showlegend


def test_phases_are_shaded_and_labelled_and_parts_say_where_new_limits_begin(falls):
    fig = draw(falls)
    bands = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(bands) == 1
    assert bands[0].name == "Change idea in progress (shaded)"
    texts = [a.text for a in fig.layout.annotations]
    assert "Falls huddles" in texts
    assert "New limits from Sep 2023" in texts


def test_labels_that_would_overlap_go_on_rows_of_their_own(falls):
    ideas = [ChangeIdea(f"Idea number {i}", dt.date(2023, 9 + i, 1)) for i in range(3)]
    fig = draw(falls, ideas=ideas)
    tops = sorted({a.y for a in fig.layout.annotations if a.yref == "y domain"}, reverse=True)
    assert len(tops) >= 3
    data_top = max(v for t in fig.data if t.y is not None for v in t.y if v is not None)
    y0, y1 = fig.layout.yaxis.range
    assert (data_top - y0) / (y1 - y0) < min(tops) - 0.05  # labels sit above the data


def test_the_title_subtitle_rules_dates_fonts_and_legend_read_at_a_distance(falls):
    fig = draw(falls)
    assert fig.layout.title.text == "Falls at Oak Lodge"
    assert fig.layout.title.subtitle.text == (
        f"The last 12 months are all below the old average: a real improvement.<br>Rules: {RULES}"
    )
    assert fig.layout.xaxis.tickformat == "%b %Y"
    assert fig.layout.font.size >= 16
    assert fig.layout.legend.y < 0  # under the plot, never over the data
    assert fig.layout.yaxis.title.text == "falls per 1,000 occupied bed days (lower is better)"
    ends = {a.text for a in fig.layout.annotations if a.xref == "x domain"}
    assert ends == {"Upper limit 7.5", "Average 5.5", "Lower limit 3.5", "Target 5"}


def test_two_sigma_lines_on_request_and_none_on_a_run_chart(falls):
    fig = draw(falls, two_sigma=True)
    (lines,) = [t for t in fig.data if t.name == "2-sigma lines"]
    upper = pieces(lines)[0]
    y0, y1 = fig.layout.yaxis.range
    pixel = (y1 - y0) / 440  # the plot is about 440 px high at 720
    assert upper[0][1] == pytest.approx(7.0 + 2 * 2 / 3, abs=pixel / 2)  # rounded, not moved
    run = series([5.0, 4, 6], chart="run", lcl=[None] * 3, ucl=[None] * 3)
    names = {t.name for t in draw(run, two_sigma=True).data}
    assert "2-sigma lines" not in names
    assert "Median" in names


def test_a_t_chart_draws_its_2_sigma_lines_on_its_own_scale():
    pts = series([20.0, 30, 25], chart="t", cl=27.0).with_columns(
        lcl=pl.lit(((27 ** (1 / 3.6)) - 3 * 0.2) ** 3.6),
        ucl=pl.lit(((27 ** (1 / 3.6)) + 3 * 0.2) ** 3.6),
    )  # fmt: skip
    fig = draw(pts, two_sigma=True)
    (lines,) = [t for t in fig.data if t.name == "2-sigma lines"]
    y0, y1 = fig.layout.yaxis.range
    expected = ((27 ** (1 / 3.6)) + 2 * 0.2) ** 3.6
    assert lines.y[0] == pytest.approx(expected, abs=(y1 - y0) / 1000)


def test_text_from_the_data_cannot_inject_html(falls):
    pts = falls.with_columns(phase=pl.lit("<script>alert(1)</script>"))
    fig = measure_figure(pts, title="<b>x</b>", unit="falls", subtitle="s", rules_label="r")
    assert "<script>" not in json.dumps(fig.to_plotly_json(), default=str)


# -- alt text and numbers ---------------------------------------------------------------------


def test_alt_text_says_what_is_charted_the_latest_value_limits_and_signals(falls):
    text = alt_text(falls, title="Falls at Oak Lodge", unit="falls per 1,000 occupied bed days",
                    subtitle="Falls fell after the huddles began.")  # fmt: skip
    assert text.startswith("Falls at Oak Lodge. Falls fell after the huddles began. A control "
                           "chart (U chart) of falls per 1,000 occupied bed days, January 2023 "
                           "to August 2024 (20 points).")  # fmt: skip
    assert "The latest value, for August 2024, is 4.2 falls per 1,000 occupied bed days." in text
    assert "The average is 5.5, and the control limits run from 3.5 to 7.5 (trial limits)" in text
    assert "12 points show an improvement (below the lower limit; part of a run of 12" in text


def test_alt_text_of_a_calm_series():
    text = alt_text(series([5.0, 5.5, 4.5]), title="Falls", unit="falls", subtitle="")
    assert text.endswith("No signals: the ups and downs are the normal variation of the process.")


def test_2_sigma_lines_never_cross_a_limit_clipped_at_100_percent():
    pts = series([90.0, 95, 88], chart="p", cl=90.0, lcl=[75.0] * 3, ucl=[100.0] * 3)
    fig = draw(pts, two_sigma=True)
    (lines,) = [t for t in fig.data if t.name == "2-sigma lines"]
    upper, lower = pieces(lines)
    assert max(y for _, y in upper) == 100.0
    assert lower[0][1] == pytest.approx(80.0)


def test_a_long_subtitle_is_wrapped_to_the_width_of_the_chart(falls):
    sentence = " ".join(["Falls at Oak Lodge fell after the huddles began."] * 6)
    fig = draw(falls)
    wrapped = measure_figure(falls, title="Falls", unit="falls", subtitle=sentence,
                             rules_label=RULES)  # fmt: skip
    lines = wrapped.layout.title.subtitle.text.split("<br>")
    assert len(lines) == 4
    assert lines[-1] == f"Rules: {RULES}"
    assert all(len(line) <= 140 for line in lines)
    assert " ".join(lines[:-1]) == sentence
    assert wrapped.layout.margin.t > fig.layout.margin.t  # room for the extra lines


def test_every_figure_is_valid_plotly(falls):
    # the figures are built without plotly's validation (it costs more than the drawing):
    # rebuilt with it, any property plotly does not know would raise here
    ideas = [ChangeIdea("Falls huddles", dt.date(2023, 9, 1), cycle="PDSA 1", owner="Ana")]
    gone = falls.with_columns(value=pl.when(pl.col("data_complete")).then(pl.col("value")))
    for fig in (
        draw(falls, ideas=ideas, two_sigma=True),
        draw(gone),
        draw(series([5.0, 4, 6], chart="run", lcl=[None] * 3, ucl=[None] * 3)),
    ):
        assert valid(fig).to_dict()["data"] == fig.to_dict()["data"]


def test_y_ticks_stay_below_the_labels_at_the_top(falls):
    ideas = [ChangeIdea(f"Idea number {i}", dt.date(2023, 9 + i, 1)) for i in range(3)]
    fig = draw(falls, ideas=ideas)
    ticks = fig.layout.yaxis.tickvals
    assert max(ticks) <= 9.0 + 1e-9  # the highest line is the upper limit, 9
    assert min(ticks) >= fig.layout.yaxis.range[0]


def test_the_chart_carries_its_variation_and_assurance_icons_top_right(falls):
    (image,) = draw(falls).layout.images
    # twelve months below the average where lower is better; the target (5) sits within
    # the latest limits (3.5 to 7.5): met in some months, missed in others
    assert image.name == "special_cause_improvement inconsistent"
    svg = base64.b64decode(image.source.split(",", 1)[1]).decode()
    assert svg.count("<svg ") == 3  # the two icons inside one picture
    assert "<title>Special cause variation: improvement</title>" in svg
    assert "Target: met in some months" in svg
    assert (image.xref, image.x, image.xanchor, image.yanchor) == ("paper", 1, "right", "top")
    assert image.y > 1  # above the plot, beside the title
    assert draw(falls, icons=False).layout.images == ()
