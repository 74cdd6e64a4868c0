"""The figures people see: a measure's run or control chart, small multiples, and alt text.

Every figure takes the points of a series as ``spc_results`` holds them (see
:func:`measure_figure`), draws each point by its Making Data Count type (improvement,
concern, neutral or common cause) in a colour-blind-safe colour *and* a shape of its
own, and names its rule set in the subtitle. Numbers are rounded for people, dates read
"March 2024", denominators are whole numbers. The types and the rules' words come from
:mod:`charts.points`, the drawing of a series from :mod:`charts.drawing`, the homes'
panels from :mod:`charts.small_multiples`; this module names them all for the pages.

Examples
--------
>>> import datetime as dt
>>> pts = pl.DataFrame({
...     "period": [dt.date(2024, m, 1) for m in range(1, 7)],
...     "value": [8.0, 9.0, 7.0, 8.0, 3.0, 8.0], "cl": [7.0] * 6,
...     "lcl": [4.0] * 6, "ucl": [10.0] * 6, "part": [1] * 6,
...     "sigma_signal": [False] * 4 + [True, False], "runs_signal": [False] * 6,
...     "chart": ["i"] * 6, "improvement": ["decrease"] * 6})
>>> point_types(pts).to_list()
['common_cause', 'common_cause', 'common_cause', 'common_cause', 'improvement', 'common_cause']
>>> rule_text(pts)[4]
'below the lower limit'
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import polars as pl

from charts.drawing import (
    CENTRE,
    EDGE,
    FONT,
    IDEA,
    LIMIT,
    MARKER,
    PALETTE,
    SYMBOLS,
    TEMPLATE,
    TYPE_NAMES,
    TYPE_WORDS,
    X_AXIS,
    Legend,
    base_layout,
    direction_note,
    figure,
    half_period,
    phase_bands,
    prepare,
    rounded,
    series_traces,
    y_range,
)
from charts.icons import assurance_icon, icon_svg, variation_icon
from charts.plot import CHART_NAMES
from charts.points import (
    COMMON,
    CONCERN,
    IMPROVEMENT,
    NEUTRAL,
    TYPES,
    _typed,
    fmt_number,
    point_types,
    rule_text,
    types_by_series,
)
from charts.small_multiples import small_multiples

__all__ = [
    "COMMON", "CONCERN", "EDGE", "FONT", "IMPROVEMENT", "MARKER", "NEUTRAL", "PALETTE",
    "SYMBOLS", "TEMPLATE", "TYPES", "TYPE_NAMES", "TYPE_WORDS", "ChangeIdea", "alt_text",
    "fmt_number", "measure_figure", "point_types", "rule_text", "small_multiples",
    "types_by_series",
]  # fmt: skip
SUBTITLE_CHARS = 120  # about 820 px at 16 px: short of the icons at the top right


@dataclass(frozen=True)
class ChangeIdea:
    """A change idea (a PDSA cycle) from the change log, drawn as a dashed line where it began.

    Examples
    --------
    >>> ChangeIdea("Falls huddles", dt.date(2023, 8, 1), cycle="PDSA 2", owner="Ana").cycle
    'PDSA 2'
    """

    title: str
    start: dt.date
    cycle: str | None = None
    owner: str | None = None


_Label = tuple[dt.date, str, str]  # where, the label, its hover text


def _vline(x: Any, line: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
            "line": line, **extra}  # fmt: skip


def _short(text: str, limit: int = 34) -> str:
    """A label short enough for the top of a chart, cut at a word where it can be."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


