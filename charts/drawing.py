"""How a series is drawn, as plain dicts: the look, the hover text, the traces of one panel.

:func:`charts.figures.measure_figure` and :func:`charts.small_multiples.small_multiples`
both draw a series with :func:`series_traces`: its limits and centre line as steps per
part (one trace each, a gap between parts), its values as one line with a marker per
point (shape and colour by point type, hollow where the data are incomplete), and a
ring around each point with a data-quality warning. The legend is a key of the types
and lines present, given once per figure (:class:`Legend`).

Figures are built from dicts in one go (:func:`figure`): plotly's validation of every
property costs more than drawing them, so it is left to the tests, which rebuild each
figure with validation on.

Examples
--------
>>> import datetime as dt
>>> pts = pl.DataFrame({"period": [dt.date(2024, m, 1) for m in (1, 2, 3)],
...     "value": [2.0, 3.0, 9.0], "cl": [3.0] * 3, "lcl": [1.0] * 3, "ucl": [5.0] * 3,
...     "part": [1] * 3, "sigma_signal": [False, False, True], "runs_signal": [False] * 3,
...     "chart": ["i"] * 3, "improvement": ["decrease"] * 3})
>>> frame = prepare(pts, "falls")
>>> legend = Legend()
>>> traces = series_traces(frame, legend, y_range=(0.0, 10.0))
>>> [t["name"] for t in traces + legend.entries()]
['Control limits', 'Average', 'Values', 'Common cause (normal variation)', 'Concern']
>>> traces[2]["marker"]["symbol"]
['circle', 'circle', 'triangle-up']
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
import polars as pl

from charts.points import COMMON, CONCERN, IMPROVEMENT, NEUTRAL, TYPES, _esc, _num, _typed
from charts.rules import T_EXPONENT

# Okabe & Ito (2008) blue and orange, MDC's purple and grey: blue and orange stay apart
# under deuteranopia and protanopia (tests/charts/test_figures.py simulates both).
PALETTE = {IMPROVEMENT: "#0072B2", CONCERN: "#E69F00", NEUTRAL: "#5B2C8F", COMMON: "#7B7D7D"}
EDGE = {IMPROVEMENT: "#004a75", CONCERN: "#8a5a00", NEUTRAL: "#361475", COMMON: "#4d4f4f"}
SYMBOLS = {IMPROVEMENT: "diamond", CONCERN: "triangle-up", NEUTRAL: "square", COMMON: "circle"}
TYPE_NAMES = {
    IMPROVEMENT: "Improvement",
    CONCERN: "Concern",
    NEUTRAL: "Unusual (neither better nor worse)",
    COMMON: "Common cause (normal variation)",
}
TYPE_WORDS = {
    IMPROVEMENT: "Improvement (special cause)",
    CONCERN: "Concern (special cause)",
    NEUTRAL: "Special cause, neither better nor worse",
    COMMON: "Common cause: normal variation",
}
SHORT_WORDS = {IMPROVEMENT: "Improvement", CONCERN: "Concern", NEUTRAL: "Unusual"}
FONT = 16  # px: readable on a laptop and from the back of a meeting room
MARKER = 11  # px
VALUES, CENTRE, LIMIT, TARGET, IDEA = "#8c8c8c", "#3e4c59", "#5d6d7e", "#1b7a35", "#52606d"
RING = "#1f2933"  # a data-quality warning: a dark ring, apart from every point colour
BAND = "rgba(0, 114, 178, 0.08)"  # a change idea in progress: a faint blue band
_GRID = {"gridcolor": "#EBF0F8", "linecolor": "#EBF0F8", "zerolinecolor": "#EBF0F8"}
# plotly_white's look without its weight: copying the full template costs 12 ms a figure
TEMPLATE = {"layout": {"plot_bgcolor": "white", "paper_bgcolor": "white", "xaxis": _GRID,
                       "yaxis": _GRID}}  # fmt: skip
X_AXIS = {"type": "date", "tickformat": "%b %Y", "hoverformat": "%B %Y", "showgrid": False,
          "ticks": "outside"}  # fmt: skip
_LEGEND_ORDER = [*TYPE_NAMES.values(), "Incomplete data (hollow)", "No value: incomplete data",
                 "Data-quality warning (ring)", "Average", "Median", "Control limits",
                 "Control limits (trial)", "2-sigma lines", "Target"]  # fmt: skip
# per point type, in TYPES order, for numpy to pick from by each point's type
_SYMBOL = np.array([SYMBOLS[k] for k in TYPES], dtype=object)
_OPEN = np.array([SYMBOLS[k] + "-open" for k in TYPES], dtype=object)
_COLOUR = np.array([PALETTE[k] for k in TYPES], dtype=object)
_EDGE = np.array([EDGE[k] for k in TYPES], dtype=object)


def figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A figure from plain dicts, built once and not validated (the tests validate it)."""
    return go.Figure({"data": data, "layout": layout}, _validate=False)


