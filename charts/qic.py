"""``qic()``: run charts and Shewhart control charts with qicharts2 0.8.1 semantics."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from charts import frames
from charts.errors import SpcInputError, SpcWarning
from charts.limits import CHARTS, Limits, Subgroups, i_chart
from charts.rules import ANHOEJ, IHI, RuleSet, get_rule_set
from charts.runs import RunsAnalysis, anhoej, ihi
from charts.segments import breaks, seg_count

_OUTPUT_COLUMNS = (
    "y",
    "n",
    "y_sum",
    "y_length",
    "y_mean",
    "y_sd",
    "cl",
    "lcl",
    "ucl",
    "lcl_95",
    "ucl_95",
    "part",
    "xx",
    "baseline",
    "include",
    "n_obs",
    "n_useful",
    "longest_run",
    "longest_run_max",
    "n_crossings",
    "n_crossings_min",
    "runs_signal",
    "sigma_signal",
)
_RATE_CHARTS = frozenset({"p", "pp", "u", "up"})
_PROPORTION_CHARTS = frozenset({"p", "pp"})


@dataclass(frozen=True)
class QicResult:
    """What :func:`qic` found: the points, a summary per facet and part, and how.

    Attributes
    ----------
    points : polars.DataFrame
        One row per facet and x: the x and facet columns under their own names,
        then y, n, y_sum, y_length, y_mean, y_sd, cl, lcl, ucl, lcl_95, ucl_95,
        part, xx, baseline, include, n_obs, n_useful, longest_run, longest_run_max,
        n_crossings, n_crossings_min, runs_signal and sigma_signal. With the IHI
        rules also shift, trend and astronomical.
    summary : polars.DataFrame
        One row per facet and part: n_obs, n_useful, longest_run,
        longest_run_max, n_crossings, n_crossings_min, runs_signal, the average
        limits (a_lcl, a_lcl_95, cl, a_ucl_95, a_ucl), sigma_signal (a count) and
        trial_limits (the baseline had too few points for firm limits).
    chart : str
        Chart type.
    rules : RuleSet
        The rule set applied, with its version.
    x, y, n : str or None
        Column names as given.
    facets : tuple of str
        Facet columns.
    multiply : float
        Scale applied to y, the centre line and the limits.
    screen_mr : bool
        Whether large moving ranges were screened out before sigma was estimated.
    categorical : bool
        Whether x was categorical (points are not joined; no runs analysis).
    """

    points: pl.DataFrame
    summary: pl.DataFrame
    chart: str
    rules: RuleSet
    x: str
    y: str
    n: str | None
    facets: tuple[str, ...]
    multiply: float
    screen_mr: bool
    categorical: bool


def qic(
    frame: Any,
    *,
    x: str | None,
    y: str,
    n: str | None = None,
    chart: str = "run",
    facets: str | Sequence[str] | None = None,
    freeze: Any = None,
    parts: Sequence[Any] | None = None,
    exclude: Sequence[Any] | None = None,
    multiply: float = 1,
    screen_mr: bool = True,
    rules: str | RuleSet = "anhoej",
) -> QicResult:
    """Run chart or control chart of ``y`` (over ``n``) along ``x``, per facet.

    Computes what qicharts2 0.8.1's ``qic()`` computes (with ``library(qicharts2)``
    attached), for every facet in one vectorised pass.

    Parameters
    ----------
    frame : polars.DataFrame or pandas.DataFrame
        The data, one row per observation. Rows sharing a facet and x value are
        aggregated into one subgroup as qicharts2 does.
    x : str or None
        Column to plot along: numbers, dates or categories. ``None`` numbers the
        rows 1, 2, ... in the order given, in a column called ``x``.
    y : str
        Measure (numerator).
    n : str, optional
        Denominator; with it the plotted value is ``sum(y) / sum(n)``.
    chart : str
        One of run, i, mr, xbar, s, t, p, pp, c, u, up, g, ip.
    facets : str or list of str, optional
        Columns whose values each get a chart of their own.
    freeze : x value, optional
        Last x of the baseline: the centre line and limits come from the points up
        to it and are extended beyond. Ignored (with a warning) when ``parts`` is given.
    parts : list of x values, optional
        x values at which a new part, with its own centre line and limits, begins.
    exclude : list of x values, optional
        Points left out of the centre line, limits and runs analysis; still returned.
    multiply : float
        Scale for y, the centre line and the limits (e.g. 1000 for per 1,000).
    screen_mr : bool
        Screen out moving ranges above 3.267 times their mean before estimating
        sigma (I, T, P', U' and I' charts), as qicharts2 does once attached.
    rules : str or RuleSet
        ``"anhoej"`` (qicharts2's runs rules) or, for run charts, ``"ihi"``.

    Returns
    -------
    QicResult

    Raises
    ------
    SpcInputError
        For a missing column, non-numeric y or n, a negative denominator, y > n on a
        P chart, an unknown chart type, or argument values that are not x values.

    Examples
    --------
    >>> import polars as pl
    >>> d = pl.DataFrame({"month": list(range(1, 11)), "falls": [3, 5, 4, 6, 2, 5, 3, 4, 9, 4]})
    >>> r = qic(d, x="month", y="falls", chart="c")
    >>> r.points.select("month", "y", "cl", "ucl", "sigma_signal").tail(3)
    shape: (3, 5)
    ┌───────┬─────┬─────┬──────────┬──────────────┐
    │ month ┆ y   ┆ cl  ┆ ucl      ┆ sigma_signal │
    │ ---   ┆ --- ┆ --- ┆ ---      ┆ ---          │
    │ i64   ┆ f64 ┆ f64 ┆ f64      ┆ bool         │
    ╞═══════╪═════╪═════╪══════════╪══════════════╡
    │ 8     ┆ 4.0 ┆ 4.5 ┆ 10.86396 ┆ false        │
    │ 9     ┆ 9.0 ┆ 4.5 ┆ 10.86396 ┆ false        │
    │ 10    ┆ 4.0 ┆ 4.5 ┆ 10.86396 ┆ false        │
    └───────┴─────┴─────┴──────────┴──────────────┘

    Nine falls in month 9 is high, but within what this process produces by chance.
    """
    if chart not in CHARTS:
        raise SpcInputError(
            f"qic: chart = {chart!r} is not a chart type. Use one of: {', '.join(CHARTS)}."
        )
    rule_set = get_rule_set(rules)
    if rule_set not in (ANHOEJ, IHI) and rule_set.name not in ("anhoej", "ihi"):
        raise SpcInputError(
            f"qic: rules = {rule_set.name!r} is not a run-chart rule set; use 'anhoej' or "
            "'ihi', or mdc() for Making Data Count charts."
        )
    if rule_set.name == "ihi" and chart != "run":
        raise SpcInputError(
            "qic: the IHI rules are rules for run charts (chart = 'run'). Control charts "
            "use 3-sigma limits with the 'anhoej' runs rules."
        )
    if not (np.isfinite(multiply) and multiply > 0):
        raise SpcInputError(f"qic: multiply = {multiply!r} must be a positive number.")
    if freeze is not None and parts:
        warnings.warn(
            "qic: freeze is ignored when parts are given (as in qicharts2); each part "
            "gets its own centre line and limits.",
            SpcWarning,
            stacklevel=2,
        )
        freeze = None

    prepared = _prepare(frame, x=x, y=y, n=n, chart=chart, facets=frames.as_list(facets))
    df, x_name, facet_cols, categorical = prepared
    subgroups, _fid, xx, part, baseline, include, seg_first = _segments(
        df, x_name, freeze, parts, exclude, n is not None, categorical, chart, screen_mr
    )
    lim = CHARTS[chart](subgroups)
    runs = anhoej(subgroups.seg, lim.y, lim.cl, include, subgroups.size)
    points = _points(
        df,
        x_name,
        facet_cols,
        subgroups,
        lim,
        runs,
        part,
        xx,
        baseline,
        include,
        multiply,
        categorical or chart == "mr",
    )
    if rule_set.name == "ihi":
        points = _with_ihi(points, subgroups, lim, runs, include, rule_set)
    summary = _summary(points, facet_cols, subgroups, seg_first, chart, rule_set)
    return QicResult(
        points=points,
        summary=summary,
        chart=chart,
        rules=rule_set,
        x=x_name,
        y=y,
        n=n,
        facets=tuple(facet_cols),
        multiply=float(multiply),
        screen_mr=screen_mr,
        categorical=categorical,
    )


def _prepare(
    frame: Any, *, x: str | None, y: str, n: str | None, chart: str, facets: list[str]
) -> tuple[pl.DataFrame, str, list[str], bool]:
    """Validate the input and aggregate it to one row per facet and x, sorted."""
    df = frames.to_polars(frame, "qic")
    frames.require_columns(
        df, "qic", [("y", y), ("n", n), ("x", x), *(("facets", f) for f in facets)]
    )
    if x is None:  # number the rows 1, 2, ... as qicharts2 does for qic(y)
        x = "x"
        df = df.select(y, *([n] if n else []), *facets).with_row_index(x, offset=1)
    clash = {x, *facets} & set(_OUTPUT_COLUMNS)
    if clash:
        raise SpcInputError(
            f"qic: column {sorted(clash)[0]!r} is used as x or a facet, but the result has a "
            "column of that name. Rename it first, e.g. df.rename({'n': 'count'})."
        )
    categorical = frames.check_x(df, x, "qic")
    yv = frames.numeric_values(df, y, "y", "qic")
    cols = [
        *(pl.col(f) for f in facets),
        pl.col(x).cast(pl.String) if isinstance(df.schema[x], pl.Categorical) else pl.col(x),
        yv.alias("__y"),
    ]
    if n is not None:
        nv = frames.numeric_values(df, n, "n", "qic")
        _check_denominator(df, x, y, n, yv, nv, chart)
        cols.append(nv.alias("__n"))
    df = df.select(cols)
    df = frames.drop_missing_keys(df, [*facets, x], "qic")
    if n is not None:  # complete.cases(y, n): a missing y or n blanks both
        missing = pl.col("__y").is_null() | pl.col("__n").is_null()
        df = df.with_columns(
            pl.when(~missing).then(pl.col("__y")).alias("__y"),
            pl.when(~missing).then(pl.col("__n")).alias("__n"),
        )
    # qicharts2 orders facets with the first facet varying fastest, then x.
    df = df.sort([*reversed(facets), x], maintain_order=True)
    return _aggregate(df, x, facets, n is not None), x, facets, categorical


def _check_denominator(
    df: pl.DataFrame, x: str, y: str, n: str, yv: pl.Series, nv: pl.Series, chart: str
) -> None:
    negative = (nv < 0).fill_null(False)
    if negative.any():
        at = df.get_column(x).filter(negative).head(3).to_list()
        raise SpcInputError(
            f"qic: column {n!r} (n) has {int(negative.sum())} negative denominator(s), at "
            f"{x} = {at}. A denominator counts people, days or opportunities and cannot "
            "be negative: correct or remove those rows."
        )
    if chart in _PROPORTION_CHARTS:
        over = (yv > nv).fill_null(False)
        if over.any():
            at = df.get_column(x).filter(over).head(3).to_list()
            raise SpcInputError(
                f"qic: on a {chart.upper()} chart y is a count of cases out of n, but {y!r} "
                f"is larger than {n!r} in {int(over.sum())} row(s), at {x} = {at}. "
                "Check the two columns, or use a U chart for rates that can exceed 1."
            )


def _aggregate(df: pl.DataFrame, x: str, facets: list[str], got_n: bool) -> pl.DataFrame:
    """One row per facet and x, with qicharts2's subgroup statistics (``qic.agg``)."""
    keys = [*facets, x]
    dup = df.select(pl.any_horizontal(pl.col(k).ne_missing(pl.col(k).shift()) for k in keys))
    y = pl.col("__y")
    n_sum = pl.col("__n").sum() if got_n else pl.lit(None, pl.Float64)
    if dup.to_series().slice(1).all():  # each facet and x once: nothing to aggregate
        n_col = pl.col("__n").fill_null(0) if got_n else pl.lit(None, pl.Float64)
        return df.select(
            *keys,
            y_sum=y,
            y_length=y.is_not_null().cast(pl.Int64),
            y_mean=y,
            y_sd=pl.lit(None, pl.Float64),
            n=n_col,
            y=(y / n_col) if got_n else y,
        )
    return df.group_by(keys, maintain_order=True).agg(
        y_sum=pl.when(pl.len() == 1).then(y.first()).otherwise(y.sum()),
        y_length=y.count().cast(pl.Int64),
        y_mean=y.mean(),
        y_sd=y.std(ddof=1),
        n=n_sum,
        y=(y.sum() / n_sum) if got_n else y.mean(),
    )


def _segments(
    df: pl.DataFrame,
    x: str,
    freeze: Any,
    parts: Sequence[Any] | None,
    exclude: Sequence[Any] | None,
    got_n: bool,
    categorical: bool,
    chart: str,
    screen_mr: bool,
) -> tuple[Subgroups, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Facets, parts, baseline and exclusions of every row, as segment arrays."""
    facet_cols = [c for c in df.columns[: df.columns.index(x)]]
    rows = df.height
    if facet_cols:
        fid = df.select(pl.struct(facet_cols).rle_id()).to_series().to_numpy().astype(np.int64)
    else:
        fid = np.zeros(rows, np.int64)
    first = breaks(fid)
    facet_start = np.flatnonzero(first)
    xx = np.arange(rows) - facet_start[np.cumsum(first) - 1]
    x_key, keys = frames.order_keys(
        df.get_column(x), {"freeze": freeze, "parts": parts, "exclude": exclude}, "qic"
    )
    part = np.ones(rows, np.int64)
    if keys["parts"] is not None and len(keys["parts"]):
        starts = np.sort(keys["parts"])
        count = np.searchsorted(starts, x_key, side="right")
        part += count - count[facet_start][np.cumsum(first) - 1]
    baseline = np.ones(rows, bool) if keys["freeze"] is None else x_key <= keys["freeze"][0]
    include = np.ones(rows, bool)
    if keys["exclude"] is not None:
        include = ~np.isin(x_key, keys["exclude"])
    seg_first = breaks(fid, part)
    seg = np.cumsum(seg_first) - 1
    y = _float(df, "y")
    if got_n:
        y = np.where(np.isfinite(y), y, np.nan)  # a zero denominator gives a missing point
    subgroups = Subgroups(
        seg=seg,
        size=int(seg[-1] + 1) if rows else 0,
        y=y,
        y_sum=_float(df, "y_sum"),
        y_length=df.get_column("y_length").to_numpy().astype(float),
        y_mean=_float(df, "y_mean"),
        y_sd=_float(df, "y_sd"),
        n=_float(df, "n"),
        base=baseline & include,
        got_n=got_n,
        categorical=categorical,
        screen_mr=screen_mr,
    )
    if rows == 0:
        raise SpcInputError("qic: there are no rows with an x value to chart.")
    return subgroups, fid, xx, part, baseline, include, seg_first


def _float(df: pl.DataFrame, column: str) -> np.ndarray:
    return df.get_column(column).cast(pl.Float64).to_numpy()


def _finite(a: np.ndarray) -> pl.Series:
    with np.errstate(invalid="ignore"):
        return pl.Series(np.where(np.isfinite(a), a, np.nan), nan_to_null=True)


def _count(a: np.ndarray) -> pl.Series:
    return pl.Series(a, nan_to_null=True).cast(pl.Int64)


def _points(
    df: pl.DataFrame,
    x: str,
    facets: list[str],
    g: Subgroups,
    lim: Limits,
    runs: RunsAnalysis,
    part: np.ndarray,
    xx: np.ndarray,
    baseline: np.ndarray,
    include: np.ndarray,
    multiply: float,
    no_runs: bool,
) -> pl.DataFrame:
    """The points table: every row with its limits, multiplied, and its signals."""
    y, cl, lcl, ucl, lcl95, ucl95 = (
        a * multiply for a in (lim.y, lim.cl, lim.lcl, lim.ucl, lim.lcl_95, lim.ucl_95)
    )
    with np.errstate(invalid="ignore"):
        sigma = (y > ucl) | (y < lcl)  # strict; a missing value or limit gives no signal
    runs_signal = runs.signal & (not no_runs)
    return df.select(
        *facets,
        x,
        y=_finite(y),
        n=pl.col("n"),
        y_sum=pl.col("y_sum"),
        y_length=pl.col("y_length"),
        y_mean=pl.col("y_mean").fill_nan(None),
        y_sd=pl.col("y_sd").fill_nan(None),
        cl=_finite(cl),
        lcl=_finite(lcl),
        ucl=_finite(ucl),
        lcl_95=_finite(lcl95),
        ucl_95=_finite(ucl95),
        part=pl.Series(part),
        xx=pl.Series(xx + 1),
        baseline=pl.Series(baseline),
        include=pl.Series(include),
        n_obs=pl.Series(g.per_row(runs.n_obs)),
        n_useful=pl.Series(g.per_row(runs.n_useful)),
        longest_run=_count(g.per_row(runs.longest_run)),
        longest_run_max=_count(g.per_row(runs.longest_run_max)),
        n_crossings=_count(g.per_row(runs.n_crossings)),
        n_crossings_min=_count(g.per_row(runs.n_crossings_min)),
        runs_signal=pl.Series(g.per_row(runs_signal)),
        sigma_signal=pl.Series(sigma),
    )


def _with_ihi(
    points: pl.DataFrame,
    g: Subgroups,
    lim: Limits,
    runs: RunsAnalysis,
    include: np.ndarray,
    rules: RuleSet,
) -> pl.DataFrame:
    """Add the IHI rules: shift, trend, runs, and astronomical points (beyond 3 sigma)."""
    res = ihi(g.seg, lim.y, include, runs, g.size, rules)
    # Astronomical: beyond 3 sigma of the median, sigma from the (screened) moving ranges,
    # so that the outlier itself neither drags the centre nor widens the limits.
    xmr = i_chart(g)
    with np.errstate(invalid="ignore"):
        astronomical = np.abs(lim.y - lim.cl) > xmr.ucl - xmr.cl
    seg_shift = np.bincount(g.seg, weights=res.shift, minlength=g.size) > 0
    seg_trend = np.bincount(g.seg, weights=res.trend, minlength=g.size) > 0
    signal = seg_shift | seg_trend | res.runs_signal
    return points.with_columns(
        shift=pl.Series(res.shift),
        trend=pl.Series(res.trend),
        astronomical=pl.Series(astronomical),
        n_runs=_count(g.per_row(res.n_runs)),
        n_runs_min=_count(g.per_row(res.runs_lower)),
        n_runs_max=_count(g.per_row(res.runs_upper)),
        runs_signal=pl.Series(g.per_row(signal)),
    )


def _summary(
    points: pl.DataFrame,
    facets: list[str],
    g: Subgroups,
    seg_first: np.ndarray,
    chart: str,
    rules: RuleSet,
) -> pl.DataFrame:
    """One row per facet and part (qicharts2 ``summary.qic``), plus trial-limit flags."""
    firm = seg_count(g.seg, g.base & ~np.isnan(g.y), g.size) >= rules.min_points
    trial = ~firm if chart != "run" else np.zeros(g.size, bool)
    extra = ["n_runs", "n_runs_min", "n_runs_max"] if rules.name == "ihi" else []
    flags = ["shift", "trend", "astronomical"] if rules.name == "ihi" else []
    summary = (
        points.with_columns(__seg=pl.Series(g.seg))
        .group_by("__seg", maintain_order=True)
        .agg(
            *(
                pl.col(c).first()
                for c in [
                    *facets,
                    "part",
                    "n_obs",
                    "n_useful",
                    "longest_run",
                    "longest_run_max",
                    "n_crossings",
                    "n_crossings_min",
                ]
            ),
            *(pl.col(c).first() for c in extra),
            pl.col("runs_signal").first(),
            *(pl.col(c).sum() for c in flags),
            a_lcl=pl.col("lcl").mean(),
            a_lcl_95=pl.col("lcl_95").mean(),
            cl=pl.col("cl").mean(),
            a_ucl_95=pl.col("ucl_95").mean(),
            a_ucl=pl.col("ucl").mean(),
            sigma_signal=pl.col("sigma_signal").sum().cast(pl.Int64),
        )
        .with_columns(trial_limits=pl.Series(trial))
        .drop("__seg")
        .sort([*facets, "part"], maintain_order=True)
    )
    _warn_trial(summary, facets, trial, rules)
    del seg_first
    return summary


def _warn_trial(
    summary: pl.DataFrame, facets: list[str], trial: np.ndarray, rules: RuleSet
) -> None:
    if not trial.any():
        return
    where = summary.filter(pl.col("trial_limits")).select(*facets, "part").head(5).rows()
    warnings.warn(
        f"qic: {int(trial.sum())} series have fewer than {rules.min_points} baseline points, "
        f"so their limits are trial limits that will firm up as data accrue "
        f"(facets and part: {where}).",
        SpcWarning,
        stacklevel=3,
    )
