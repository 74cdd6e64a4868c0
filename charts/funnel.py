"""Funnel plots: every home's rate or proportion against limits that narrow as its size grows.

A funnel plot answers the commissioner's question "is any home different from the
rest?" without a league table: a home outside the 99.8% limits is unusual for its
size, one inside them is not, however it ranks. The limits follow Spiegelhalter
(2005, Stat Med 24:1185-1202), with his additive random-effects adjustment for
over-dispersion (Spiegelhalter 2005, Qual Saf Health Care 14:347-351) as the NHS and
PHE funnel-plot tools use it; Laney's P' and U' charts (Laney 2002, Qual Eng
14:531-537) are the same idea for control charts.

Examples
--------
>>> homes = pl.DataFrame({"home": ["Oak", "Elm", "Ash"], "falls": [12, 30, 9],
...                       "bed_days": [1650, 2100, 1200]})
>>> f = funnel(homes, unit="home", numerator="falls", denominator="bed_days", chart="u",
...            multiplier=1000)
>>> round(f.centre, 2), f.adjusted, f.units.get_column("outside").to_list()
(10.3, False, ['', '', ''])
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import plotly.graph_objects as go
import polars as pl

from charts.drawing import EDGE, FONT, PALETTE, TEMPLATE, figure
from charts.errors import SpcInputError
from charts.points import CONCERN, IMPROVEMENT, NEUTRAL, _num, fmt_number

Z95 = NormalDist().inv_cdf(0.975)  # 1.960: two-sided 95% limits
Z998 = NormalDist().inv_cdf(0.999)  # 3.090: two-sided 99.8% limits (Spiegelhalter 2005)
MIN_UNITS = 10  # fewer units give too rough an estimate of phi to adjust by it
WINSOR = 0.10  # Spiegelhalter (2005, QSHC): z-scores Winsorised at 10% in each tail
GRID = 60  # points on each limit curve (drawn as a spline: smooth at any size)


@dataclass(frozen=True)
class Funnel:
    """A funnel plot's numbers: each unit against its limits, and the curves to draw.

    Attributes
    ----------
    units : polars.DataFrame
        One row per unit: the unit column, ``numerator``, ``denominator``, ``value``
        (times the multiplier), ``lower95``, ``upper95``, ``lower998``, ``upper998`` at the
        unit's own denominator, ``outside`` ("above", "below" or "" against the 99.8%
        limits) and ``outside95`` (the same against the 95% limits).
    curve : polars.DataFrame
        ``denominator`` on a grid over the units' range, with the four limits.
    centre : float
        The pooled rate or proportion, times the multiplier.
    phi : float
        The over-dispersion factor applied (1 when not adjusted).
    tau2 : float
        The additive between-unit variance applied, on the scale of the rate or
        proportion before the multiplier (0 when not adjusted).
    adjusted : bool
        Whether the limits were widened for over-dispersion.
    phi_estimate : float
        phi as estimated from the data, adjusted or not.
    note : str
        Why the limits were or were not adjusted, in words.
    """

    units: pl.DataFrame
    curve: pl.DataFrame
    centre: float
    phi: float
    tau2: float
    adjusted: bool
    phi_estimate: float = 1.0
    note: str = ""


def _limits(den: pl.Expr, centre: float, per_unit: float, tau2: float, chart: str) -> list[pl.Expr]:
    """The four limits at denominator ``den``: centre +/- z sqrt(s^2 + tau^2)."""
    spread = (per_unit / den + tau2).sqrt()  # Spiegelhalter 2005 (QSHC), additive model
    out = []
    for name, z in (("lower95", -Z95), ("upper95", Z95), ("lower998", -Z998), ("upper998", Z998)):
        limit = centre + z * spread
        out.append(limit.clip(0, 1 if chart == "p" else None).alias(name))
    return out


def funnel(
    frame: pl.DataFrame,
    *,
    unit: str,
    numerator: str,
    denominator: str,
    chart: str,
    multiplier: float = 1.0,
    overdispersion: bool = True,
) -> Funnel:
    """Limits for each unit at its own size, about the pooled centre.

    Parameters
    ----------
    frame : polars.DataFrame
        One row per unit, or several (they are summed): ``unit``, ``numerator``,
        ``denominator``. Units with no denominator are left out.
    unit, numerator, denominator : str
        Column names.
    chart : {"p", "u"}
        ``"p"``: proportions (binomial, numerator out of denominator); ``"u"``: rates
        (Poisson counts per unit of exposure, e.g. falls per occupied bed day).
    multiplier : float
        Scale for values and limits (100 for a percentage, 1000 for a rate per 1,000).
    overdispersion : bool
        Widen the limits when the units vary more than chance allows (see Notes).

    Returns
    -------
    Funnel

    Notes
    -----
    z_i = (y_i - c) / s_i with s_i^2 = c(1 - c) / n_i (p) or c / n_i (u), c the pooled
    centre; phi = mean of the z_i^2 after Winsorising 10% in each tail. With at least
    ``MIN_UNITS`` units and phi > 1 + 2 sqrt(2 / I), the limits become
    c +/- z sqrt(s^2 + tau^2), tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w),
    w_i = 1 / s_i^2 (DerSimonian & Laird's moment estimator, as Spiegelhalter 2005 uses).
    Limits are on the untransformed scale, clipped to [0, 1] for proportions and at 0.

    Examples
    --------
    >>> d = pl.DataFrame({"home": ["A", "B"], "screened": [20, 45], "residents": [100, 150]})
    >>> f = funnel(d, unit="home", numerator="screened", denominator="residents", chart="p")
    >>> f.units.select("home", "value", "outside").rows()
    [('A', 0.2, ''), ('B', 0.3, '')]
    """
    if chart not in ("p", "u"):
        raise SpcInputError(
            f"funnel: chart = {chart!r}; use 'p' for proportions or 'u' for rates per exposure."
        )
    missing = [c for c in (unit, numerator, denominator) if c not in frame.columns]
    if missing:
        raise SpcInputError(f"funnel: column {missing[0]!r} is missing from the data.")
    units = (
        frame.group_by(unit)
        .agg(
            numerator=pl.col(numerator).cast(pl.Float64).sum(),
            denominator=pl.col(denominator).cast(pl.Float64).sum(),
        )
        .filter(pl.col("denominator") > 0)
        .sort(unit)
    )
    if units.is_empty():
        raise SpcInputError("funnel: no unit has a denominator above zero.")
    centre = units.get_column("numerator").sum() / units.get_column("denominator").sum()
    per_unit = centre * (1 - centre) if chart == "p" else centre  # binomial / Poisson variance
    count = units.height
    phi, tau2, adjusted = 1.0, 0.0, False
    estimate, note = 1.0, "not adjusted for over-dispersion"
    if per_unit > 0:
        z = (pl.col("numerator") / pl.col("denominator") - centre) / (
            per_unit / pl.col("denominator")
        ).sqrt()
        lo, hi = pl.col("z").quantile(WINSOR, "linear"), pl.col("z").quantile(1 - WINSOR, "linear")
        w = pl.col("denominator") / per_unit  # w_i = 1 / s_i^2
        stats = units.with_columns(z=z).select(
            phi=pl.col("z").clip(lo, hi).pow(2).mean(),  # Spiegelhalter 2005 (QSHC), Winsorised
            sw=w.sum(),
            sw2=w.pow(2).sum(),
        )
        estimate, sw, sw2 = stats.row(0)
        threshold = 1 + 2 * np.sqrt(2 / count)  # Spiegelhalter 2005: phi beyond chance
        if overdispersion and count < MIN_UNITS:
            note = f"not adjusted for over-dispersion: fewer than {MIN_UNITS} units"
        elif overdispersion and estimate <= threshold:
            note = f"not adjusted: no over-dispersion found (phi = {estimate:.2f})"
        elif overdispersion:
            phi, adjusted = estimate, True
            tau2 = max(0.0, (count * phi - (count - 1)) / (sw - sw2 / sw))  # DerSimonian-Laird
            note = f"adjusted for over-dispersion (phi = {phi:.2f})"
    limits = _limits(pl.col("denominator"), centre, per_unit, tau2, chart)
    scaled = [pl.col(c) * multiplier for c in ("lower95", "upper95", "lower998", "upper998")]
    value = pl.col("numerator") / pl.col("denominator") * multiplier
    out = units.with_columns(limits).with_columns(*scaled, value=value)
    out = out.with_columns(
        outside=_side(pl.col("value"), "lower998", "upper998"),
        outside95=_side(pl.col("value"), "lower95", "upper95"),
    ).select(unit, "numerator", "denominator", "value", "lower95", "upper95", "lower998",
             "upper998", "outside", "outside95")  # fmt: skip
    dens = units.get_column("denominator")
    grid = np.geomspace(max(dens.min() * 0.5, 1e-9), dens.max() * 1.1, GRID)
    curve = pl.DataFrame({"denominator": grid}).with_columns(
        [lim * multiplier for lim in _limits(pl.col("denominator"), centre, per_unit, tau2, chart)]
    )
    return Funnel(out, curve, centre * multiplier, phi, tau2, adjusted, estimate, note)


def _side(value: pl.Expr, lower: str, upper: str) -> pl.Expr:
    return (
        pl.when(value > pl.col(upper))
        .then(pl.lit("above"))
        .when(value < pl.col(lower))
        .then(pl.lit("below"))
        .otherwise(pl.lit(""))
    )


_WORDS = {IMPROVEMENT: "better than expected", CONCERN: "a concern", NEUTRAL: "unusual"}


def funnel_figure(
    f: Funnel, *, title: str, unit_label: str, improvement: str, labels: str
) -> go.Figure:
    """Draw a :class:`Funnel`: the units as points, the 95% and 99.8% limits, the centre.

    Parameters
    ----------
    f : Funnel
    title : str
    unit_label : str
        What a value is, e.g. "falls per 1,000 occupied bed days".
    improvement : {"increase", "decrease", "neutral"}
        Which way is better: a home above the upper limit is a concern when lower is better.
    labels : str
        What the denominator counts (the x axis), e.g. "Occupied bed days".

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> d = pl.DataFrame({"home": list("ABCDEFGHIJKL"), "falls": [5] * 11 + [40],
    ...                   "bed_days": [1000] * 12})
    >>> f = funnel(d, unit="home", numerator="falls", denominator="bed_days", chart="u",
    ...            multiplier=1000)
    >>> fig = funnel_figure(f, title="Falls", unit_label="falls per 1,000 bed days",
    ...                     improvement="decrease", labels="Occupied bed days")
    >>> [t.name for t in fig.data if t.mode and "markers" in t.mode]
    ['Within the limits', 'Concern: beyond the 99.8% limit']
    """
    name = f.units.columns[0]
    better = {"increase": "above", "decrease": "below"}.get(improvement)
    side = pl.when(pl.col("outside") != "").then("outside").otherwise("outside95")
    units = f.units.with_columns(
        __text=pl.format(
            "<b>{}</b><br>{} {} ({} of {})",
            pl.col(name).cast(pl.String).str.replace_all("<", "&lt;", literal=True),
            _num(pl.col("value")),
            pl.lit(html.escape(unit_label)),
            _num(pl.col("numerator")),
            _num(pl.col("denominator").round(0)),
        ),
        __level=pl.when(pl.col("outside") != "")
        .then(pl.lit("99.8"))
        .when(pl.col("outside95") != "")
        .then(pl.lit("95"))
        .otherwise(pl.lit("")),
        __side=side,
    ).with_columns(
        __kind=pl.when(pl.col("__side") == "")
        .then(pl.lit(""))
        .when(pl.lit(better is None))
        .then(pl.lit(NEUTRAL))
        .when(pl.col("__side") == pl.lit(better or ""))
        .then(pl.lit(IMPROVEMENT))
        .otherwise(pl.lit(CONCERN))
    )
    curve = f.curve
    x_max = float(curve.get_column("denominator").max()) * 1.02
    both = pl.concat([curve.select(lo="lower998", hi="upper998"),
                      units.select(lo="value", hi="value")])  # fmt: skip
    lo, hi = both.get_column("lo").min(), both.get_column("hi").max()
    y_range = (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    units = units.with_columns(__pos=pl.Series(_label_positions(units, x_max, y_range)))
    decimals = max(0, 3 - math.floor(math.log10(max(y_range[1] - y_range[0], 1e-12))))
    grid = curve.get_column("denominator").round_sig_figs(4).to_list()
    data = []
    for upper, lower, label, dash, rank in (
        ("upper998", "lower998", "99.8% limits", "solid", 10),
        ("upper95", "lower95", "95% limits", "dash", 11),
    ):
        ys = [*curve.get_column(upper).round(decimals), None,
              *curve.get_column(lower).round(decimals)]  # fmt: skip
        data.append({"type": "scatter", "x": [*grid, None, *grid], "y": ys, "mode": "lines",
                     "name": label, "showlegend": True, "legendrank": rank, "hoverinfo": "skip",
                     "line": {"color": "#5d6d7e", "width": 2 if dash == "solid" else 1.5,
                              "dash": dash, "shape": "spline"}})  # fmt: skip
    order = {"": 0, "99.8": 1, "95": 2}
    for (level, kind), rows in sorted(
        units.group_by("__level", "__kind"), key=lambda g: (order[g[0][0]], g[0][1])
    ):
        data.append(_points(rows, level, kind))
    direction = {"increase": " (higher is better)", "decrease": " (lower is better)"}
    layout = {
        "template": TEMPLATE, "height": 720, "hovermode": "closest",
        "font": {"size": FONT, "family": "Segoe UI, Arial, sans-serif", "color": "#1f2933"},
        "title": {"text": html.escape(title), "font": {"size": 24}, "x": 0.01, "xanchor": "left",
                  "y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 14},
                  "subtitle": {"text": f"Average {fmt_number(f.centre)} (the line) · 95% and 99.8% "
                               f"limits, {html.escape(f.note)}", "font": {"size": FONT}}},
        "legend": {"orientation": "h", "x": 0, "y": -0.15, "yanchor": "top", "font": {"size": 15},
                   "itemclick": False, "itemdoubleclick": False},
        "margin": {"t": 120, "l": 80, "r": 40, "b": 130}, "hoverlabel": {"font": {"size": FONT}},
        "xaxis": {"title": {"text": html.escape(labels)}, "range": [0, x_max], "tickformat": ",d"},
        "yaxis": {"title": {"text": html.escape(unit_label) + direction.get(improvement, "")},
                  "range": list(y_range)},
        "shapes": [{"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y",
                    "y0": f.centre, "y1": f.centre, "line": {"color": "#3e4c59", "width": 2}}],
    }  # fmt: skip
    return figure(data, layout)


_POSITIONS = {  # textposition: (dx, dy) of the label's centre from its point, in label sizes
    "middle right": (0.5, 0.0),
    "middle left": (-0.5, 0.0),
    "top center": (0.0, 1.0),
    "bottom center": (0.0, -1.0),
}


def _label_positions(units: pl.DataFrame, x_max: float, y_range: tuple[float, float]) -> list[str]:
    """Where to write each named unit's label so that no two labels overlap (nor leave the plot)."""
    px_x, px_y = 1160 / x_max, 470 / (y_range[1] - y_range[0])  # at 1280 x 720
    boxes: list[tuple[float, float, float, float]] = []
    out = []
    names = units.get_column(units.columns[0]).cast(pl.String).to_list()
    rows = zip(names, units.get_column("denominator").to_list(),
               units.get_column("value").to_list(), units.get_column("outside").to_list(),
               strict=True)  # fmt: skip
    for name, x, y, outside in rows:
        size = (8.5 * len(name) + 12, 22.0)
        best = "middle right"
        for pos in _POSITIONS if outside else ():
            box = _box(x * px_x, y * px_y, pos, size)
            if box[0] >= 0 and box[1] <= 1160 and not any(_overlap(box, b) for b in boxes):
                best = pos
                break
        if outside:
            boxes.append(_box(x * px_x, y * px_y, best, size))
        out.append(best)
    return out


def _box(x: float, y: float, pos: str, size: tuple[float, float]) -> tuple[float, ...]:
    """The label's box (left, right, bottom, top) in px, 6 px clear of its point."""
    dx, dy = _POSITIONS[pos]
    cx = x + dx * size[0] + (6 if dx > 0 else -6 if dx < 0 else 0)
    cy = y + dy * size[1]
    return (cx - size[0] / 2, cx + size[0] / 2, cy - size[1] / 2, cy + size[1] / 2)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def _points(rows: pl.DataFrame, level: str, kind: str) -> dict[str, Any]:
    """One trace per kind of unit: within the limits, or beyond the 95% or 99.8% limit."""
    sides = rows.get_column("__side").to_list()
    outside = level == "99.8"
    if not level:
        name, colour, edge, rank = "Within the limits", "#7B7D7D", "#4d4f4f", 1
        words = ["Within the limits: no different from the rest, given its size"] * rows.height
    else:
        label = {IMPROVEMENT: "Better", CONCERN: "Concern", NEUTRAL: "Unusual"}[kind]
        name = f"{label}: beyond the {level}% limit"
        colour = PALETTE[kind] if outside else "white"
        edge = EDGE[kind] if outside else PALETTE[kind]
        rank = 2 if outside else 3
        words = [f"{s[:1].upper()}{s[1:]} the {level}% limit: {_WORDS[kind]}" for s in sides]
    symbol = [{"above": "triangle-up", "below": "triangle-down"}.get(s, "circle") for s in sides]
    trace = {
        "type": "scatter", "x": rows.get_column("denominator").to_list(),
        "y": rows.get_column("value").to_list(), "mode": "markers+text" if outside else "markers",
        "name": name, "showlegend": True, "legendrank": rank,
        "marker": {"symbol": symbol, "size": 15 if level else 11, "color": colour,
                   "line": {"width": 2 if level == "95" else 1, "color": edge}},
        "customdata": [f"{t}<br>{w}" for t, w in
                       zip(rows.get_column("__text").to_list(), words, strict=True)],
        "hovertemplate": "%{customdata}<extra></extra>",
    }  # fmt: skip
    if outside:
        trace |= {
            "text": rows.get_column(rows.columns[0]).cast(pl.String).to_list(),
            "textposition": rows.get_column("__pos").to_list(),
            "textfont": {"size": 15},
        }
    return trace