_NUMBERS = ("value", "numerator", "denominator", "cl", "lcl", "ucl", "target")


def _n(column: str) -> pl.Expr:
    """A number of the hover as text, rounded for people (see :func:`_numbers`)."""
    return pl.col(f"__n_{column}")


def _numbers(frame: pl.DataFrame) -> list[pl.Series]:
    """Every number the hover shows, as text, formatted in one pass of :func:`_num`.

    One ``_num`` over all the numbers stacked costs what one over a column does (polars
    spends its time per expression, not per row): a column ``__n_<name>`` per number of
    ``_NUMBERS``, the denominator as a whole number.
    """
    n = frame.height
    columns = [frame.get_column(c).cast(pl.Float64) for c in _NUMBERS]
    columns[_NUMBERS.index("denominator")] = columns[_NUMBERS.index("denominator")].round(0)
    stacked = pl.DataFrame({"v": pl.concat(columns)})
    text = stacked.select(_num(pl.col("v"))).to_series()
    return [text.slice(i * n, n).alias(f"__n_{c}") for i, c in enumerate(_NUMBERS)]


def _when(column: str, words: dict[str, str]) -> pl.Expr:
    """``words[value]`` for each value of ``column`` (null where there is none).

    A when chain: ``replace_strict`` costs several times more on a short series.
    """
    out = pl.when(pl.col(column) == next(iter(words))).then(pl.lit(next(iter(words.values()))))
    for key, word in list(words.items())[1:]:
        out = out.when(pl.col(column) == key).then(pl.lit(word))
    return out.otherwise(pl.lit(None, pl.String))


def _value_text(unit: str) -> pl.Expr:
    """The value, its unit and its counts ("7.2 falls per 1,000 bed days (12 of 1,650)").

    Null where there is no value.
    """
    sep = "" if unit.startswith("%") else " "
    counts = pl.concat_str(pl.lit(" ("), _n("numerator"), pl.lit(" of "), _n("denominator"),
                           pl.lit(")")).fill_null("")  # fmt: skip
    return pl.concat_str(_n("value"), pl.lit(sep + html.escape(unit)), counts)


def _data_notes(short: bool = False) -> pl.Expr:
    """The data-quality line of a hover: incomplete data or a warning, and why (or "").

    ``short``, as a small panel's hover has it: a warning without its reasons (the ring
    says it, the site's chart and the data-quality page say why: most points of a home
    can carry one, and the reasons on each would be most of the page), incomplete data
    with each reason up to its first colon or bracket.
    """
    reason = pl.col("dq_reason")
    if short:
        reason = (
            reason.str.split("; ")
            .list.eval(pl.element().str.replace(r"\s*[(:].*$", ""))
            .list.unique(maintain_order=True)
            .list.join("; ")
        )
    reason = (
        pl.when(reason.str.len_chars() > 0)
        .then(_esc(reason))
        .otherwise(pl.lit("no reason recorded"))
    )
    warned = pl.col("dq_warning").fill_null(False)
    return (
        pl.when(~pl.col("data_complete").fill_null(True))
        .then(pl.concat_str(pl.lit("<br>Incomplete data: "), reason))
        .when(warned)
        .then(
            pl.lit("<br>Data-quality warning")
            if short
            else pl.concat_str(pl.lit("<br>Data-quality warning: "), reason)
        )
        .otherwise(pl.lit(""))
    )


