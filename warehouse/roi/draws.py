"""Money per draw for every analysis: the programme's cost and the priced events.

:func:`run_draws` prices :func:`warehouse.roi.analysis.evaluate`'s events for home
weights ``w`` (every bootstrap draw, or row 0 alone for a sensitivity run) and
:func:`programme_cost` costs each site's programme lines up to the end of its data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from warehouse.roi.analysis import CellArrays, Prices, evaluate, long_share
from warehouse.roi.inputs import INTERVENTION
from warehouse.roi.intervention_costs import PER_HOUR
from warehouse.roi.resources import NEL_MIX, POUND, Resource


@dataclass(frozen=True)
class Draws:
    """Per draw (row 0: the point estimate) and analysis: the money and the events.

    Arrays are (B, A) for money and (B, A, R) for events; ``analyses`` and
    ``resources`` name the axes.
    """

    analyses: tuple[str, ...]
    resources: tuple[str, ...]
    cost: np.ndarray
    gross: np.ndarray
    savings: np.ndarray
    cash: np.ndarray
    capacity: np.ndarray
    by_resource: np.ndarray
    expected: np.ndarray
    observed: np.ndarray
    avoided: np.ndarray
    controlled: np.ndarray
    nel_price: np.ndarray


def cost_lines(costs: pl.DataFrame) -> pl.DataFrame:
    """Intervention cost lines with ``rate_item``: the unit cost that priced their hours.

    Null where the site gave the cost in pounds (it does not move with a unit cost).
    """
    if "unit_cost" not in costs.columns:
        costs = costs.with_columns(unit_cost=pl.lit(None, dtype=pl.String))
    return costs.with_columns(rate_item=pl.col("unit_cost"))


def _months(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    return (later.dt.year() - earlier.dt.year()) * 12 + later.dt.month() - earlier.dt.month()


def programme_cost(
    lines: pl.DataFrame,
    windows: pl.DataFrame,
    analyses: tuple[str, ...],
    items: list[str],
    prices: np.ndarray,
) -> np.ndarray:
    """Each analysis's programme cost per draw (B, A): its site's lines up to the end.

    Lines after the start are discounted at 3.5% a year beyond the first; lines priced
    at an hourly unit cost take that cost's draw.
    """
    b = prices.shape[0]
    out = np.zeros((b, len(analyses)))
    if lines.is_empty():
        return out
    year = (_months(pl.col("month"), pl.col("start")) // 12).clip(lower_bound=0)
    scoped = (
        lines.join(windows.rename({"analysis": "site_id"}), on="site_id")
        .filter((pl.col("month") <= pl.col("end")) & (pl.col("role_of_site") == INTERVENTION))
        .with_columns(discount=1 / 1.035**year)  # 3.5% a year (NICE PMG36)
    )
    a_idx = {a: i for i, a in enumerate(analyses)}
    k_idx = {k: i for i, k in enumerate(items)}
    fixed = (
        scoped.filter(pl.col("rate_item").is_null())
        .group_by("site_id")
        .agg((pl.col("cost") * pl.col("discount")).sum())
    )
    for site, cost in fixed.iter_rows():
        out[:, a_idx[site]] += cost
    hourly = (
        scoped.filter(pl.col("rate_item").is_not_null())
        .group_by("site_id", "rate_item")
        .agg((pl.col("hours") * pl.col("discount")).sum())
    )
    for site, item, hours in hourly.iter_rows():
        out[:, a_idx[site]] += hours * PER_HOUR.get(item, 1.0) * prices[:, k_idx[item]]
    return out


def price_set(
    resources: tuple[Resource, ...],
    items: list[str],
    drawn: np.ndarray,
    share: float | None = None,
    override: dict[str, float] | None = None,
) -> Prices:
    """The prices of every resource per draw from the unit-cost draws ``drawn`` (B, K)."""
    col = {k: i for i, k in enumerate(items)}
    b = drawn.shape[0]

    def column(item: str) -> np.ndarray:
        if override and item in override:
            return np.full(b, override[item])
        return drawn[:, col[item]]

    per_unit = np.column_stack(
        [np.ones(b) if r.unit_cost in (POUND, NEL_MIX) else column(r.unit_cost) for r in resources]
    )
    return Prices(
        per_unit=per_unit,
        nel_long=column("nel_long_stay"),
        nel_short=column("nel_short_stay"),
        nel=np.array([r.unit_cost == NEL_MIX for r in resources]),
        share=share,
    )


def run_draws(
    arr: CellArrays,
    w: np.ndarray,
    resources: tuple[Resource, ...],
    prices: Prices,
    cost: np.ndarray,
    attribution: float,
) -> Draws:
    """Events and money for weights ``w`` (every draw, or row 0 alone)."""
    cash = np.array([r.saving == "cash" for r in resources])
    added = np.array([r.saving != "none" for r in resources])
    ev, mo = evaluate(w, arr, prices, cost, cash, added, attribution)
    share = long_share(w, arr) if prices.share is None else np.full((w.shape[0], 1), prices.share)
    nel = prices.nel_long[:, None] * share + prices.nel_short[:, None] * (1 - share)
    return Draws(
        analyses=arr.analyses,
        resources=arr.resources,
        cost=mo.cost,
        gross=mo.savings / attribution if attribution else mo.savings * np.nan,
        savings=mo.savings,
        cash=mo.cash,
        capacity=mo.capacity,
        by_resource=mo.by_resource,
        expected=ev.expected_undiscounted,
        observed=ev.observed_undiscounted,
        avoided=ev.avoided,
        controlled=ev.controlled,
        nel_price=nel,
    )
