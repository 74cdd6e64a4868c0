"""Small multiples: one small chart per home, side by side, on one scale, with one legend.

The grid is laid out by hand (an x and y axis per panel, each with its domain), not
with ``make_subplots``, and each panel is a handful of traces
(:func:`charts.drawing.series_traces`): plotly's subplot machinery and its per-trace
validation cost more than everything else on a page of 44 measures. A panel's hover is
short (the home, the month, the value, the rule in a few words); the full sentence is on
the site's own chart.

Examples
--------
>>> import datetime as dt
>>> pts = pl.DataFrame({"home": ["Oak", "Elm"] * 3,
...     "period": [dt.date(2024, m, 1) for m in (1, 1, 2, 2, 3, 3)],
...     "value": [1.0, 2, 3, 2, 1, 2], "cl": [2.0] * 6, "lcl": [0.0] * 6, "ucl": [4.0] * 6,
...     "part": [1] * 6, "sigma_signal": [False] * 6, "runs_signal": [False] * 6,
...     "chart": ["i"] * 6, "improvement": ["decrease"] * 6})
>>> fig = small_multiples(pts, facet="home", title="Falls", unit="falls", rules_label="Anhøj")
>>> [a.text for a in fig.layout.annotations]
['Elm', 'Oak']
>>> fig.layout.xaxis2.domain, fig.layout.yaxis2.matches
((0.525, 1.0), 'y')
"""

from __future__ import annotations

import html
import math
from typing import Any

import plotly.graph_objects as go
import polars as pl

from charts.drawing import (
    FONT,
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

H_SPACE = 0.05  # between columns, as a share of the plot's width
MARKER_SMALL = 9  # px


def _domains(n: int, spacing: float) -> list[tuple[float, float]]:
    """``n`` equal stretches of [0, 1] with ``spacing`` between them."""
    size = (1 - spacing * (n - 1)) / n
    return [(round(i * (size + spacing), 6), round(i * (size + spacing) + size, 6))
            for i in range(n)]  # fmt: skip


def small_multiples(
    points: pl.DataFrame,
    *,
    facet: str,
    title: str,
    unit: str,
    rules_label: str,
    shared_y: bool = True,
    columns: int = 3,
) -> go.Figure:
    """One panel per ``facet`` value (a home's name), sorted by name, with one legend.

    Each panel draws its series as :func:`charts.figures.measure_figure` does (without
    the labels of phases and limits, which a small panel has no room for), with a short
    hover: the home, the month, the value and counts, and the rule in a few words.

    Parameters
    ----------
    points : polars.DataFrame
        The points of every series, as :func:`charts.figures.measure_figure` takes them,
        with a ``facet`` column naming the series.
    facet : str
        The column naming each panel's series (e.g. ``home_name``).
    title, unit, rules_label : str
        The figure's title; the unit of a value; the rule set in words.
    shared_y : bool
        One y scale for every panel (the default), or each panel its own.
    columns : int
        Panels per row.

    Returns
    -------
    plotly.graph_objects.Figure
        Panel ``i`` (1, 2, ... row by row) on axes ``x{i}`` / ``y{i}`` (``x`` / ``y``
        for the first), its title an annotation.
    """
    frame = prepare(points, unit, [facet], short=True)
    names = sorted(frame.get_column(facet).unique().drop_nulls().to_list(), key=str)
    cols = max(1, min(columns, len(names)))
    rows = max(1, math.ceil(len(names) / cols))
    xs, ys = _domains(cols, H_SPACE), _domains(rows, min(0.1, 0.5 / rows))[::-1]
    shared = y_range(frame, False)
    frame = rounded(frame, shared) if shared_y else frame
    periods = frame.get_column("period")
    half = half_period(frame)
    span = [periods.min() - half, periods.max() + half]
    month = "%{x|%-d %B %Y}" if (periods.dt.day() != 1).any() else "%{x|%B %Y}"
    panels = frame.partition_by(facet, as_dict=True, maintain_order=True)
    legend, traces, shapes, titles = Legend(), [], [], []
    layout: dict[str, Any] = {}
    for i, name in enumerate(names):
        panel = panels[(name,)]
        suffix = str(i + 1) if i else ""
        axes = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}
        y = shared if shared_y else y_range(panel, False)
        template = f"<b>{html.escape(str(name))}</b><br>{month}: %{{customdata}}<extra></extra>"
        traces += series_traces(panel if shared_y else rounded(panel, y), legend, y_range=y,
                                size=MARKER_SMALL,
                                axes=axes, hovertemplate=template)  # fmt: skip
        shapes += [shape for shape, _, _ in phase_bands(panel, half, axes, legend)]
        col, row = i % cols, i // cols
        low = i + cols >= len(names)  # the lowest panel of its column: dates under it
        layout[f"xaxis{suffix}"] = {
            **X_AXIS, "nticks": 5, "range": span, "domain": list(xs[col]),
            "anchor": axes["yaxis"], "showticklabels": low, **({"matches": "x"} if i else {}),
        }  # fmt: skip
        layout[f"yaxis{suffix}"] = {
            "range": list(y), "domain": list(ys[row]), "anchor": axes["xaxis"],
            **({"matches": "y", "showticklabels": col == 0} if shared_y and i else {}),
        }  # fmt: skip
        titles.append({"text": html.escape(str(name)), "x": sum(xs[col]) / 2, "y": ys[row][1],
                       "xref": "paper", "yref": "paper", "xanchor": "center",
                       "yanchor": "bottom", "showarrow": False,
                       "font": {"size": FONT}})  # fmt: skip
    what = html.escape(unit[:1].upper() + unit[1:]) + direction_note(frame)
    what += ", same scale in every panel" if shared_y else ", each panel on its own scale"
    base = base_layout(title, f"{what}<br>Rules: {html.escape(rules_label)}", 160 + 260 * rows)
    base["height"] = max(720, base["height"])
    base["margin"] |= {"t": 160, "r": 40, "b": 90}
    base["legend"] |= {"y": -0.06 if rows > 1 else -0.15}
    return figure(traces + legend.entries(),
                  base | layout | {"shapes": shapes, "annotations": titles})  # fmt: skip
