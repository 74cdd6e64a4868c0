"""The ROI of every site and of the collaborative, with intervals, sensitivity, assumptions.

:func:`estimate` is the whole method on frames (no warehouse): the design
(:mod:`warehouse.roi.design`), the rate ratios (:mod:`warehouse.roi.effects`), the
money for 2,000 bootstrap draws at once (:mod:`warehouse.roi.analysis`), the one-way
sensitivity and the thresholds (:mod:`warehouse.roi.sensitivity`).
:func:`compute_roi` reads its inputs from the warehouse. :mod:`warehouse.roi.report`
turns the result into what a commissioner reads, with small numbers suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import duckdb
import numpy as np
import polars as pl

from warehouse.roi.analysis import cell_arrays
from warehouse.roi.design import analysis_rows, home_cells
from warehouse.roi.draws import Draws, cost_lines, price_set, programme_cost, run_draws
from warehouse.roi.effects import rate_ratio_table
from warehouse.roi.inputs import (
    Plans,
    long_stay_inputs,
    plans,
    roi_inputs,
)
from warehouse.roi.intervention_costs import intervention_costs
from warehouse.roi.resources import NEL_MIX, POUND, Resource, load_resources
from warehouse.roi.sensitivity import sensitivity
from warehouse.roi.uncertainty import DRAWS, SEED, bootstrap_weights, gamma_draws
from warehouse.roi.unit_costs import UnitCosts, load_unit_costs

NEL_ITEMS = ("nel_long_stay", "nel_short_stay")


@dataclass(frozen=True)
class RoiOptions:
    """Choices of the method (docs/roi.md): each is an assumption the output lists."""

    draws: int = DRAWS
    seed: int = SEED
    attribution: float = 0.5  # SROI-style default (docs/domain.md §3.2 step 7)
    attribution_range: tuple[float, float] = (0.3, 0.7)
    baseline_months: int | None = None  # every month before the start
    alternative_baseline: int = 6  # the sensitivity analysis's shorter baseline


@dataclass(frozen=True)
class Estimate:
    """Everything :func:`estimate` works out, before it is written for people."""

    options: RoiOptions
    unit_costs: UnitCosts
    resources: tuple[Resource, ...]
    plans: Plans
    starts: pl.DataFrame
    cells: pl.DataFrame
    rows: pl.DataFrame
    rate_ratios: pl.DataFrame
    draws: Draws
    costs: pl.DataFrame
    windows: pl.DataFrame
    sensitivity: pl.DataFrame = field(default_factory=pl.DataFrame)


def _price_items(resources: tuple[Resource, ...], costs: pl.DataFrame) -> list[str]:
    items = [r.unit_cost for r in resources if r.unit_cost not in (NEL_MIX, POUND)]
    items += list(NEL_ITEMS)
    items += costs["rate_item"].drop_nulls().unique().sort().to_list()
    return list(dict.fromkeys(items))


def price_draws(uc: UnitCosts, items: list[str], options: RoiOptions) -> np.ndarray:
    """Gamma draws (B, K) of the unit costs ``items`` (row 0 the published values)."""
    rows = [uc.row(i) for i in items]
    return gamma_draws(
        np.array([r["value"] for r in rows]),
        np.array([r["low"] for r in rows]),
        np.array([r["high"] for r in rows]),
        options.draws,
        options.seed,
    )


def estimate(
    inputs: pl.DataFrame,
    long_stays: pl.DataFrame,
    plan: Plans,
    costs: pl.DataFrame,
    unit_costs: UnitCosts,
    resources: tuple[Resource, ...],
    options: RoiOptions = RoiOptions(),
) -> Estimate:
    """The ROI method on frames: design, rate ratios, money per draw, sensitivity.

    Parameters
    ----------
    inputs : polars.DataFrame
        :func:`warehouse.roi.inputs.roi_inputs`.
    long_stays : polars.DataFrame
        :func:`warehouse.roi.inputs.long_stay_inputs` (may be empty: the mix is unknown).
    plan : Plans
        Starts and targeted homes (:func:`warehouse.roi.inputs.plans`).
    costs : polars.DataFrame
        :func:`warehouse.roi.intervention_costs.intervention_costs`.
    unit_costs : UnitCosts
        The prices, at one price year.
    resources : tuple of Resource
        What is priced.
    options : RoiOptions
        Draws, seed, attribution, baseline.
    """
    starts = plan.starts
    rows = analysis_rows(inputs, starts, plan.targeted, baseline_months=options.baseline_months)
    cells = home_cells(rows)
    long_cells = home_cells(
        analysis_rows(long_stays, starts, plan.targeted, baseline_months=options.baseline_months)
    )
    ends = inputs.filter(pl.col("usable")).group_by("site_id").agg(end=pl.col("period").max())
    windows = starts.join(ends.rename({"site_id": "analysis"}), on="analysis", how="left").rename(
        {"role": "role_of_site"}
    )
    homes = inputs.select("site_id", "home_id").unique().sort("site_id", "home_id")
    analyses = tuple(starts["analysis"].to_list())
    arr = cell_arrays(
        cells, analyses, tuple(r.id for r in resources), tuple(homes["home_id"]), long_cells
    )
    w = bootstrap_weights(homes["site_id"].to_numpy(), options.draws, options.seed)
    lines = cost_lines(costs)
    items = _price_items(resources, lines)
    drawn = price_draws(unit_costs, items, options)
    cost = programme_cost(lines, windows, analyses, items, drawn)
    draws = run_draws(
        arr, w, resources, price_set(resources, items, drawn), cost, options.attribution
    )
    est = Estimate(
        options=options,
        unit_costs=unit_costs,
        resources=resources,
        plans=plan,
        starts=starts,
        cells=cells,
        rows=rows,
        rate_ratios=rate_ratio_table(rows, resources, starts),
        draws=draws,
        costs=lines,
        windows=windows,
    )
    return replace(
        est, sensitivity=sensitivity(est, inputs, long_stays, arr, w[:1], items, drawn[:1])
    )


def compute_roi(
    con: duckdb.DuckDBPyConnection,
    *,
    options: RoiOptions = RoiOptions(),
    resources: tuple[Resource, ...] | None = None,
    unit_costs: UnitCosts | None = None,
) -> tuple[Estimate, pl.DataFrame]:
    """Read the warehouse and :func:`estimate` the ROI; also returns ``roi_inputs``."""
    resources = resources or load_resources()
    unit_costs = unit_costs or load_unit_costs()
    inputs = roi_inputs(con, resources)
    homes = inputs.select("site_id", "home_id").unique()
    plan = plans(con, resources, homes)
    costs = intervention_costs(con, unit_costs)
    return estimate(
        inputs, long_stay_inputs(con), plan, costs, unit_costs, resources, options
    ), inputs
