"""``mdc()``: NHS England "Making Data Count" XmR charts (NHSRplotthedots 0.2.2 semantics)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from charts import frames
from charts.errors import SpcInputError, SpcWarning
from charts.rules import D4, MDC_CLOSE, MDC_LIMIT, RuleSet, get_rule_set
from charts.segments import Segments, breaks, long_runs, spread

IMPROVEMENT = {"increase": 1, "decrease": -1, "neutral": 0}
_POINT_COLUMNS = (
    "y",
    "mean",
    "lpl",
    "upl",
    "lpl_2sigma",
    "upl_2sigma",
    "rebase_group",
    "outside_limits",
    "relative_to_mean",
    "close_to_limits",
    "shift",
    "trend",
    "two_in_three",
    "special_cause_type",
    "special_cause_flag",
    "point_type",
    "short_group_warning",
    "target",
)


@dataclass(frozen=True)
class MdcResult:
    """What :func:`mdc` found: the points, a summary per facet and rebase group, and how.

    Attributes
    ----------
    points : polars.DataFrame
        One row per facet and x: the facet and x columns under their own names, y,
        mean, lpl, upl (process limits), lpl_2sigma, upl_2sigma, rebase_group,
        outside_limits, relative_to_mean (-1, 0, 1), close_to_limits, the rule flags
        shift, trend and two_in_three, special_cause_type (NHSRplotthedots' label,
        e.g. "7 Points Above CL"), special_cause_flag, point_type (common_cause,
        special_cause_improvement, special_cause_concern,
        special_cause_neutral_high or special_cause_neutral_low),
        short_group_warning and target.
    summary : polars.DataFrame
        One row per facet and rebase group: mean, lpl, upl, n, the counts
        common_cause, special_cause_improvement and special_cause_concern,
        variation_type (point type of the group's last point), assurance_type
        (pass, fail or inconsistent against the target; null without a target, and
        on all but the last group), variation_icon and assurance_icon (the MDC icon
        of the facet, on its last group), short_group_warning and rule_set.
    rules : RuleSet
        The rule set applied, with its version.
    x, y : str
        Column names as given.
    facet : str or None
        Facet column.
    improvement : str
        increase, decrease or neutral.
    screen_outliers : bool
        Whether moving ranges were screened before the limits were computed.
    fix_after_n_points : int or None
        Limits were computed from this many points of each group, then fixed.
    """

    points: pl.DataFrame
    summary: pl.DataFrame
    rules: RuleSet
    x: str
    y: str
    facet: str | None
    improvement: str
    screen_outliers: bool
    fix_after_n_points: int | None


def mdc(
    frame: Any,
    *,
    x: str,
    y: str,
    facet: str | None = None,
    improvement: str = "increase",
    target: float | Mapping[Any, float] | None = None,
    rebase: Sequence[Any] | Mapping[Any, Sequence[Any]] | None = None,
    fix_after_n_points: int | None = None,
    screen_outliers: bool = True,
    rules: str | RuleSet = "mdc",
) -> MdcResult:
    """Making Data Count XmR chart of ``y`` along ``x``, per facet.

    Computes what NHSRplotthedots 0.2.2's ``ptd_spc()`` computes, for every facet
    in one vectorised pass: limits at the mean +/- 2.66 times the mean moving range,
    and the four MDC rules, labelled as improvement or concern.

    Parameters
    ----------
    frame : polars.DataFrame or pandas.DataFrame
        The data, one row per facet and x.
    x : str
        Column of periods (dates or numbers).
    y : str
        Measure.
    facet : str, optional
        Column whose values each get a chart of their own.
    improvement : {"increase", "decrease", "neutral"}
        Which direction is better.
    target : float or dict, optional
        Target value, or a dict of targets by facet value; gives the assurance icon.
    rebase : list of x values, or dict of such lists by facet value, optional
        x values at which a new group, with its own mean and limits, begins.
    fix_after_n_points : int, optional
        Compute each group's limits from its first so many points (at least 12).
    screen_outliers : bool
        Leave out moving ranges above 3.267 times their mean before the limits are
        computed (NHSRplotthedots' default; the MDC Excel tool does not screen).
    rules : str or RuleSet
        ``"mdc"`` (7-point shift and trend) or ``"mdc6"`` (6 points, an option of the
        MDC Excel tool).

    Returns
    -------
    MdcResult

    Raises
    ------
    SpcInputError
        For a missing column, non-numeric y, a period that appears twice in a facet,
        or arguments that do not fit the data.

    Examples
    --------
    >>> import polars as pl
    >>> d = pl.DataFrame({"week": list(range(1, 16)),
    ...                   "waits": [5, 6, 5, 7, 6, 5, 6, 9, 9, 10, 9, 11, 10, 12, 11]})
    >>> r = mdc(d, x="week", y="waits", improvement="decrease")
    >>> r.summary.select("mean", "variation_type").row(0)
    (8.066666666666666, 'special_cause_concern')

    The waits rose in a 7-week run above the average: a concern.
    """
    rule_set = get_rule_set(rules)
    if rule_set.name not in ("mdc", "mdc6"):
        raise SpcInputError(
            f"mdc: rules = {rule_set.name!r} is not a Making Data Count rule set; use 'mdc' "
            "or 'mdc6', or qic() for run-chart rules."
        )
    if improvement not in IMPROVEMENT:
        raise SpcInputError(
            f"mdc: improvement = {improvement!r}; use 'increase', 'decrease' or 'neutral'."
        )
    if fix_after_n_points is not None and not (
        isinstance(fix_after_n_points, (int, np.integer)) and fix_after_n_points >= 12
    ):
        raise SpcInputError(
            f"mdc: fix_after_n_points = {fix_after_n_points!r}; limits need at least 12 "
            "points, so give a whole number of 12 or more (or None to use every point)."
        )
    df = _prepare(frame, x=x, y=y, facet=facet)
    df, seg = _groups(df, x, facet, rebase)
    yv = df.get_column("y").to_numpy()
    fix_y = (
        yv
        if fix_after_n_points is None
        else np.where(seg.position < fix_after_n_points, yv, np.nan)
    )
    mean, amr = _limits(seg, fix_y, screen_outliers)
    points = _points(df, seg, yv, mean, amr, rule_set, IMPROVEMENT[improvement])
    points = points.with_columns(target=_targets(df, facet, target))
    summary = _summary(points, facet, seg, improvement).with_columns(
        rule_set=pl.lit(f"{rule_set.name} {rule_set.version}")
    )
    _warn_short(summary, facet, rule_set)
    return MdcResult(
        points=points,
        summary=summary,
        rules=rule_set,
        x=x,
        y=y,
        facet=facet,
        improvement=improvement,
        screen_outliers=screen_outliers,
        fix_after_n_points=fix_after_n_points,
    )


def _prepare(frame: Any, *, x: str, y: str, facet: str | None) -> pl.DataFrame:
    df = frames.to_polars(frame, "mdc")
    frames.require_columns(df, "mdc", [("x", x), ("y", y), ("facet", facet)])
    clash = {x, facet} & set(_POINT_COLUMNS)
    if clash:
        raise SpcInputError(
            f"mdc: column {sorted(map(str, clash))[0]!r} is used as x or facet, but the "
            "result has a column of that name. Rename it first."
        )
    frames.check_x(df, x, "mdc")
    keys = [facet, x] if facet else [x]
    df = df.select(*keys, y=frames.numeric(df, y, "y", "mdc"))
    df = frames.drop_missing_keys(df, keys, "mdc").sort(keys, maintain_order=True)
    if df.is_empty():
        raise SpcInputError("mdc: there are no rows with an x value to chart.")
    dup = df.select(pl.struct(keys).is_duplicated()).to_series()
    if dup.any():
        first = df.filter(dup).row(0, named=True)
        where = ", ".join(f"{k} = {first[k]!r}" for k in keys)
        raise SpcInputError(
            f"mdc: {int(dup.sum())} rows share a period with another row (first at {where}). "
            "A Making Data Count chart needs one value per period: aggregate the rows "
            "first, for example by summing the counts of each month."
        )
    return df


def _groups(
    df: pl.DataFrame, x: str, facet: str | None, rebase: Any
) -> tuple[pl.DataFrame, Segments]:
    """The frame with its rebase_group column, and its series (facet x rebase group)."""
    rows = df.height
    fid = (
        df.get_column(facet).rle_id().to_numpy().astype(np.int64)
        if facet
        else np.zeros(rows, np.int64)
    )
    starts = np.zeros(rows, bool)
    if isinstance(rebase, Mapping):
        if not facet:
            raise SpcInputError(
                "mdc: rebase is a dict by facet value, but no facet column is given. Give "
                "facet=..., or rebase as a list of x values."
            )
        starts = _rebase_by_facet(df, x, facet, rebase)
    elif rebase is not None:
        x_key, keys = frames.order_keys(df.get_column(x), {"rebase": rebase}, "mdc")
        starts = np.isin(x_key, keys["rebase"])
    facets = Segments.from_breaks(breaks(fid))
    total = np.cumsum(starts)
    group = total - facets.repeat((total - starts)[facets.starts])  # cumsum within facet
    return df.with_columns(rebase_group=group), Segments.from_breaks(breaks(fid, group))


def _rebase_by_facet(
    df: pl.DataFrame, x: str, facet: str, rebase: Mapping[Any, Sequence[Any]]
) -> np.ndarray:
    known = set(df.get_column(facet).unique().to_list())
    unknown = [k for k in rebase if k not in known]
    if unknown:
        raise SpcInputError(
            f"mdc: rebase names facet value(s) {unknown} that are not in column {facet!r}."
        )
    pairs = [(k, v) for k, values in rebase.items() for v in frames.as_values(values)]
    x_values = frames.as_x_values(df.get_column(x), [v for _, v in pairs], "rebase", "mdc")
    table = pl.DataFrame({facet: [k for k, _ in pairs], x: x_values}).with_columns(
        pl.col(facet).cast(df.schema[facet]), __rebase=pl.lit(True)
    )
    joined = df.select(facet, x).join(table, on=[facet, x], how="left", maintain_order="left")
    return joined.get_column("__rebase").fill_null(False).to_numpy()


def _limits(seg: Segments, fix_y: np.ndarray, screen: bool) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (screened) mean moving range per group (``ptd_spc_standard``)."""
    mean = seg.mean(fix_y)
    mr = np.abs(seg.diff(fix_y))  # mr = c(NA, abs(diff(fix_y)))
    amr = seg.mean(mr)
    if screen:
        with np.errstate(invalid="ignore"):
            keep = mr < D4 * seg.repeat(amr)  # Nelson 1982, strict as in NHSRplotthedots
        amr = seg.mean(mr, keep)
    return mean, amr


def _points(
    df: pl.DataFrame,
    seg: Segments,
    y: np.ndarray,
    mean_seg: np.ndarray,
    amr_seg: np.ndarray,
    rules: RuleSet,
    direction: int,
) -> pl.DataFrame:
    """Limits, the four MDC rules and the point labels of every row."""
    mean, amr = seg.repeat(mean_seg), seg.repeat(amr_seg)
    lpl, upl = mean - MDC_LIMIT * amr, mean + MDC_LIMIT * amr
    nlpl, nupl = mean - MDC_CLOSE * amr, mean + MDC_CLOSE * amr
    known = ~np.isnan(y) & ~np.isnan(amr)
    with np.errstate(invalid="ignore"):
        outside = known & ((y > upl) | (y < lpl))
        side = np.sign(y - mean)
        close = known & ~outside & ((y < nlpl) | (y > nupl))
    shift = _flag_runs(seg.ids, side, rules.shift, valid=side != 0)
    d = seg.diff(y)
    with np.errstate(invalid="ignore"):
        step = np.where(d > 0, 1.0, np.where(d < 0, -1.0, np.nan))  # ties and gaps: NaN
    start, length = long_runs(seg.ids, step, rules.trend - 1)
    trend = spread(start - 1, start + length, len(y))  # a difference joins its row to the last
    two = _two_in_three(seg.ids, side, close)
    step = np.where(np.isnan(d), np.nan, np.sign(d))
    label = _labels(seg.ids, y, side, outside, trend, two, shift, step, rules)
    sign = pl.when(pl.col("special_cause_type").str.contains("Above|Increasing")).then(1)
    sign = sign.when(pl.col("special_cause_type").str.contains("Below|Decreasing")).then(-1)
    sign = sign.otherwise(0) * (direction if direction else 1)
    high, low = (
        ("special_cause_neutral_high", "special_cause_neutral_low")
        if direction == 0
        else ("special_cause_improvement", "special_cause_concern")
    )
    nulls = np.where(known, 0.0, np.nan)
    short = seg.repeat(seg.lengths) < rules.min_points
    return df.with_columns(
        mean=pl.Series(mean).fill_nan(None),
        lpl=pl.Series(lpl).fill_nan(None),
        upl=pl.Series(upl).fill_nan(None),
        lpl_2sigma=pl.Series(nlpl).fill_nan(None),
        upl_2sigma=pl.Series(nupl).fill_nan(None),
        outside_limits=pl.Series(outside + nulls, nan_to_null=True).cast(pl.Boolean),
        relative_to_mean=pl.Series(side, nan_to_null=True).cast(pl.Int64),
        close_to_limits=pl.Series(close + nulls, nan_to_null=True).cast(pl.Boolean),
        shift=pl.Series(shift),
        trend=pl.Series(trend),
        two_in_three=pl.Series(two),
        special_cause_type=pl.Series(label),
        short_group_warning=pl.Series(short),
    ).with_columns(
        special_cause_flag=pl.col("special_cause_type") != "Common Cause",
        point_type=pl.when(sign > 0)
        .then(pl.lit(high))
        .when(sign < 0)
        .then(pl.lit(low))
        .otherwise(pl.lit("common_cause")),
    )


def _flag_runs(seg: np.ndarray, key: np.ndarray, k: int, valid: np.ndarray) -> np.ndarray:
    """Rows in runs of ``k`` or more equal valid keys (``ptd_seven_point_one_side_mean``)."""
    start, length = long_runs(seg, np.where(valid, key, np.nan), k)
    return spread(start, start + length, len(key))


def _two_in_three(seg: np.ndarray, side: np.ndarray, close: np.ndarray) -> np.ndarray:
    """Close points in a window of 3 with >= 2 close, all on one side (``ptd_two_in_three``)."""
    n = len(side)
    out = np.zeros(n, bool)
    if n < 3:
        return out
    same_seg = seg[:-2] == seg[2:]
    with np.errstate(invalid="ignore"):
        one_side = np.abs(side[:-2] + side[1:-1] + side[2:]) == 3
    enough = close[:-2].astype(int) + close[1:-1] + close[2:] >= 2
    window = same_seg & one_side & enough  # window j covers rows j, j + 1, j + 2
    hit = np.zeros(n, bool)
    hit[:-2] |= window
    hit[1:-1] |= window
    hit[2:] |= window
    return hit & close


def _labels(
    seg: np.ndarray,
    y: np.ndarray,
    side: np.ndarray,
    outside: np.ndarray,
    trend: np.ndarray,
    two: np.ndarray,
    shift: np.ndarray,
    step: np.ndarray,
    rules: RuleSet,
) -> np.ndarray:
    """NHSRplotthedots' special-cause labels (``ptd_special_cause_type``), by priority."""
    n = len(y)
    nxt = np.zeros(n, bool)
    nxt[:-1] = trend[1:] & (seg[1:] == seg[:-1])
    right = np.append(step[1:], np.nan)
    direction = np.where(trend & nxt, right, np.nan_to_num(step, nan=0.0))
    side_word = np.where(side > 0, "Above", "Below")
    return np.select(
        [outside, trend, two, shift],
        [
            np.where(side == 1, "Above UCL", "Below LCL"),
            np.where(
                direction == 1,
                f"{rules.trend} Point Trend (Increasing)",
                f"{rules.trend} Point Trend (Decreasing)",
            ),
            np.char.add(np.char.add("2 in 3 ", side_word), " CL"),
            np.char.add(np.char.add(f"{rules.shift} Points ", side_word), " CL"),
        ],
        default="Common Cause",
    )


def _targets(df: pl.DataFrame, facet: str | None, target: Any) -> pl.Series:
    if target is None:
        return pl.Series("target", [None] * df.height, dtype=pl.Float64)
    if isinstance(target, Mapping):
        if not facet:
            raise SpcInputError(
                "mdc: target is a dict by facet value, but no facet column is given."
            )
        known = set(df.get_column(facet).unique().to_list())
        unknown = [k for k in target if k not in known]
        if unknown:
            raise SpcInputError(
                f"mdc: target names facet value(s) {unknown} that are not in column {facet!r}."
            )
        return (
            df.get_column(facet)
            .replace_strict(dict(target), default=None, return_dtype=pl.Float64)
            .rename("target")
        )
    return pl.Series("target", [float(target)] * df.height, dtype=pl.Float64)


_ICONS = {
    ("common_cause", "increase"): "common_cause",
    ("common_cause", "decrease"): "common_cause",
    ("common_cause", "neutral"): "common_cause",
    ("special_cause_improvement", "increase"): "improvement_high",
    ("special_cause_improvement", "decrease"): "improvement_low",
    ("special_cause_concern", "increase"): "concern_low",
    ("special_cause_concern", "decrease"): "concern_high",
    ("special_cause_neutral_high", "neutral"): "neutral_high",
    ("special_cause_neutral_low", "neutral"): "neutral_low",
}


def _summary(
    points: pl.DataFrame, facet: str | None, seg: Segments, improvement: str
) -> pl.DataFrame:
    """One row per facet and rebase group (``summary.ptd_spc_df``), with MDC icons."""
    keys = [facet] if facet else []
    summary = (
        points.with_columns(__seg=pl.Series(seg.ids))
        .group_by("__seg", maintain_order=True)
        .agg(
            *(pl.col(k).first() for k in keys),
            pl.col("rebase_group").first(),
            pl.col("mean", "lpl", "upl").first(),
            n=pl.len().cast(pl.Int64),
            common_cause=(~pl.col("special_cause_flag")).sum().cast(pl.Int64),
            special_cause_improvement=(pl.col("point_type") == "special_cause_improvement")
            .sum()
            .cast(pl.Int64),
            special_cause_concern=(pl.col("point_type") == "special_cause_concern")
            .sum()
            .cast(pl.Int64),
            variation_type=pl.col("point_type").last(),
            short_group_warning=pl.col("short_group_warning").first(),
            __target=pl.col("target").last(),
        )
        .drop("__seg")
    )
    last = pl.col("rebase_group") == pl.col("rebase_group").max().over(keys or pl.lit(1))
    tgt, lpl, upl = pl.col("__target"), pl.col("lpl"), pl.col("upl")
    better_high = improvement == "increase"
    assurance = (
        pl.when(~last | tgt.is_null() | pl.lit(improvement == "neutral"))
        .then(None)
        .when(tgt > upl)
        .then(pl.lit("fail" if better_high else "pass"))
        .when(tgt < lpl)
        .then(pl.lit("pass" if better_high else "fail"))
        .otherwise(pl.lit("inconsistent"))
    )
    icons = {pt: icon for (pt, imp), icon in _ICONS.items() if imp == improvement}
    summary = summary.with_columns(assurance_type=assurance).with_columns(
        variation_icon=pl.when(last).then(
            pl.col("variation_type").replace_strict(icons, default=None)
        ),
        assurance_icon=pl.col("assurance_type"),
    )
    return summary.drop("__target")


def _warn_short(summary: pl.DataFrame, facet: str | None, rules: RuleSet) -> None:
    short = summary.filter(pl.col("n") < rules.min_points)
    if short.height:
        where = short.select(*([facet] if facet else []), "rebase_group").head(5).rows()
        warnings.warn(
            f"mdc: {short.height} group(s) have fewer than {rules.min_points} points, so their "
            f"limits are trial limits (facet and rebase group: {where}).",
            SpcWarning,
            stacklevel=3,
        )
