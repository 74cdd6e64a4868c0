"""Who is compared with whom, and over which months: the design of each ROI analysis.

An *analysis* is one site's programme against its comparison homes, for each resource.
Its treated homes are the site's homes; its comparison homes are the other sites' homes
that run no change idea aimed at the resource (``Resource.targeted_by``). Its *before*
months are those before the site's start month (all of them, or the last
``baseline_months``); its *after* months run from the start month to the end of the data.
A comparison site (no change idea) gets a placebo analysis from the collaborative's first
start month: its rate ratios should cover 1.

Examples
--------
>>> from datetime import date
>>> inputs = pl.DataFrame({
...     "resource": ["r"] * 4, "site_id": ["a", "a", "b", "b"],
...     "home_id": ["h1", "h1", "h2", "h2"],
...     "period": [date(2024, 1, 1), date(2024, 2, 1)] * 2, "count": [4.0, 2.0, 5.0, 5.0],
...     "exposure": [1000.0] * 4, "usable": [True] * 4})
>>> starts = pl.DataFrame(
...     {"analysis": ["a"], "start": [date(2024, 2, 1)], "role": ["intervention"]})
>>> targeted = pl.DataFrame(schema={"resource": pl.String, "home_id": pl.String})
>>> rows = analysis_rows(inputs, starts, targeted)
>>> rows.select("home_id", "arm", "post", "count").rows()  # doctest: +NORMALIZE_WHITESPACE
[('h1', 'treated', False, 4.0), ('h1', 'treated', True, 2.0),
 ('h2', 'comparison', False, 5.0), ('h2', 'comparison', True, 5.0)]
>>> home_cells(rows).select("home_id", "o0", "o1", "e1").rows()
[('h1', 4.0, 2.0, 1000.0), ('h2', 5.0, 5.0, 1000.0)]
"""

from __future__ import annotations

import polars as pl

DISCOUNT_RATE = 0.035  # NICE reference case (PMG36 §4.5) and HM Treasury Green Book
TREATED, COMPARISON = "treated", "comparison"
COLLABORATIVE = "collaborative"  # the analysis that pools every intervention site
CELLS = ("o0", "e0", "o1", "e1", "o1d", "e1d")  # before/after counts and exposure, discounted


def _months_between(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    return (later.dt.year() - earlier.dt.year()) * 12 + later.dt.month() - earlier.dt.month()


def analysis_rows(
    inputs: pl.DataFrame,
    starts: pl.DataFrame,
    targeted: pl.DataFrame,
    *,
    baseline_months: int | None = None,
) -> pl.DataFrame:
    """Every usable home-month of every analysis, with its arm and period.

    Parameters
    ----------
    inputs : polars.DataFrame
        ``roi_inputs``: resource, site_id, home_id, period, count, exposure, usable.
    starts : polars.DataFrame
        One row per analysis: ``analysis`` (the site analysed), ``start`` (first month
        of its after period) and ``role`` (intervention or comparison).
    targeted : polars.DataFrame
        (resource, home_id) of the homes running a change idea aimed at the resource.
    baseline_months : int, optional
        Use only the last ``baseline_months`` months before the start as the before
        period (default: every month before it).

    Returns
    -------
    polars.DataFrame
        analysis, role, resource, site_id, home_id, period, arm (treated or comparison),
        post, months_in (months since the start, after months only), discount (the
        factor for the year of the after period it falls in), count, exposure.
    """
    usable = inputs.filter(pl.col("usable")).drop("usable")
    rows = (
        usable.join(starts, how="cross")
        .join(targeted.with_columns(aimed=pl.lit(True)), on=["resource", "home_id"], how="left")
        .with_columns(
            arm=pl.when(pl.col("site_id") == pl.col("analysis"))
            .then(pl.lit(TREATED))
            .when(pl.col("aimed").is_null())
            .then(pl.lit(COMPARISON)),
            months_in=_months_between(pl.col("period"), pl.col("start")),
        )
        .filter(pl.col("arm").is_not_null())
        .with_columns(post=pl.col("months_in") >= 0)
    )
    if baseline_months is not None:
        rows = rows.filter(pl.col("post") | (pl.col("months_in") >= -baseline_months))
    year = (pl.col("months_in") // 12).clip(lower_bound=0)
    return rows.with_columns(
        discount=pl.when(pl.col("post"))
        .then(1 / (1 + DISCOUNT_RATE) ** year)  # 3.5% a year beyond the first (PMG36)
        .otherwise(1.0)
    ).select(
        "analysis",
        "role",
        "resource",
        "site_id",
        "home_id",
        "period",
        "arm",
        "post",
        "months_in",
        "discount",
        "count",
        "exposure",
    )


def home_cells(rows: pl.DataFrame) -> pl.DataFrame:
    """Each home's before and after sums per analysis and resource (:data:`CELLS`).

    ``o``/``e`` are counts and exposure, ``0``/``1`` before and after, ``d`` discounted.
    """
    before, after = ~pl.col("post"), pl.col("post")
    return (
        rows.group_by("analysis", "resource", "site_id", "home_id", "arm", maintain_order=True)
        .agg(
            o0=pl.col("count").filter(before).sum(),
            e0=pl.col("exposure").filter(before).sum(),
            o1=pl.col("count").filter(after).sum(),
            e1=pl.col("exposure").filter(after).sum(),
            o1d=(pl.col("count") * pl.col("discount")).filter(after).sum(),
            e1d=(pl.col("exposure") * pl.col("discount")).filter(after).sum(),
            months0=pl.col("period").filter(before).n_unique(),
            months1=pl.col("period").filter(after).n_unique(),
        )
        .with_columns(pl.col(c).cast(pl.Float64) for c in CELLS)
        .sort("analysis", "resource", "site_id", "home_id")
    )
