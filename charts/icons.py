"""Making Data Count's variation and assurance icons, from a series' points.

The variation icon says what the latest point shows (common cause, or a special cause
of improvement or concern); the assurance icon says whether the process, as it runs
now, will meet its target: always (pass), never without a change (fail), or some
months and not others (inconsistent). Both are read as NHSRplotthedots 0.2.2's
``ptd_get_icons()`` and ``ptd_calculate_assurance_type()`` read them, from the point
types of :func:`charts.figures.point_types`. :func:`icon_svg` draws either as a small
inline SVG that names itself to screen readers.

Examples
--------
>>> import datetime as dt
>>> pts = pl.DataFrame({"period": [dt.date(2024, m, 1) for m in range(1, 9)],
...     "value": [6.0, 5, 7, 6, 5, 6, 7, 2], "cl": [6.0] * 8, "lcl": [3.0] * 8,
...     "ucl": [9.0] * 8, "part": [1] * 8, "sigma_signal": [False] * 7 + [True],
...     "runs_signal": [False] * 8, "chart": ["i"] * 8, "improvement": ["decrease"] * 8,
...     "target": [4.0] * 8})
>>> variation_icon(pts), assurance_icon(pts)
('special_cause_improvement', 'inconsistent')
"""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence

import polars as pl

from charts.plot import MDC_COLOURS
from charts.points import CONCERN, IMPROVEMENT, NEUTRAL, _typed, _with_defaults

MIN_POINTS = 6  # with 5 or fewer useful points Anhøj's runs rules can never fire
ICON_WORDS = {
    "common_cause": "Common cause variation: no sign of change",
    "special_cause_improvement": "Special cause variation: improvement",
    "special_cause_concern": "Special cause variation: concern",
    "special_cause_neutral_high": "Special cause variation: higher than usual",
    "special_cause_neutral_low": "Special cause variation: lower than usual",
    "pass": "Target: met consistently (the limits are all on the right side of it)",
    "fail": "Target: not met without a change (it lies beyond the limits)",
    "inconsistent": "Target: met in some months, missed in others (it lies within the limits)",
    "none": "No icon: too few points, no target or no limits",
}
_DARK = {  # letters a shade darker than the ring, to be read on white
    "#289de0": "#1765a0",
    "#fab428": "#9a6200",
    "#361475": "#361475",
    "#7B7D7D": "#4d4f4f",
}


@functools.cache
def _icon_exprs() -> tuple[pl.Expr, pl.Expr]:
    """The variation and the assurance icon of a series, as aggregations of its points."""
    useful = pl.col("value").is_not_null() & pl.col("cl").is_not_null()
    kind = pl.col("point_type").filter(useful).last()  # the latest point's type
    high = (pl.col("value") > pl.col("cl")).filter(useful).last()
    variation = (
        pl.when(useful.sum() < MIN_POINTS)
        .then(pl.lit("none"))
        .when(kind == NEUTRAL)
        .then(
            pl.when(high)
            .then(pl.lit("special_cause_neutral_high"))
            .otherwise(pl.lit("special_cause_neutral_low"))
        )
        .when(kind == IMPROVEMENT)
        .then(pl.lit("special_cause_improvement"))
        .when(kind == CONCERN)
        .then(pl.lit("special_cause_concern"))
        .otherwise(pl.lit("common_cause"))
    )
    limited = pl.col("lcl").is_not_null() | pl.col("ucl").is_not_null()
    goal = pl.col("target").drop_nulls().last()
    better = pl.col("improvement").drop_nulls().last()
    above = (goal > pl.col("ucl").filter(limited).last()).fill_null(False)  # the latest limits
    below = (goal < pl.col("lcl").filter(limited).last()).fill_null(False)
    up = better == "increase"
    assurance = (  # ptd_calculate_assurance_type()
        pl.when(goal.is_null() | ~limited.any())
        .then(pl.lit("none"))
        .when(~better.is_in(["increase", "decrease"]).fill_null(False))
        .then(pl.lit("none"))
        .when(above)
        .then(pl.when(up).then(pl.lit("fail")).otherwise(pl.lit("pass")))
        .when(below)
        .then(pl.when(up).then(pl.lit("pass")).otherwise(pl.lit("fail")))
        .otherwise(pl.lit("inconsistent"))
    )
    return variation.alias("variation"), assurance.alias("assurance")


