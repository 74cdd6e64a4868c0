"""What each point of a series shows: its Making Data Count type, the rule's words, its numbers.

:func:`point_types` and :func:`rule_text` read the points of one series as
``spc_results`` holds them; :func:`types_by_series` types many series in one call (a
site's every measure and home), which is how the pages should ask: polars spends its
time per expression, not per row, so one call over 5,000 points costs what one over 18
does. Numbers are rounded for people by :func:`fmt_number` and, inside polars, by
:func:`_num`, which agree digit for digit.

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

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

IMPROVEMENT, CONCERN, NEUTRAL, COMMON = "improvement", "concern", "neutral", "common_cause"
TYPES = (COMMON, IMPROVEMENT, CONCERN, NEUTRAL)
_OPTIONAL: dict[str, tuple[Any, pl.DataType]] = {
    "numerator": (None, pl.Float64()),
    "denominator": (None, pl.Float64()),
    "baseline": (True, pl.Boolean()),
    "data_complete": (True, pl.Boolean()),
    "dq_warning": (False, pl.Boolean()),
    "dq_reason": (None, pl.String()),
    "target": (None, pl.Float64()),
    "phase": (None, pl.String()),
    "trial_limits": (False, pl.Boolean()),
    "longest_run": (None, pl.Int64()),
    "longest_run_max": (None, pl.Int64()),
    "n_crossings": (None, pl.Int64()),
    "n_crossings_min": (None, pl.Int64()),
    "sparse": (False, pl.Boolean()),
}


_READ = ("period", "value", "cl", "lcl", "ucl", "part", "sigma_signal", "runs_signal", "chart",
         "improvement", *_OPTIONAL)  # fmt: skip


def _with_defaults(points: pl.DataFrame) -> pl.DataFrame:
    """The points with every optional column present (its default where it was absent)."""
    missing = [
        pl.lit(value, dtype).alias(name)
        for name, (value, dtype) in _OPTIONAL.items()
        if name not in points.columns
    ]
    return points.with_columns(missing) if missing else points


def _esc(expr: pl.Expr) -> pl.Expr:
    """Text from the data made safe for plotly's hover HTML."""
    return expr.str.replace_all("&", "&amp;", literal=True).str.replace_all(
        "<", "&lt;", literal=True
    )


@functools.cache
def _stages(keys: tuple[str, ...], rules: bool) -> tuple[list[pl.Expr], ...]:
    """The typing, in stages that each read the columns the one before wrote.

    Built once per ``keys`` (building an expression costs more than running it on a
    series of 18 points). __side: the side of the centre line (0 on it); __sigma: beyond
    a limit; __rid: the run a point belongs to; __run: that run's length.
    """
    over = [*keys, "part"]
    useful = pl.col("value").is_not_null() & pl.col("cl").is_not_null()
    gap = pl.col("value") - pl.col("cl")
    level = 1e-9 * pl.max_horizontal(pl.col("cl").abs(), pl.lit(1.0))  # rounding, not a side
    side = pl.when(useful).then(pl.when(gap.abs() <= level).then(0).otherwise(gap.sign()))
    beyond = (pl.col("value") > pl.col("ucl")) | (pl.col("value") < pl.col("lcl"))
    first = [
        side.cast(pl.Int8).alias("__side"),
        (pl.col("sigma_signal").fill_null(False) & beyond.fill_null(False)).alias("__sigma"),
    ]
    # Anhøj runs (qicharts2 runs.analysis()): runs of useful points on one side of the
    # centre line; a point on it or without a value neither breaks a run nor adds to it,
    # so it takes the side of the point before it and belongs to that point's run.
    sided = pl.when(pl.col("__side") != 0).then(pl.col("__side"))
    second = [sided.forward_fill().rle_id().over(over).alias("__rid")]
    counted = (pl.col("__side") != 0).fill_null(False)
    third = [counted.sum().over([*over, "__rid"]).alias("__run")]
    runs = pl.col("runs_signal").fill_null(False) & ~pl.col("sparse").fill_null(False) & counted
    stats = pl.col("longest_run_max").is_not_null() | pl.col("n_crossings_min").is_not_null()
    long = (pl.col("__run") > pl.col("longest_run_max")).fill_null(False)  # Schilling 2012
    few = (pl.col("n_crossings") < pl.col("n_crossings_min")).fill_null(False)  # Chen 2010
    # Too few crossings says the part is not random, not which way: a point of it is a
    # special cause when it lies on the side where the part's latest longest_run_max
    # points lean (3 in 4 or more), as the signals table reads it.
    after = counted.cast(pl.Int32).cum_sum(reverse=True).over(over) - counted.cast(pl.Int32)
    recent = counted & (after < pl.col("longest_run_max"))
    balance = pl.col("__side").fill_null(0).filter(recent).sum().over(over)
    leaning = (balance != 0) & (balance.abs() * 2 >= recent.sum().over(over))
    lean = pl.when(leaning).then(balance.sign()).otherwise(0).cast(pl.Int8)
    fourth = [
        (runs & (long | ~stats)).alias("__long"),
        (runs & few & stats & (pl.col("__side") == lean)).alias("__few"),
    ]
    better = _better()
    toward = pl.col("__side") * better
    kind = (
        pl.when(~(pl.col("__sigma") | pl.col("__long") | pl.col("__few")))
        .then(pl.lit(COMMON))
        .when(better == 0)
        .then(pl.lit(NEUTRAL))
        .when(toward > 0)
        .then(pl.lit(IMPROVEMENT))
        .when(toward < 0)
        .then(pl.lit(CONCERN))
        .otherwise(pl.lit(COMMON))
    )
    fifth = [kind.alias("point_type"), *([_rule_expr().alias("rule")] if rules else [])]
    return first, second, third, fourth, fifth