@functools.cache
def _hover(unit: str) -> pl.Expr:
    """The hover sentence of each point: month, value and counts, type and rule, limits."""
    daily = (pl.col("period").dt.day() != 1).any()  # events (T and G charts) have days
    month = (
        pl.when(daily)
        .then(pl.col("period").dt.strftime("%-d %B %Y"))
        .otherwise(pl.col("period").dt.strftime("%B %Y"))
    )
    rule = pl.concat_str(pl.lit(": "), pl.col("rule").replace("", None)).fill_null("")
    words = _when("point_type", TYPE_WORDS)
    kind = pl.concat_str(words, rule, pl.lit("<br>"))
    centre = pl.when(pl.col("chart").is_in(["run", "g"])).then(pl.lit("Median ")).otherwise(
        pl.lit("Average "))  # fmt: skip
    limits = pl.when(pl.col("lcl").is_not_null() | pl.col("ucl").is_not_null()).then(
        pl.format(" · limits {} to {}", _n("lcl").fill_null("–"), _n("ucl").fill_null("–"))
    )  # fmt: skip
    trial = pl.when(pl.col("trial_limits").fill_null(False)).then(pl.lit(" (trial limits)"))
    target = pl.concat_str(pl.lit(" · target "), _n("target")).fill_null("")
    phase = pl.concat_str(pl.lit("<br>Change idea in progress: "), _esc(pl.col("phase")))
    empty = pl.lit("")
    lines = pl.concat_str(centre, _n("cl"), limits.otherwise(empty), trial.otherwise(empty),
                          target)  # fmt: skip
    return pl.concat_str(
        month, pl.lit(": "), _value_text(unit).fill_null("no value"), pl.lit("<br>"),
        pl.when(pl.col("value").is_not_null()).then(kind).otherwise(empty),
        pl.when(pl.col("cl").is_not_null()).then(lines).otherwise(empty),
        phase.fill_null(""), _data_notes(),
    )  # fmt: skip


@functools.cache
def _short_hover(unit: str) -> pl.Expr:
    """A small panel's hover: value and counts, the type and rule in a few words, data notes.

    The month comes from the x axis (the trace's hovertemplate), the home from its name; a
    data-quality warning is named without its reasons (:func:`_data_notes`).
    """
    where = pl.when(pl.col("__side") > 0).then(pl.lit("above")).otherwise(pl.lit("below"))
    centre = pl.when(pl.col("chart").is_in(["run", "g"])).then(pl.lit("median"))
    centre = centre.otherwise(pl.lit("average"))
    sigma = pl.when(pl.col("__sigma")).then(
        pl.when(pl.col("value") > pl.col("ucl"))
        .then(pl.lit("above the upper limit"))
        .otherwise(pl.lit("below the lower limit"))
    )
    long = pl.when(pl.col("__long")).then(pl.format("a long run {} the {}", where, centre))
    few = pl.when(pl.col("__few")).then(pl.format("too few crossings of the {}", centre))
    rule = pl.concat_list(sigma, long, few).list.drop_nulls().list.join("; ")
    words = _when("point_type", SHORT_WORDS)
    kind = pl.concat_str(pl.lit("<br>"), words, pl.lit(": "), rule)
    return pl.concat_str(
        _value_text(unit).fill_null("no value"),
        pl.when(pl.col("value").is_not_null()).then(kind.fill_null("")).otherwise(pl.lit("")),
        _data_notes(short=True),
    )


def _two_sigma() -> tuple[pl.Expr, pl.Expr]:
    """The 2-sigma lines: 2/3 of the way to each 3-sigma limit (on the T chart's own scale)."""
    cl, lcl, ucl = pl.col("cl"), pl.col("lcl"), pl.col("ucl")
    sigma = pl.max_horizontal(ucl - cl, cl - lcl) / 3  # a side not clipped at 0 or 1 is 3 sigma
    t_cl, t_ucl = cl ** (1 / T_EXPONENT), ucl ** (1 / T_EXPONENT)  # Nelson 1994
    t_sigma = (t_ucl - t_cl) / 3
    is_t = pl.col("chart") == "t"
    upper = pl.when(is_t).then((t_cl + 2 * t_sigma) ** T_EXPONENT).otherwise(cl + 2 * sigma)
    lower = (
        pl.when(is_t)
        .then((t_cl - 2 * t_sigma).clip(lower_bound=0) ** T_EXPONENT)
        .otherwise(cl - 2 * sigma)
    )
    none = pl.col("chart").is_in(["run", "g", "mr"])  # g: the centre line is a median
    return (  # never beyond a limit that was clipped (a proportion's 0 and 1, a count's 0)
        pl.when(~none).then(pl.max_horizontal(lower, lcl)).alias("__lower2"),
        pl.when(~none).then(pl.min_horizontal(upper, ucl)).alias("__upper2"),
    )