def _label_rows(labels: list[_Label], span: tuple[dt.date, dt.date], width_px: float) -> list[int]:
    """The row of each label (sorted by date) such that no two labels in a row overlap."""
    days = max((span[1] - span[0]).days, 1)
    ends: list[float] = []  # per row, where its last label ends (in px)
    rows = []
    for x, text, _ in labels:
        start = (x - span[0]).days / days * width_px
        row = next((i for i, end in enumerate(ends) if end < start), len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = start + 8.5 * len(text) + 16  # about 8.5 px a character at 14 px
        rows.append(row)
    return rows


def _top_labels(labels: list[_Label], rows: list[int]) -> list[dict[str, Any]]:
    """Labels along the top of the plot, each with its hover text."""
    return [{"x": x, "y": 1 - 0.065 * row, "xref": "x", "yref": "y domain", "text": text,
             "hovertext": hover, "showarrow": False, "xanchor": "left", "yanchor": "top",
             "xshift": 3, "font": {"size": 14, "color": "#1f2933"},
             "bgcolor": "rgba(255,255,255,0.85)"}
            for (x, text, hover), row in zip(labels, rows, strict=True)]  # fmt: skip


def _parts(shapes: list[dict[str, Any]], frame: pl.DataFrame, half: dt.timedelta) -> list[_Label]:
    """A line where each part (new limits) starts, and at the end of a frozen baseline."""
    baseline = frame.get_column("baseline")
    one_part = not np.diff(frame.get_column("__part").to_numpy()).any()
    if one_part and not baseline.null_count() and baseline.to_numpy().all():
        return []  # the usual case, without a query
    new = frame.filter(pl.col("part").ne_missing(pl.col("part").shift(1)))
    labels = []
    for start in new.get_column("period").to_list()[1:]:
        shapes.append(_vline(start - half, {"color": CENTRE, "width": 1.5}))
        labels.append((start - half, f"New limits from {start:%b %Y}",
                       "The limits were recalculated"))  # fmt: skip
    last = (
        frame.group_by("part")
        .agg(
            end=pl.col("period").filter(pl.col("baseline")).max(),
            frozen=(~pl.col("baseline")).any(),
        )
        .filter(pl.col("frozen") & pl.col("end").is_not_null())
    )
    for end in last.get_column("end").to_list():
        shapes.append(_vline(end + half, {"color": LIMIT, "width": 1, "dash": "dot"}))
        labels.append((end + half, "End of baseline",
                       "The limits come from the months up to here (the baseline)"))  # fmt: skip
    return labels


def _ideas(shapes: list[dict[str, Any]], ideas: Sequence[ChangeIdea]) -> list[_Label]:
    labels = []
    for idea in ideas:
        shapes.append(_vline(idea.start, {"color": IDEA, "width": 2, "dash": "dash"}))
        hover = [f"<b>{html.escape(idea.title)}</b>", f"Started {idea.start:%B %Y}"]
        hover += [f"Cycle: {html.escape(idea.cycle)}"] if idea.cycle else []
        hover += [f"Owner: {html.escape(idea.owner)}"] if idea.owner else []
        labels.append((idea.start, html.escape(_short(idea.title)), "<br>".join(hover)))
    return labels


def _end_labels(frame: pl.DataFrame, y: tuple[float, float]) -> list[dict[str, Any]]:
    """Name the lines at the right-hand end, pushed apart so that no two labels overlap."""
    drawn = ~np.isnan(frame.get_column("cl").to_numpy()) | ~np.isnan(
        frame.get_column("target").to_numpy()
    )
    if not drawn.any():
        return []
    row = frame.row(int(np.flatnonzero(drawn)[-1]), named=True)
    centre = "Median" if row["chart"] in ("run", "g") else "Average"
    wanted = [("ucl", "Upper limit"), ("cl", centre), ("lcl", "Lower limit"), ("target", "Target")]
    items = sorted(((row[c], f"{t} {fmt_number(row[c])}") for c, t in wanted if row[c] is not None),
                   key=lambda item: item[0])  # fmt: skip
    per_px = (y[1] - y[0]) / 440  # about 440 px of plot at 720 px high
    placed: list[float] = []
    out = []
    for wanted_at, text in items:
        at = max(wanted_at, placed[-1] + 20 * per_px) if placed else wanted_at
        placed.append(at)
        out.append({"x": 1, "xref": "x domain", "y": at, "yref": "y", "text": text,
                    "showarrow": False, "xanchor": "left", "xshift": 6,
                    "font": {"size": 14, "color": CENTRE}})  # fmt: skip
    return out


def _ticks(y: tuple[float, float], rows: int) -> list[float]:
    """Round tick values over the data only, none in the band kept for labels above it."""
    bottom, top = y
    free = max(0.45, 0.94 - 0.065 * rows)
    hi = bottom + free * (top - bottom)
    raw = (hi - bottom) / 6
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(bottom / step) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step + 1e-9) + 1)]