def _better() -> pl.Expr:
    """1 where higher is better, -1 where lower is, 0 for a neutral measure."""
    better = pl.col("improvement")  # a when chain: replace_strict costs 7 times more here
    return pl.when(better == "increase").then(1).when(better == "decrease").then(-1).otherwise(0)


def _centre_word() -> pl.Expr:
    return (
        pl.when(pl.col("chart").is_in(["run", "g"]))
        .then(pl.lit("median"))
        .otherwise(pl.lit("average"))
    )


def _rule_expr() -> pl.Expr:
    where = pl.when(pl.col("__side") > 0).then(pl.lit("above")).otherwise(pl.lit("below"))
    sigma = pl.when(pl.col("__sigma")).then(
        pl.when(pl.col("value") > pl.col("ucl"))
        .then(pl.lit("above the upper limit"))
        .otherwise(pl.lit("below the lower limit"))
    )
    long = pl.when(pl.col("__long") & pl.col("longest_run_max").is_not_null()).then(
        pl.format(
            "part of a run of {} points in a row {} the {}, longer than the {} that chance allows",
            pl.col("__run"),
            where,
            _centre_word(),
            pl.col("longest_run_max"),
        )
    )
    long = long.when(pl.col("__long")).then(pl.lit("part of a run signal"))
    times = pl.when(pl.col("n_crossings") == 1).then(pl.lit("once"))
    few = pl.when(pl.col("__few")).then(
        pl.format(
            "the line crosses the {} too rarely: {}, fewer than {}",
            _centre_word(),
            times.otherwise(pl.format("{} times", pl.col("n_crossings"))),
            pl.col("n_crossings_min"),
        )
    )
    return pl.concat_list(sigma, long, few).list.drop_nulls().list.join("; ")


def _typed(
    points: pl.DataFrame,
    keys: Sequence[str] = (),
    *,
    rules: bool = True,
    keep_order: bool = True,
    narrow: bool = True,
) -> pl.DataFrame:
    """The points with their type (and rule), computed in period order.

    Returned in the order given (``keep_order``) or sorted by ``keys`` and period; with
    only the ``keys`` and the columns the figures read (``narrow``: sorting every column
    of a wide frame costs more than the typing).
    """
    order = [*keys, "period"] if "period" in points.columns else list(keys)
    frame = _with_defaults(points)
    if narrow:
        frame = frame[[*keys, *(c for c in _READ if c in frame.columns and c not in keys)]]
    if keep_order:
        frame = frame.with_row_index("__row")
    if order:
        frame = frame.sort(order, maintain_order=True)
    for stage in _stages(tuple(keys), rules):  # eager: a lazy chain of these costs 3x more
        frame = frame.with_columns(stage)
    return frame.sort("__row").drop("__row") if keep_order else frame


def point_types(points: pl.DataFrame) -> pl.Series:
    """The Making Data Count type of each point, from the chart's own rules.

    A point beyond a limit (``sigma_signal``), or one that is part of a run longer than
    ``longest_run_max`` (``runs_signal``), is a special cause; so is every point of a
    part whose line crosses the centre line too rarely. Its side of the centre line and
    the direction of improvement make it an improvement or a concern (a neutral measure:
    "neutral"), as NHSRplotthedots >= 0.2 does (#171, #180); every other point is common
    cause. Runs skip points on the centre line and points without a value (Anhøj); a
    ``sparse`` series (mostly zeros) gets no runs signals, as the signals table reads it.

    Parameters
    ----------
    points : polars.DataFrame
        One series in period order, with ``value``, ``cl``, ``lcl``, ``ucl``, ``part``,
        ``sigma_signal``, ``runs_signal``, ``improvement`` and ``chart``, and (optional)
        ``longest_run_max``, ``n_crossings``, ``n_crossings_min`` and ``sparse``.

    Returns
    -------
    polars.Series
        ``point_type``: improvement, concern, neutral or common_cause per point.

    Examples
    --------
    >>> pts = pl.DataFrame({"value": [5.0, 1.0, 2.0, 1.0, 1.5], "cl": [3.0] * 5,
    ...     "lcl": [None] * 5, "ucl": [None] * 5, "part": [1] * 5, "sigma_signal": [False] * 5,
    ...     "runs_signal": [True] * 5, "longest_run_max": [3] * 5, "chart": ["run"] * 5,
    ...     "improvement": ["decrease"] * 5})
    >>> point_types(pts).to_list()
    ['common_cause', 'improvement', 'improvement', 'improvement', 'improvement']

    Four points in a row below the median of a measure where lower is better: an
    improvement; the first point, above it, is not part of the run.
    """
    return _typed(points, rules=False).get_column("point_type")