def prepare(points: pl.DataFrame, unit: str, keys: Sequence[str] = (), *, short: bool = False,
            two_sigma: bool = False) -> pl.DataFrame:  # fmt: skip
    """The points typed, sorted by ``keys`` and period, with their hover text (``__hover``).

    ``short``: the few words of a small panel's hover instead of the full sentence.
    """
    frame = _typed(points, keys, rules=not short, keep_order=False)
    numbers = _numbers(frame)
    frame = frame.with_columns(numbers)
    hover = _short_hover(unit) if short else _hover(unit)
    extra = _two_sigma() if two_sigma else ()
    kind = pl.when(pl.col("point_type") == TYPES[0]).then(0)
    for i, name in enumerate(TYPES[1:], start=1):
        kind = kind.when(pl.col("point_type") == name).then(i)
    complete = pl.col("data_complete").fill_null(True)
    return frame.with_columns(
        *extra,
        __hover=hover,
        __x=pl.when((pl.col("period").dt.day() != 1).any())  # "2024-03" is March to plotly
        .then(pl.col("period").cast(pl.String))
        .otherwise(pl.col("period").dt.strftime("%Y-%m")),
        # what series_traces reads per panel, as plain columns (a Series method is a query)
        __kind=kind.otherwise(0),
        __complete=complete,
        __warned=pl.col("dq_warning").fill_null(False) & complete & pl.col("value").is_not_null(),
        __part=pl.col("part").fill_null(-1),
        __trial=pl.col("trial_limits").fill_null(False),
        __run_chart=pl.col("chart").is_in(["run", "g"]),
    ).drop([n.name for n in numbers])


_Y = ["value", "lcl", "ucl", "target", "cl"]


def y_range(frame: pl.DataFrame, two_sigma: bool, rows: int = 1) -> tuple[float, float]:
    """The y axis range: the data, room below for "no value" marks, above for ``rows`` labels."""
    cols = _Y + (["__lower2", "__upper2"] if two_sigma else [])
    both = frame.select(
        lo=pl.min_horizontal(pl.col(cols).min()), hi=pl.max_horizontal(pl.col(cols).max())
    ).row(0)
    lo, hi = (both[0], both[1]) if both[0] is not None else (0.0, 1.0)
    span = (hi - lo) or abs(hi) or 1.0
    bottom = lo - 0.1 * span
    free = max(0.45, 0.94 - 0.065 * rows)  # the share of the plot's height below the labels
    return bottom, bottom + (hi - bottom) / free


def rounded(frame: pl.DataFrame, y: tuple[float, float]) -> pl.DataFrame:
    """The lines' values rounded to a thousandth of the axis (well under a pixel): less JSON."""
    decimals = max(0, 3 - math.floor(math.log10(max(y[1] - y[0], 1e-12))))
    cols = [c for c in (*_Y, "__lower2", "__upper2") if c in frame.columns]
    return frame.with_columns(pl.col(cols).round(decimals))


def half_period(frame: pl.DataFrame) -> dt.timedelta:
    """Half the usual gap between periods (half a month for monthly points)."""
    gaps = np.diff(np.unique(frame.get_column("period").drop_nulls().to_numpy()))
    days = float(np.median(gaps.astype("timedelta64[D]").astype(float))) if len(gaps) else 30
    return dt.timedelta(days=(days or 30) / 2)