def measure_figure(
    points: pl.DataFrame,
    *,
    title: str,
    unit: str,
    subtitle: str,
    rules_label: str,
    ideas: Sequence[ChangeIdea] = (),
    two_sigma: bool = False,
    y_title: str | None = None,
    icons: bool = True,
) -> go.Figure:
    r"""A measure's run or control chart, as a site team reads it.

    Parameters
    ----------
    points : polars.DataFrame
        One series as ``spc_results`` holds it: ``period``, ``value``, ``cl``, ``lcl``,
        ``ucl``, ``part``, ``sigma_signal``, ``runs_signal``, ``chart`` and
        ``improvement``; optional ``numerator``, ``denominator``, ``baseline``,
        ``longest_run``, ``longest_run_max``, ``n_crossings``, ``n_crossings_min``,
        ``data_complete``, ``dq_warning``, ``dq_reason``, ``target``, ``phase``,
        ``trial_limits``, ``sparse``. Other columns are ignored.
    title, unit : str
        The chart's title; the unit each value is in ("falls per 1,000 occupied bed days").
    subtitle : str
        What the chart shows, in a plain sentence (wrapped to fit); a last line names the
        rules.
    rules_label : str
        The rule set in words, e.g. "Anhøj run rules with 3-sigma limits (qicharts2 0.8.1)".
    ideas : sequence of ChangeIdea
        Change ideas from the change log: a dashed line each, its title, cycle and owner
        on hover.
    two_sigma : bool
        Draw the 2-sigma lines too.
    y_title : str, optional
        The y axis title (default: ``unit``), followed by which way is better.
    icons : bool
        Draw the series' Making Data Count variation and assurance icons at the top
        right (:mod:`charts.icons`), so that a PNG or a slide carries them too.

    Returns
    -------
    plotly.graph_objects.Figure
        One trace of values with a marker per point (``marker.symbol`` and
        ``marker.color`` per point, the hover sentence of each in ``customdata``), one
        per line (limits, centre, target: steps per part with a gap between parts), and
        a legend-only entry per point type shown.

    Examples
    --------
    >>> pts = pl.DataFrame({"period": [dt.date(2024, m, 1) for m in range(1, 5)],
    ...     "value": [7.2, 6.1, 8.0, 2.0], "numerator": [12.0, 10, 13, 3],
    ...     "denominator": [1650.0, 1640, 1625, 1500], "cl": [6.0] * 4, "lcl": [3.0] * 4,
    ...     "ucl": [9.0] * 4, "part": [1] * 4, "sigma_signal": [False, False, False, True],
    ...     "runs_signal": [False] * 4, "chart": ["u"] * 4, "improvement": ["decrease"] * 4})
    >>> fig = measure_figure(pts, title="Falls", unit="falls per 1,000 occupied bed days",
    ...     subtitle="Falls are down.", rules_label="Anhøj rules")
    >>> [t.name for t in fig.data if t.mode == "markers"]
    ['Common cause (normal variation)', 'Improvement']
    >>> values = next(t for t in fig.data if t.name == "Values")
    >>> values.marker.symbol
    ('circle', 'circle', 'circle', 'diamond')
    >>> print(*values.customdata[3].split("<br>"), sep="\n")
    April 2024: 2 falls per 1,000 occupied bed days (3 of 1,500)
    Improvement (special cause): below the lower limit
    Average 6 · limits 3 to 9
    """
    frame = prepare(points, unit, two_sigma=two_sigma)
    legend, shapes = Legend(), []
    skip = {(i.title, i.start) for i in ideas}
    half = half_period(frame)
    bands = phase_bands(frame, half, {"xaxis": "x", "yaxis": "y"}, legend)
    shapes += [shape for shape, _, _ in bands]
    labels = [(start - half, html.escape(_short(phase)), html.escape(phase))
              for _, phase, start in bands if (phase, start) not in skip]  # fmt: skip
    labels += _parts(shapes, frame, half) + _ideas(shapes, ideas)
    labels.sort(key=lambda item: item[0])
    periods = frame.get_column("period")
    span = (periods.min() - half, periods.max() + half)
    rows = _label_rows(labels, span, width_px=1050)
    label_rows = max(rows, default=-1) + 1
    y = y_range(frame, two_sigma, rows=label_rows)
    traces = series_traces(rounded(frame, y), legend, y_range=y, two_sigma=two_sigma)
    if ideas:
        traces.append({"type": "scatter", "x": [None], "y": [None], "mode": "lines",
                       "line": {"color": IDEA, "width": 2, "dash": "dash"}, "hoverinfo": "skip",
                       **legend.line("Change idea started (dashed line)")})  # fmt: skip
    lines = textwrap.wrap(subtitle, SUBTITLE_CHARS) or [""]
    said = "<br>".join(html.escape(line) for line in lines)
    layout = base_layout(title, f"{said}<br>Rules: {html.escape(rules_label)}", 720)
    layout["margin"]["t"] += 22 * (len(lines) - 1)
    layout |= {
        "xaxis": {**X_AXIS, "range": list(span)},
        "yaxis": {
            "range": list(y),
            "title": {"text": html.escape(y_title or unit) + direction_note(frame)},
            "zeroline": False,
            "tickmode": "array",
            "tickvals": _ticks(y, label_rows),
        },
        "shapes": shapes,
        "annotations": _top_labels(labels, rows) + _end_labels(frame, y),
    }
    if icons:
        layout["images"] = icon_images(points, layout)
    return figure(traces + legend.entries(), layout)