def types_by_series(points: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """:func:`point_types` of many series at once, each series a value of the ``by`` columns.

    Parameters
    ----------
    points : polars.DataFrame
        The points of every series (e.g. a site's every measure at site and home level),
        in any order, with the columns :func:`point_types` reads and the ``by`` columns.
    by : sequence of str
        The columns that name a series (e.g. ``["measure_id", "level", "home_id"]``).

    Returns
    -------
    polars.DataFrame
        The points in the order given, with ``point_type`` (and the working columns
        ``__side``: -1, 0 or 1 against the centre line; null without a value).

    Examples
    --------
    >>> pts = pl.DataFrame({"home": ["A", "B"] * 3, "value": [1.0, 5, 5, 5, 5, 9],
    ...     "cl": [5.0] * 6, "lcl": [2.0] * 6, "ucl": [8.0] * 6, "part": [1] * 6,
    ...     "sigma_signal": [True, False, False, False, False, True], "runs_signal": [False] * 6,
    ...     "chart": ["i"] * 6, "improvement": ["decrease"] * 6})
    >>> types_by_series(pts, ["home"]).get_column("point_type").to_list()
    ['improvement', 'common_cause', 'common_cause', 'common_cause', 'common_cause', 'concern']
    """
    typed = _typed(points, by, rules=False, narrow=False)
    return typed.drop("__sigma", "__rid", "__run", "__long", "__few")


def rule_text(points: pl.DataFrame) -> pl.Series:
    """The plain words of the rule that made each point a special cause ("" for none).

    Examples
    --------
    >>> pts = pl.DataFrame({"value": [5.0, 1.0, 2.0, 1.0, 1.5], "cl": [3.0] * 5,
    ...     "lcl": [None] * 5, "ucl": [None] * 5, "part": [1] * 5, "sigma_signal": [False] * 5,
    ...     "runs_signal": [True] * 5, "longest_run_max": [3] * 5, "chart": ["run"] * 5,
    ...     "improvement": ["decrease"] * 5})
    >>> rule_text(pts)[1]
    'part of a run of 4 points in a row below the median, longer than the 3 that chance allows'
    """
    return _typed(points).get_column("rule")


def _num(expr: pl.Expr) -> pl.Expr:
    """Numbers rounded for people as text: 1,650 / 123 / 7.2 / 0.083 (null stays null)."""
    size = expr.abs()
    whole = size.round(0).cast(pl.Int64).cast(pl.String)
    grouped = (  # thousands separators: group the reversed digits in threes
        whole.str.reverse().str.replace_all(r"(\d{3})", "$1,").str.strip_chars_end(",")
    ).str.reverse()
    small = (
        pl.when(size >= 1)
        .then(size.round(1))
        .otherwise(size.round_sig_figs(2))
        .cast(pl.String)
        .str.strip_suffix(".0")
    )
    text = pl.when(size >= 100).then(grouped).otherwise(small)
    sign = pl.when((expr < 0) & (text.str.strip_chars("0.,") != "")).then(pl.lit("-"))
    return pl.concat_str(sign.otherwise(pl.lit("")), text)


def fmt_number(x: float | None) -> str:
    """One number rounded for people, as the figures write them.

    Examples
    --------
    >>> fmt_number(1650.0), fmt_number(7.2347), fmt_number(0.08312), fmt_number(-12.0)
    ('1,650', '7.2', '0.083', '-12')
    """
    if x is None or not math.isfinite(x):
        return "–"
    size = abs(x)  # rounded as polars rounds in _num: half to even, sig figs half away
    if size >= 100:
        text = f"{round(size):,}"
    elif size >= 1:
        text = repr(round(size * 10) / 10).removesuffix(".0")
    elif size > 0:
        scale = 10.0 ** (1 - math.floor(math.log10(size)))
        text = np.format_float_positional(math.floor(size * scale + 0.5) / scale, trim="-")
    else:
        text = "0"
    return ("-" if x < 0 and text.strip("0.,") else "") + text