class Legend:
    """A figure's one legend: each name once, in a fixed order, whatever panel draws it."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.keys: dict[str, dict[str, Any]] = {}  # legend-only entries: name -> marker

    def line(self, name: str) -> dict[str, Any]:
        """The legend settings of a line trace: in the legend the first time only."""
        first = name not in self.seen
        self.seen.add(name)
        # a group of its own per entry: plotly.js then lets a horizontal legend flow
        shown = {"legendgroup": name, "legendrank": _rank(name)} if first else {}
        return {"name": name, "showlegend": first, **shown}

    def key(self, name: str, marker: dict[str, Any]) -> None:
        """An entry for a kind of point drawn within a trace of many kinds."""
        self.keys.setdefault(name, marker)

    def entries(self) -> list[dict[str, Any]]:
        """The legend-only traces of the kinds of point seen (drawn nowhere)."""
        return [{"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": name,
                 "marker": marker, "showlegend": True, "legendgroup": name,
                 "legendrank": _rank(name),
                 "hoverinfo": "skip"} for name, marker in self.keys.items()]  # fmt: skip


def _rank(name: str) -> int:
    """Legend order: the points first, then the lines, then the change ideas."""
    return 100 + _LEGEND_ORDER.index(name) if name in _LEGEND_ORDER else 200


def _steps(x: np.ndarray, cuts: np.ndarray, ys: Sequence[pl.Series]) -> tuple[list, list]:
    """X and y of step lines, one per series in ``ys``, a gap (None) between parts and lines.

    A point between two of the same height is left out: a step line (hvh) through the
    other two draws the same (a limit that does not move is two points a part, not 18).
    """
    n = len(x)
    ends = np.zeros(n + 1, dtype=bool)  # ends[i]: a part starts at i (and one ends at i - 1)
    ends[[0, *cuts, n]] = True
    out_x: list[Any] = []
    out_y: list[Any] = []
    for y in ys:
        v = y.to_numpy()
        same = np.r_[False, v[1:] == v[:-1]]  # the same as the point before (NaN never is)
        keep = ~(same & ~ends[:-1] & np.r_[same[1:], False] & ~ends[1:])
        at = np.searchsorted(np.flatnonzero(keep), cuts)  # where each part starts, kept
        out_x += ([None] if out_x else []) + np.insert(x[keep], at, None).tolist()
        kept = np.array(y.to_list(), dtype=object)[keep]
        out_y += ([None] if out_y else []) + np.insert(kept, at, None).tolist()
    return out_x, out_y


def _one(values: np.ndarray) -> Any:
    """One value for every point where they are all the same, else the list (less JSON)."""
    if len(values) and (values == values[0]).all():
        return values[:1].tolist()[0]  # a Python value, not a numpy scalar
    return values.tolist()


_HOVER = "%{customdata}<extra></extra>"


def series_traces(frame: pl.DataFrame, legend: Legend, *, y_range: tuple[float, float],
                  two_sigma: bool = False, size: int = MARKER, axes: dict[str, str] | None = None,
                  hovertemplate: str = _HOVER) -> list[dict[str, Any]]:  # fmt: skip
    """Every trace of one series (a frame from :func:`prepare`, rounded) on ``axes``.

    Reads the frame's columns as series and numpy arrays only: a frame-level polars
    operation costs a tenth of a millisecond, and a page has 400 panels.
    """
    axes = axes or {"xaxis": "x", "yaxis": "y"}
    col = frame.get_column
    x = np.array(col("__x").to_list(), dtype=object)
    cuts = np.flatnonzero(np.diff(col("__part").to_numpy())) + 1
    out = []

    def line(columns: Sequence[str], name: str, style: dict[str, Any]) -> None:
        drawn = [col(c) for c in columns if col(c).null_count() < frame.height]
        if drawn:
            xs, ys = _steps(x, cuts, drawn)
            out.append({"type": "scatter", **axes, "x": xs, "y": ys, "mode": "lines",
                        "hoverinfo": "skip", "line": {"shape": "hvh", **style},
                        **legend.line(name)})  # fmt: skip

    trial = bool(col("__trial").to_numpy().any())
    dashed = {"color": LIMIT, "width": 1.5, "dash": "dash"}
    line(["ucl", "lcl"], "Control limits (trial)" if trial else "Control limits", dashed)
    if two_sigma:
        line(["__upper2", "__lower2"], "2-sigma lines", {"color": LIMIT, "width": 1, "dash": "dot"})
    run = bool(col("__run_chart").to_numpy().any())
    line(["cl"], "Median" if run else "Average", {"color": CENTRE, "width": 2})
    line(["target"], "Target", {"color": TARGET, "width": 2.5, "dash": "dashdot"})
    kinds = col("__kind").to_numpy()
    complete = col("__complete").to_numpy()
    values = col("value").to_list()
    shown = ~np.isnan(col("value").to_numpy())  # null (and NaN): no point
    colour = _COLOUR[kinds]
    marker = {
        "symbol": _one(np.where(complete, _SYMBOL[kinds], _OPEN[kinds])),
        "color": _one(colour),
        "size": _one(np.where(kinds == 0, size, size + 2)),  # TYPES[0]: common cause
        "opacity": 1,  # sizes per point make plotly.js call it a bubble chart, 0.7 opaque
        "line": {"width": _one(np.where(complete, 1, 2.5)),
                 "color": _one(np.where(complete, _EDGE[kinds], colour))},
    }  # fmt: skip
    hover = np.array(col("__hover").to_list(), dtype=object)
    out.append({"type": "scatter", **axes, "x": x.tolist(), "y": values, "mode": "lines+markers",
                "name": "Values", "showlegend": False, "line": {"color": VALUES, "width": 1.5},
                "connectgaps": False, "marker": marker,
                "customdata": np.where(shown, hover, "").tolist(),  # no value: no hover
                "hovertemplate": hovertemplate})  # fmt: skip
    for k in np.unique(kinds[shown & complete]):
        legend.key(TYPE_NAMES[TYPES[k]], {"symbol": _SYMBOL[k], "color": _COLOUR[k], "size": size,
                                          "line": {"width": 1, "color": _EDGE[k]}})  # fmt: skip
    if (shown & ~complete).any():
        legend.key("Incomplete data (hollow)", {"symbol": "circle-open", "color": PALETTE[COMMON],
                                                "size": size, "line": {"width": 2.5}})  # fmt: skip
    gone = ~shown & ~complete
    if gone.any():
        floor = y_range[0] + 0.04 * (y_range[1] - y_range[0])
        out.append({"type": "scatter", **axes, "x": x[gone].tolist(),
                    "y": [floor] * int(gone.sum()), "mode": "markers",
                    "marker": {"symbol": "x-thin-open", "color": LIMIT, "size": size,
                               "line": {"width": 2.5, "color": LIMIT}},
                    "customdata": hover[gone].tolist(), "hovertemplate": hovertemplate,
                    **legend.line("No value: incomplete data")})  # fmt: skip
    warned = col("__warned").to_numpy()
    if warned.any():  # no hover of its own: the point's hover names the warning
        out.append({"type": "scatter", **axes, "x": x[warned].tolist(),
                    "y": np.array(values, dtype=object)[warned].tolist(), "mode": "markers",
                    "marker": {"symbol": "circle-open", "color": RING, "size": round(size * 1.8),
                               "line": {"width": 1.5 if size >= MARKER else 1, "color": RING}},
                    "hoverinfo": "skip", **legend.line("Data-quality warning (ring)")})  # fmt: skip
    return out


def phase_bands(frame: pl.DataFrame, half: dt.timedelta, axes: dict[str, str],
                legend: Legend) -> list[tuple[dict[str, Any], str, dt.date]]:  # fmt: skip
    """A faint band over each change idea's months, with the idea's name and first month."""
    if frame.get_column("phase").null_count() == frame.height:
        return []
    spans = (
        frame.with_columns(__phase=pl.col("phase").fill_null("").rle_id())
        .filter(pl.col("phase").is_not_null())
        .group_by("__phase", maintain_order=True)
        .agg(pl.col("phase").first(), start=pl.col("period").min(), end=pl.col("period").max())
    )
    bands = []
    for phase, start, end in spans.select("phase", "start", "end").iter_rows():
        shape = {"type": "rect", "x0": start - half, "x1": end + half, "xref": axes["xaxis"],
                 "y0": 0, "y1": 1, "yref": f"{axes['yaxis']} domain", "fillcolor": BAND,
                 "line": {"width": 0}, "layer": "below",
                 **legend.line("Change idea in progress (shaded)")}  # fmt: skip
        bands.append((shape, phase, start))
    return bands


def base_layout(title: str, subtitle: str, height: int) -> dict[str, Any]:
    """What every figure's layout shares: fonts, title and subtitle, the legend underneath."""
    return {
        "template": TEMPLATE,
        "font": {"size": FONT, "family": "Segoe UI, Arial, sans-serif", "color": "#1f2933"},
        "title": {"text": html.escape(title), "font": {"size": 24}, "x": 0.01, "xanchor": "left",
                  "y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 14},
                  "subtitle": {"text": subtitle, "font": {"size": FONT, "color": "#3e4c59"}}},
        "height": height, "hovermode": "closest", "hoverlabel": {"font": {"size": FONT}},
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.12, "yanchor": "top",
                   "font": {"size": 15}, "itemclick": False, "itemdoubleclick": False},
        "margin": {"t": 130, "l": 80, "r": 150, "b": 120},
    }  # fmt: skip


def direction_note(frame: pl.DataFrame) -> str:
    """Which way is better, for an axis title: " (lower is better)" ("" for a neutral one)."""
    better = frame.get_column("improvement").drop_nulls()
    word = better[0] if better.len() else "neutral"
    return {"increase": " (higher is better)", "decrease": " (lower is better)"}.get(word, "")