ICON_PX, ICON_GAP = 64, 8  # an icon's side on a chart, and the gap between two, in pixels
ICON_BOX = 0.07  # the plot's width an icon is given: 68 pixels of a 970-pixel plot


def icon_images(points: pl.DataFrame, layout: dict[str, Any]) -> list[dict[str, Any]]:
    """The series' variation and assurance icons as one plotly layout image, top right.

    The icons (:mod:`charts.icons`; no assurance icon without a target, limits or a
    better direction) side by side as one SVG data URI, ``ICON_PX`` high, above the
    plot's right edge beside the title (the subtitle is wrapped short of them).
    ``layout`` gives the figure's height and margins.

    Examples
    --------
    >>> pts = pl.DataFrame({"period": [dt.date(2024, m, 1) for m in range(1, 9)],
    ...     "value": [8.0, 7, 8, 7, 3, 2, 3, 2], "cl": [5.0] * 8, "lcl": [None] * 8,
    ...     "ucl": [None] * 8, "part": [1] * 8, "sigma_signal": [False] * 8,
    ...     "runs_signal": [True] * 8, "longest_run_max": [3] * 8, "chart": ["run"] * 8,
    ...     "improvement": ["decrease"] * 8})
    >>> (image,) = icon_images(pts, {"height": 720, "margin": {"t": 130, "b": 120}})
    >>> image["name"], image["xanchor"], round(image["sizey"] * 470)
    ('special_cause_improvement', 'right', 64)
    """
    kinds = [k for k in (variation_icon(points), assurance_icon(points)) if k != "none"]
    if not kinds:
        return []
    step = ICON_PX + ICON_GAP
    inner = "".join(
        icon_svg(kind, size=ICON_PX).replace("<svg ", f'<svg x="{i * step}" ', 1)
        for i, kind in enumerate(kinds)
    )
    width = step * len(kinds) - ICON_GAP
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{ICON_PX}" '
           f'viewBox="0 0 {width} {ICON_PX}">{inner}</svg>')  # fmt: skip
    margin = layout["margin"]
    plot = layout["height"] - margin["t"] - margin["b"]  # the plot area's height, pixels
    return [
        {
            "name": " ".join(kinds),
            "source": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
            "xref": "paper", "yref": "paper", "x": 1.0, "xanchor": "right",
            "y": 1 + (margin["t"] - 10) / plot, "yanchor": "top",
            "sizex": ICON_BOX * len(kinds), "sizey": ICON_PX / plot, "sizing": "contain",
            "layer": "above",
        }
    ]  # fmt: skip