def _icons(typed: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """Both icons of every series of ``typed`` (typed and sorted by ``by`` and period)."""
    if by:
        return typed.group_by(by, maintain_order=True).agg(_icon_exprs())
    return typed.select(_icon_exprs())  # one series: the same aggregations over it all


def icons_by_series(points: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """The variation and assurance icons of every series in ``points``, in one pass.

    What :func:`variation_icon` and :func:`assurance_icon` say of each series (a value
    of the ``by`` columns), for a site's every measure and home at once: polars spends
    its time per expression, so one call over 5,000 points costs about what one series
    does.

    Parameters
    ----------
    points : polars.DataFrame
        The points of many series, in any order, with the columns
        :func:`charts.figures.point_types` reads, ``period``, and (optional) ``target``.
    by : sequence of str
        The columns that name a series, e.g. ``["measure_id", "level", "home_id"]``.

    Returns
    -------
    polars.DataFrame
        One row per series (sorted by ``by``): the ``by`` columns, ``variation`` and
        ``assurance`` (keys of ``ICON_WORDS``).

    Examples
    --------
    >>> import datetime as dt
    >>> pts = pl.DataFrame({"home": ["A"] * 8 + ["B"] * 3,
    ...     "period": [dt.date(2024, m, 1) for m in [*range(1, 9), 1, 2, 3]],
    ...     "value": [6.0, 5, 7, 6, 5, 6, 7, 2, 5, 5, 5], "cl": [6.0] * 11, "lcl": [3.0] * 11,
    ...     "ucl": [9.0] * 11, "part": [1] * 11, "sigma_signal": [False] * 7 + [True] + [False] * 3,
    ...     "runs_signal": [False] * 11, "chart": ["i"] * 11, "improvement": ["decrease"] * 11,
    ...     "target": [10.0] * 11})
    >>> icons_by_series(pts, ["home"]).rows()
    [('A', 'special_cause_improvement', 'pass'), ('B', 'none', 'pass')]
    """
    keys = list(by)
    icons = _icons(_typed(points, keys, rules=False, keep_order=False), keys)
    return icons.sort(keys, maintain_order=True) if keys else icons


def variation_icon(points: pl.DataFrame) -> str:
    """The MDC variation icon of a series: the type of its latest point.

    Returns ``"none"`` with fewer than ``MIN_POINTS`` points that have a value and a
    centre line. A neutral measure's special cause is ``special_cause_neutral_high`` or
    ``_low`` by the side of the centre line it falls on. For many series at once, see
    :func:`icons_by_series`.

    Examples
    --------
    >>> pts = pl.DataFrame({"value": [8.0, 7, 8, 7, 3, 2, 3, 2, 3, 2, 3, 2],
    ...     "cl": [5.0] * 12, "lcl": [None] * 12, "ucl": [None] * 12, "part": [1] * 12,
    ...     "sigma_signal": [False] * 12, "runs_signal": [True] * 12,
    ...     "longest_run_max": [7] * 12, "chart": ["run"] * 12,
    ...     "improvement": ["decrease"] * 12})
    >>> variation_icon(pts)
    'special_cause_improvement'

    Eight points in a row below the median of a measure where lower is better.
    """
    icons = icons_by_series(points, [])
    return icons.item(0, "variation") if icons.height else "none"


def assurance_icon(points: pl.DataFrame) -> str:
    """The MDC assurance icon: the latest target against the latest limits.

    Where lower is better a target above the upper limit is met every month (pass),
    one below the lower limit never is (fail); the other way round where higher is
    better; a target between the limits, or on one, is ``inconsistent``. ``"none"``
    without a target, without limits (a run chart), or for a neutral measure.

    Examples
    --------
    >>> pts = pl.DataFrame({"value": [50.0, 52], "cl": [51.0] * 2, "lcl": [45.0] * 2,
    ...     "ucl": [57.0] * 2, "part": [1, 1], "sigma_signal": [False] * 2,
    ...     "runs_signal": [False] * 2, "chart": ["p"] * 2, "improvement": ["increase"] * 2,
    ...     "target": [60.0, 60.0]})
    >>> assurance_icon(pts)
    'fail'
    """
    frame = _with_defaults(points)  # no point types needed: the target against the limits
    if "period" in frame.columns:
        frame = frame.sort("period", maintain_order=True)
    frame = frame.with_columns(point_type=pl.lit(None, pl.String))
    return _icons(frame, []).item(0, "assurance")


def _letter(kind: str, improvement: str | None) -> str:
    """H or L (the latest points are high or low), P, F or ?; "" where it is not known."""
    if kind.startswith("special_cause_neutral"):
        return "H" if kind.endswith("high") else "L"
    if kind in ("special_cause_improvement", "special_cause_concern"):
        if improvement not in ("increase", "decrease"):
            return ""
        high = (kind == "special_cause_improvement") == (improvement == "increase")
        return "H" if high else "L"
    return {"pass": "P", "fail": "F", "inconsistent": "?", "none": "–"}.get(kind, "")


def _colour(kind: str) -> str:
    return {
        "special_cause_improvement": MDC_COLOURS["special_cause_improvement"],
        "special_cause_concern": MDC_COLOURS["special_cause_concern"],
        "special_cause_neutral_high": MDC_COLOURS["special_cause_neutral_high"],
        "special_cause_neutral_low": MDC_COLOURS["special_cause_neutral_low"],
        "pass": MDC_COLOURS["special_cause_improvement"],
        "fail": MDC_COLOURS["special_cause_concern"],
    }.get(kind, MDC_COLOURS["common_cause"])


def _check(kind: str, caller: str) -> None:
    if kind not in ICON_WORDS:
        raise ValueError(f"{caller}: unknown icon {kind!r}; use one of {sorted(ICON_WORDS)}.")


def _body(kind: str, improvement: str | None) -> str:
    """What an icon draws, on a 100 x 100 view box: the ring, the little chart, the letter."""
    ring = _colour(kind)
    ink = _DARK.get(ring, ring)
    dash = ' stroke-dasharray="8 6"' if kind == "none" else ""
    parts = [
        f'<circle cx="50" cy="50" r="44" fill="white" stroke="{ring}" stroke-width="8"{dash}/>'
    ]
    letter = _letter(kind, improvement)
    if kind.startswith(("common_cause", "special_cause")):
        # MDC's little run chart: flat for common cause; its last points high or low
        lift = {"H": -14, "L": 14}.get(letter, 0)
        ys = [62, 56, 64, 58, 62 + lift, 58 + lift, 62 + lift] if lift else [60, 54, 64, 56, 62,
                                                                              55, 60]  # fmt: skip
        dots = "".join(
            f'<circle cx="{22 + 9.3 * i:.1f}" cy="{y}" r="4.5" '
            f'fill="{ink if kind != "common_cause" and i >= 4 else "#7B7D7D"}"/>'
            for i, y in enumerate(ys)
        )
        line = " ".join(f"{22 + 9.3 * i:.1f},{y}" for i, y in enumerate(ys))
        parts.append(f'<polyline points="{line}" fill="none" stroke="#7B7D7D" stroke-width="2"/>')
        parts.append(dots)
        if letter:
            parts.append(
                f'<text x="50" y="{38 if lift >= 0 else 86}" text-anchor="middle" '
                f'font-family="Arial, sans-serif" font-size="26" font-weight="bold" '
                f'fill="{ink}">{letter}</text>'
            )
    else:
        parts.append(
            f'<text x="50" y="66" text-anchor="middle" font-family="Arial, sans-serif" '
            f'font-size="46" font-weight="bold" fill="{ink}">{letter}</text>'
        )
    return "".join(parts)


def icon_svg(kind: str, *, size: int = 40, improvement: str | None = None) -> str:
    """An inline SVG of an icon, MDC-coloured, with its words as ``<title>`` and aria-label.

    About 900 characters: for a page of many icons, put :func:`icon_sprite` on it once
    and each icon as :func:`icon_use` (about 150).

    Parameters
    ----------
    kind : str
        A key of ``ICON_WORDS``: a variation icon or an assurance icon.
    size : int
        Width and height in px.
    improvement : {"increase", "decrease"}, optional
        The measure's direction: the letter of an improvement or concern icon says
        whether the latest points are high (H) or low (L), as MDC's icons do.

    Examples
    --------
    >>> svg = icon_svg("special_cause_improvement", improvement="decrease")
    >>> "<title>Special cause variation: improvement</title>" in svg, ">L</text>" in svg
    (True, True)
    """
    _check(kind, "icon_svg")
    size = int(size)
    words = html.escape(ICON_WORDS[kind])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100" role="img" aria-label="{words}" class="icon icon-{kind}">'
        f"<title>{words}</title>{_body(kind, improvement)}</svg>"
    )


_DIRECTED = ("special_cause_improvement", "special_cause_concern")  # H or L by the direction


def _symbol_id(kind: str, improvement: str | None) -> str:
    letter = _letter(kind, improvement) if kind in _DIRECTED else ""
    return f"mfc-icon-{kind}" + (f"-{letter.lower()}" if letter else "")


def icon_sprite() -> str:
    """Every icon once, as hidden ``<symbol>`` s, for :func:`icon_use` to draw by reference.

    Put it once in a page's ``<body>``, before the first icon (about 9 KB).

    Examples
    --------
    >>> sprite = icon_sprite()
    >>> sprite.count("<symbol "), 'id="mfc-icon-special_cause_concern-h"' in sprite
    (13, True)
    """
    variants = [(kind, None) for kind in ICON_WORDS]
    variants += [(kind, way) for kind in _DIRECTED for way in ("increase", "decrease")]
    symbols = "".join(
        f'<symbol id="{_symbol_id(kind, way)}" viewBox="0 0 100 100">{_body(kind, way)}</symbol>'
        for kind, way in variants
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" aria-hidden="true" focusable="false" '
        f'style="position:absolute;width:0;height:0;overflow:hidden">{symbols}</svg>'
    )


def icon_use(kind: str, *, size: int = 40, improvement: str | None = None) -> str:
    r"""A small SVG that draws an icon of :func:`icon_sprite` (on the same page) by reference.

    The same icon as :func:`icon_svg`, its words as ``<title>`` (the name screen readers
    read, and a tooltip), in about 150 characters instead of 900.

    Examples
    --------
    >>> print(icon_use("fail", size=28).replace("><", ">\n<"))
    <svg width="28" height="28" viewBox="0 0 100 100" role="img" class="icon icon-fail">
    <title>Target: not met without a change (it lies beyond the limits)</title>
    <use href="#mfc-icon-fail"/>
    </svg>
    """
    _check(kind, "icon_use")
    size = int(size)
    return (
        f'<svg width="{size}" height="{size}" viewBox="0 0 100 100" role="img" '
        f'class="icon icon-{kind}"><title>{html.escape(ICON_WORDS[kind])}</title>'
        f'<use href="#{_symbol_id(kind, improvement)}"/></svg>'
    )
