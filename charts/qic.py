"""``qic()``: run charts and Shewhart control charts with qicharts2 0.8.1 semantics.

Why this module is long (about 620 lines): it is qicharts2's ``qic()`` in one place, its
arguments (facets, freeze, parts, exclude, multiply, target; freeze and parts also per
facet, so that every series of a chart type gets its own governed baseline in one
call) checked and laid out, the
one vectorised pass over every series, and the result's points and summary frames, all
of which share the private ``_Data`` and ``_Layout``. The limit formulas
(:mod:`charts.limits`), the runs rules (:mod:`charts.runs`) and the per-series
arithmetic (:mod:`charts.segments`) are already their own modules; splitting the rest
would scatter one function's argument handling across files.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from charts import frames
from charts.errors import SpcInputError, SpcWarning
from charts.limits import CHARTS, Limits, Subgroups, i_chart
from charts.rules import ANHOEJ, IHI, RuleSet, get_rule_set
from charts.runs import RunsAnalysis, anhoej, ihi
from charts.segments import Segments, breaks

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
    "target",
)
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
        n_crossings, n_crossings_min, runs_signal, sigma_signal and target. With
        the IHI rules also shift, trend, astronomical, n_runs, n_runs_min and n_runs_max.
    summary : polars.DataFrame
        One row per facet and part: n_obs, n_useful, longest_run,
        longest_run_max, n_crossings, n_crossings_min, runs_signal, the average
        limits (a_lcl, a_lcl_95, cl, a_ucl_95, a_ucl), sigma_signal (a count),
        trial_limits (the baseline had too few points for firm limits) and rule_set
        (name and version of the rules applied).
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
    target: float | None = None,
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
    freeze : x value, or dict of x values by facet value, optional
        Last x of the baseline: the centre line and limits come from the points up
        to it and are extended beyond. A dict (with one facet column) gives each
        series its own; series it does not name use every point. Ignored (with a
        warning) when ``parts`` is given.
    parts : list of x values, or dict of such lists by facet value, optional
        x values at which a new part, with its own centre line and limits, begins;
        a dict (with one facet column) gives each series its own.
    exclude : list of x values, optional
        Points left out of the centre line, limits and runs analysis; still returned.
    multiply : float
        Scale for y, the centre line and the limits (e.g. 1000 for per 1,000).
    screen_mr : bool
        Screen out moving ranges above 3.267 times their mean before estimating
        sigma (I, T, P', U' and I' charts), as qicharts2 does once attached.
    rules : str or RuleSet
        ``"anhoej"`` (qicharts2's runs rules) or, for run charts, ``"ihi"``.
    target : float, optional
        A target on the scale of the chart (after ``multiply``), drawn as a line and
        returned in the ``target`` column; it does not affect the signals.

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
    >>> falls = [3, 5, 4, 6, 2, 5, 3, 4, 9, 4, 5, 4]
    >>> r = qic(pl.DataFrame({"month": range(1, 13), "falls": falls}), x="month", y="falls",
    ...         chart="c")
    >>> r.points.select("month", "y", "cl", pl.col("ucl").round(2), "sigma_signal").tail(3)
    shape: (3, 5)
    ┌───────┬─────┬─────┬───────┬──────────────┐
    │ month ┆ y   ┆ cl  ┆ ucl   ┆ sigma_signal │
    │ ---   ┆ --- ┆ --- ┆ ---   ┆ ---          │
    │ i64   ┆ f64 ┆ f64 ┆ f64   ┆ bool         │
    ╞═══════╪═════╪═════╪═══════╪══════════════╡
    │ 10    ┆ 4.0 ┆ 4.5 ┆ 10.86 ┆ false        │
    │ 11    ┆ 5.0 ┆ 4.5 ┆ 10.86 ┆ false        │
    │ 12    ┆ 4.0 ┆ 4.5 ┆ 10.86 ┆ false        │
    └───────┴─────┴─────┴───────┴──────────────┘

    Nine falls in month 9 is high, but within what this process produces by chance.
    """
    if chart not in CHARTS:
        raise SpcInputError(
            f"qic: chart = {chart!r} is not a chart type. Use one of: {', '.join(CHARTS)}."
        )
    rule_set = get_rule_set(rules)
    if rule_set.name not in (ANHOEJ.name, IHI.name):
        raise SpcInputError(
            f"qic: rules = {rule_set.name!r} is not a run-chart rule set; use 'anhoej' or "
            "'ihi', or mdc() for Making Data Count charts."
        )
    if rule_set.name == "ihi" and chart != "run":
        raise SpcInputError(
            "qic: the IHI rules are rules for run charts (chart = 'run'). Control charts "
            "use 3-sigma limits with the 'anhoej' runs rules."
        )
    if target is not None and not np.isfinite(target):
        raise SpcInputError(f"qic: target = {target!r} must be a number.")
    if not (np.isfinite(multiply) and multiply > 0):
        raise SpcInputError(f"qic: multiply = {multiply!r} must be a positive number.")
    if freeze is not None and parts and not isinstance(freeze, Mapping):
        warnings.warn(
            "qic: freeze is ignored when parts are given (as in qicharts2); each part "
            "gets its own centre line and limits.",
            SpcWarning,
            stacklevel=2,
        )
        freeze = None

    data = _prepare(frame, x=x, y=y, n=n, chart=chart, facets=frames.as_list(facets))
    layout = _layout(data, freeze, parts, exclude)
    g = Subgroups(
        seg=layout.seg,
        **data.stats,
        base=layout.baseline & layout.include,
        got_n=n is not None,
        categorical=data.categorical,
        screen_mr=screen_mr,
    )
    lim = CHARTS[chart](g)
    runs = anhoej(g.seg, lim.y, lim.cl, layout.include)
    no_runs = data.categorical or chart == "mr"
    columns, per_segment = _columns(data, layout, g, lim, runs, multiply, no_runs)
    columns["target"] = np.full(len(g.y), np.nan if target is None else float(target))
    if rule_set.name == "ihi":
        _add_ihi(columns, per_segment, g, lim, runs, layout.include, rule_set)
    points = _points_frame(data, columns)
    summary = _summary(data, layout, g, per_segment, columns, chart, rule_set)
    return QicResult(
        points=points,
        summary=summary,
        chart=chart,
        rules=rule_set,
        x=data.x,
        y=y,
        n=n,
        facets=tuple(data.facets),
        multiply=float(multiply),
        screen_mr=screen_mr,
        categorical=data.categorical,
    )