def alt_text(points: pl.DataFrame, *, title: str, unit: str, subtitle: str) -> str:
    """One paragraph for screen readers: what is charted, when, the latest value, the signal.

    Examples
    --------
    >>> pts = pl.DataFrame({"period": [dt.date(2024, m, 1) for m in range(1, 5)],
    ...     "value": [7.2, 6.1, 8.0, 2.0], "cl": [6.0] * 4, "lcl": [3.0] * 4,
    ...     "ucl": [9.0] * 4, "part": [1] * 4, "sigma_signal": [False, False, False, True],
    ...     "runs_signal": [False] * 4, "chart": ["u"] * 4, "improvement": ["decrease"] * 4})
    >>> text = alt_text(pts, title="Falls", unit="falls per 1,000 bed days", subtitle="Down.")
    >>> print(textwrap.fill(text, 88))
    Falls. Down. A control chart (U chart) of falls per 1,000 bed days, January 2024 to
    April 2024 (4 points). The latest value, for April 2024, is 2 falls per 1,000 bed days.
    The average is 6, and the control limits run from 3 to 9. 1 point shows an improvement
    (below the lower limit).
    """
    frame = _typed(points, keep_order=False)
    shown = frame.filter(pl.col("value").is_not_null())
    chart = frame.get_column("chart").drop_nulls()
    kind = chart[0] if chart.len() else "run"
    what = "A run chart" if kind == "run" else f"A control chart ({CHART_NAMES.get(kind, kind)})"
    periods = frame.get_column("period")
    gaps = frame.height - shown.height
    missing = f", {gaps} without a value" if gaps else ""
    out = [f"{title.rstrip('.')}.", subtitle.strip(),
           f"{what} of {unit}, {periods.min():%B %Y} to {periods.max():%B %Y} "
           f"({shown.height} point{'s' if shown.height != 1 else ''}{missing})."]  # fmt: skip
    if shown.height:
        last = shown.row(-1, named=True)
        sep = "" if unit.startswith("%") else " "
        day = f"{last['period'].day} " if (periods.dt.day() != 1).any() else ""
        out.append(f"The latest value, for {day}{last['period']:%B %Y}, is "
                   f"{fmt_number(last['value'])}{sep}{unit}.")  # fmt: skip
        if last["cl"] is not None:
            centre = "median" if kind in ("run", "g") else "average"
            limits = ""
            if last["lcl"] is not None and last["ucl"] is not None:
                trial = " (trial limits)" if last["trial_limits"] else ""
                limits = (f", and the control limits run from {fmt_number(last['lcl'])} to "
                          f"{fmt_number(last['ucl'])}{trial}")  # fmt: skip
            target = (
                f"; the target is {fmt_number(last['target'])}"
                if last["target"] is not None
                else ""
            )
            out.append(f"The {centre} is {fmt_number(last['cl'])}{limits}{target}.")
    found = (
        shown.filter(pl.col("point_type") != COMMON)
        .group_by("point_type")
        .agg(
            pl.len(),
            pl.col("rule")
            .str.split("; ")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique(maintain_order=True),
        )
        .sort(pl.col("point_type").replace_strict({k: i for i, k in enumerate(TYPES)}))
    )
    said = {IMPROVEMENT: "an improvement", CONCERN: "a concern", NEUTRAL: "a special cause"}
    for kind_, n, rules in found.iter_rows():
        verb = "point shows" if n == 1 else "points show"
        out.append(f"{n} {verb} {said[kind_]} ({'; '.join(rules[:3])}).")
    if shown.height and not found.height:
        out.append("No signals: the ups and downs are the normal variation of the process.")
    return " ".join(s for s in out if s)