@dataclass(frozen=True)
class _Data:
    """The input, one row per facet and x, sorted, with qicharts2's subgroup statistics."""

    keys: pl.DataFrame
    x: str
    facets: list[str]
    categorical: bool
    facet_first: np.ndarray
    stats: dict[str, np.ndarray]  # y, y_sum, y_length, y_mean, y_sd, n: see Subgroups


def _prepare(
    frame: Any, *, x: str | None, y: str, n: str | None, chart: str, facets: list[str]
) -> _Data:
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
    x_col = pl.col(x).cast(pl.String) if isinstance(df.schema[x], pl.Categorical) else pl.col(x)
    cols = [*(pl.col(f) for f in facets), x_col, frames.numeric(df, y, "y", "qic").alias("__y")]
    if n is not None:
        cols.append(frames.numeric(df, n, "n", "qic").alias("__n"))
    df = frames.drop_missing_keys(df.select(cols), [*facets, x], "qic")
    if facets or not df.get_column(x).is_sorted():
        # qicharts2 orders facets with the first facet varying fastest, then x.
        df = df.sort([*reversed(facets), x], maintain_order=True)
    yv = df.get_column("__y").to_numpy()
    nv = df.get_column("__n").to_numpy() if n is not None else None
    if nv is not None:
        _check_denominator(df, x, y, n, yv, nv, chart)
        missing = np.isnan(yv) | np.isnan(nv)  # complete.cases(y, n) blanks both
        if missing.any():
            yv, nv = np.where(missing, np.nan, yv), np.where(missing, np.nan, nv)
    if facets:
        facet_id = df.select(pl.struct(facets).rle_id()).to_series().to_numpy()
        facet_first = breaks(facet_id)
    else:
        facet_first = breaks(np.zeros(df.height, np.int8))
    x_key, _ = frames.order_keys(df.get_column(x), {}, "qic")
    dup = ~facet_first[1:] & (x_key[1:] == x_key[:-1])
    keys = df.select(*facets, x)
    if not dup.any():  # each facet and x once: nothing to aggregate
        n_filled = np.nan_to_num(nv, nan=0.0) if nv is not None else np.full(len(yv), np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            plotted = yv / n_filled if nv is not None else yv
        stats = {
            "y": plotted,
            "y_sum": yv,
            "y_length": (~np.isnan(yv)).astype(float),
            "y_mean": yv,
            "y_sd": np.full(len(yv), np.nan),
            "n": n_filled,
        }
        return _Data(keys, x, facets, categorical, facet_first, stats)
    blanked = {"__y": yv} if nv is None else {"__y": yv, "__n": nv}
    df = df.with_columns(pl.Series(k, v, nan_to_null=True) for k, v in blanked.items())
    agg = _aggregate(df, x, facets, n is not None)
    first = np.concatenate(([True], ~dup))
    stats = {c: agg.get_column(c).cast(pl.Float64).to_numpy() for c in _SUBGROUP_COLUMNS}
    return _Data(agg.select(*facets, x), x, facets, categorical, facet_first[first], stats)


_SUBGROUP_COLUMNS = ("y", "n", "y_sum", "y_length", "y_mean", "y_sd")


def _check_denominator(
    df: pl.DataFrame, x: str, y: str, n: str, yv: np.ndarray, nv: np.ndarray, chart: str
) -> None:
    def refuse(rows: np.ndarray, problem: str, fix: str) -> None:
        if rows.any():
            at = df.get_column(x).filter(pl.Series(rows)).head(3).to_list()
            raise SpcInputError(f"qic: {problem} in {int(rows.sum())} row(s), at {x} = {at}. {fix}")

    with np.errstate(invalid="ignore"):
        refuse(
            nv < 0,
            f"column {n!r} (n) has a negative denominator",
            "A denominator counts people, days or opportunities and cannot be negative: "
            "correct or remove those rows.",
        )
        if chart in _PROPORTION_CHARTS:
            refuse(
                yv > nv,
                f"on a {chart.upper()} chart y counts cases out of n, but {y!r} "
                f"is larger than {n!r}",
                "Check the two columns, or use a U chart for rates that can exceed 1.",
            )


def _aggregate(df: pl.DataFrame, x: str, facets: list[str], got_n: bool) -> pl.DataFrame:
    """One row per facet and x, with qicharts2's subgroup statistics (``qic.agg``)."""
    y = pl.col("__y")
    n_sum = pl.col("__n").sum() if got_n else pl.lit(None, pl.Float64)
    return df.group_by([*facets, x], maintain_order=True).agg(
        y_sum=pl.when(pl.len() == 1).then(y.first()).otherwise(y.sum()),
        y_length=y.count(),
        y_mean=y.mean(),
        y_sd=y.std(ddof=1),
        n=n_sum,
        y=(y.sum() / n_sum) if got_n else y.mean(),
    )


@dataclass(frozen=True)
class _Layout:
    """Where each row sits: its series (facet x part), baseline and exclusion."""

    seg: Segments
    facet: Segments
    part: np.ndarray
    baseline: np.ndarray
    include: np.ndarray


def _layout(data: _Data, freeze: Any, parts: Any, exclude: Any) -> _Layout:
    rows = data.keys.height
    if rows == 0:
        raise SpcInputError("qic: there are no rows with an x value to chart.")
    by_facet = {k: v for k, v in (("freeze", freeze), ("parts", parts)) if isinstance(v, Mapping)}
    x_key, keys = frames.order_keys(
        data.keys.get_column(data.x),
        {
            "freeze": None if "freeze" in by_facet else freeze,
            "parts": None if "parts" in by_facet else parts,
            "exclude": exclude,
        },
        "qic",
    )
    facet = Segments.from_breaks(data.facet_first)
    part = np.ones(rows, np.int64)
    part_start = np.full(rows, -np.inf)  # key of the x at which each row's part began
    if "parts" in by_facet:
        starts = _per_facet(data, "parts", by_facet["parts"])
        hit = starts.filter(pl.col("__key") >= pl.col("__at"))
        part += np.bincount(hit.get_column("__row").to_numpy(), minlength=rows)
        began = hit.group_by("__row").agg(pl.col("__at").max())
        part_start[began.get_column("__row").to_numpy()] = began.get_column("__at").to_numpy()
    elif keys["parts"] is not None and len(keys["parts"]):
        count = np.searchsorted(np.sort(keys["parts"]), x_key, side="right")
        part += count - facet.repeat(count[facet.starts])
    if "freeze" in by_facet:
        # frozen: after a freeze x that lies in the row's own part (a rebase after a
        # freeze starts a part whose limits come from all its points)
        at = _per_facet(data, "freeze", by_facet["freeze"])
        at = at.with_columns(__start=part_start[at.get_column("__row").to_numpy()])
        frozen = at.filter(
            (pl.col("__key") > pl.col("__at")) & (pl.col("__at") >= pl.col("__start"))
        ).get_column("__row")
        baseline = np.ones(rows, bool)
        baseline[frozen.to_numpy()] = False
    else:
        baseline = np.ones(rows, bool) if keys["freeze"] is None else x_key <= keys["freeze"][0]
    include = np.ones(rows, bool)
    if keys["exclude"] is not None:
        include = ~np.isin(x_key, keys["exclude"])
    seg = Segments.from_breaks(data.facet_first | np.concatenate(([True], part[1:] != part[:-1])))
    return _Layout(seg, facet, part, baseline, include)


def _per_facet(data: _Data, name: str, given: Mapping[Any, Any]) -> pl.DataFrame:
    """Each row (``__row``, its x key ``__key``) paired with its facet's given x (``__at``).

    ``freeze`` (one x per facet value) and ``parts`` (x values per facet value) may be
    dicts keyed by the value of the one facet column: each series its own baseline.
    """
    if len(data.facets) != 1:
        raise SpcInputError(
            f"qic: {name} is a dict by facet value, which needs exactly one facet column "
            f"(facets = {data.facets}). Combine the facets into one column first."
        )
    (facet,) = data.facets
    pairs = [(k, v) for k, values in given.items() for v in frames.as_values(values)]
    x = data.keys.get_column(data.x)
    values = frames.as_x_values(x, [v for _, v in pairs], name, "qic")
    x_key, _ = frames.order_keys(pl.concat([x, values]), {}, "qic")
    table = pl.DataFrame(
        {facet: [k for k, _ in pairs], "__at": x_key[x.len() :]},
        schema_overrides={facet: data.keys.schema[facet]},
    )
    rows = data.keys.select(facet).with_columns(__key=pl.Series(x_key[: x.len()]))
    return rows.with_row_index("__row").join(table, on=facet, how="inner")


def _columns(
    data: _Data,
    layout: _Layout,
    g: Subgroups,
    lim: Limits,
    runs: RunsAnalysis,
    multiply: float,
    no_runs: bool,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The points table's columns as arrays, and the per-series statistics."""
    scaled = {k: getattr(lim, k) * multiply for k in ("y", "cl", "lcl", "ucl", "lcl_95", "ucl_95")}
    with np.errstate(invalid="ignore"):  # strict; on the unscaled values, as multiply comes after
        sigma = (lim.y > lim.ucl) | (lim.y < lim.lcl)
    per_segment = {
        "n_obs": runs.n_obs,
        "n_useful": runs.n_useful,
        "longest_run": runs.longest_run,
        "longest_run_max": runs.longest_run_max,
        "n_crossings": runs.n_crossings,
        "n_crossings_min": runs.n_crossings_min,
        "runs_signal": runs.signal & (not no_runs),
    }
    columns = {
        "y": scaled["y"],
        **{k: data.stats[k] for k in _SUBGROUP_COLUMNS[1:]},
        "cl": scaled["cl"],
        "lcl": scaled["lcl"],
        "ucl": scaled["ucl"],
        "lcl_95": scaled["lcl_95"],
        "ucl_95": scaled["ucl_95"],
        "part": layout.part,
        "xx": layout.facet.position + 1,
        "baseline": layout.baseline,
        "include": layout.include,
        **{k: g.per_row(v) for k, v in per_segment.items()},
        "sigma_signal": sigma,
    }
    return columns, per_segment


_COUNTS = (
    "y_length",
    "longest_run",
    "longest_run_max",
    "n_crossings",
    "n_crossings_min",
    "n_runs",
    "n_runs_min",
    "n_runs_max",
)


def _series(name: str, values: np.ndarray, count: bool = False) -> pl.Series:
    """A column with non-finite numbers as null (and whole numbers as Int64 if ``count``)."""
    if values.dtype.kind != "f":
        return pl.Series(name, values)
    finite = np.isfinite(values)
    if finite.all():
        return pl.Series(name, values.astype(np.int64) if count else values)
    if not finite.any():  # e.g. n without a denominator, y_sd of single values, no target
        dtype = pl.Int64 if count else pl.Float64
        return pl.repeat(None, len(values), dtype=dtype, eager=True).alias(name)
    s = pl.Series(name, np.where(finite, values, np.nan), nan_to_null=True)
    return s.cast(pl.Int64) if count else s


def _frame(columns: dict[str, np.ndarray]) -> pl.DataFrame:
    return pl.DataFrame([_series(k, v, count=k in _COUNTS) for k, v in columns.items()])


def _points_frame(data: _Data, columns: dict[str, np.ndarray]) -> pl.DataFrame:
    """The points table: key columns, then every column, non-finite numbers as null."""
    return pl.concat([data.keys, _frame(columns)], how="horizontal")


def _add_ihi(
    columns: dict[str, np.ndarray],
    per_segment: dict[str, np.ndarray],
    g: Subgroups,
    lim: Limits,
    runs: RunsAnalysis,
    include: np.ndarray,
    rules: RuleSet,
) -> None:
    """Add the IHI rules: shift, trend, runs, and astronomical points (beyond 3 sigma)."""
    res = ihi(g.seg, lim.y, include, runs, rules)
    # Astronomical: beyond 3 sigma of the median, sigma from the (screened) moving ranges,
    # so that the outlier itself neither drags the centre nor widens the limits.
    xmr = i_chart(g)
    with np.errstate(invalid="ignore"):
        astronomical = np.abs(lim.y - lim.cl) > xmr.ucl - xmr.cl
    signal = (g.seg.count(res.shift) > 0) | (g.seg.count(res.trend) > 0) | res.runs_signal
    per_segment.update(
        shift=g.seg.count(res.shift),
        trend=g.seg.count(res.trend),
        astronomical=g.seg.count(astronomical),
        n_runs=res.n_runs,
        n_runs_min=res.runs_lower,
        n_runs_max=res.runs_upper,
        runs_signal=signal,
    )
    columns.update(
        shift=res.shift,
        trend=res.trend,
        astronomical=astronomical,
        n_runs=g.per_row(res.n_runs),
        n_runs_min=g.per_row(res.runs_lower),
        n_runs_max=g.per_row(res.runs_upper),
        runs_signal=g.per_row(signal),
    )


def _summary(
    data: _Data,
    layout: _Layout,
    g: Subgroups,
    per_segment: dict[str, np.ndarray],
    columns: dict[str, np.ndarray],
    chart: str,
    rules: RuleSet,
) -> pl.DataFrame:
    """One row per facet and part (qicharts2 ``summary.qic``), plus trial-limit flags."""
    seg = g.seg

    def average(column: str) -> np.ndarray:
        v = columns[column]
        finite = np.isfinite(v)
        with np.errstate(invalid="ignore", divide="ignore"):
            return seg.sum(np.where(finite, v, 0.0)) / seg.count(finite)

    firm = seg.count(g.base & ~np.isnan(g.y)) >= rules.min_points
    trial = ~firm if chart != "run" else np.zeros(seg.size, bool)
    stats = {
        "part": layout.part[seg.starts],
        **per_segment,
        "a_lcl": average("lcl"),
        "a_lcl_95": average("lcl_95"),
        "cl": average("cl"),
        "a_ucl_95": average("ucl_95"),
        "a_ucl": average("ucl"),
        "sigma_signal": seg.count(columns["sigma_signal"]),
        "trial_limits": trial,
    }
    summary = _frame(stats)
    if data.facets:
        summary = pl.concat([data.keys.select(data.facets)[seg.starts], summary], how="horizontal")
    if len(data.facets) > 1:  # segments run with the first facet fastest; list it first
        summary = summary.sort([*data.facets, "part"], maintain_order=True)
    summary = summary.with_columns(rule_set=pl.lit(f"{rules.name} {rules.version}"))
    _warn_trial(summary, data.facets, trial, rules)
    return summary


def _warn_trial(
    summary: pl.DataFrame, facets: list[str], trial: np.ndarray, rules: RuleSet
) -> None:
    if not trial.any():
        return
    short = summary.filter(pl.col("trial_limits")).select(*facets, "part").head(5).rows()
    where = "; ".join(" ".join([*map(str, row[:-1]), f"part {row[-1]}"]) for row in short)
    warnings.warn(
        f"qic: {int(trial.sum())} series have fewer than {rules.min_points} baseline points, "
        f"so their limits are trial limits that will firm up as data accrue ({where}).",
        SpcWarning,
        stacklevel=3,
    )
