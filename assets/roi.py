"""The ROI's assets: ``roi_inputs`` and ``roi_summary`` (group ``roi``).

Thin wrappers over :mod:`warehouse.roi` (docs/roi.md): the resources per home and
month from ``measure_values``, then the rate ratios, money, intervals, sensitivity and
assumptions of every site and the collaborative, with small numbers suppressed.
"""

import time

import dagster as dg

from assets.ingest import POOL
from assets.measures import measure_values
from assets.resources import Warehouse
from warehouse.roi.tables import store_inputs, store_summary


def _p(p: float | None) -> str:
    return "" if p is None else f"{p:.3f}"


@dg.asset(
    group_name="roi",
    kinds={"duckdb"},
    pool=POOL,
    deps=[measure_values, "stg_occupied_bed_days"],
    description=(
        "Each resource the ROI prices (emergency admissions and their bed days, A&E "
        "attendances, ambulance conveyances, GP and out-of-hours contacts, prescribing "
        "and ONS cost) per home and month: the count from its measure, the occupied bed "
        "days, and whether the home-month passed the data-quality gate."
    ),
)
def roi_inputs(warehouse: Warehouse) -> dg.MaterializeResult:
    """Collect the resources' counts and exposure."""
    with warehouse.connect() as con:
        counts = store_inputs(con)
    return dg.MaterializeResult(metadata={"dagster/row_count": counts["rows"], **counts})


@dg.asset(
    group_name="roi",
    kinds={"duckdb"},
    pool=POOL,
    deps=[roi_inputs, "stg_change_idea", "stg_intervention_cost", "stg_qi_activity"],
    description=(
        "Return on investment per site and for the collaborative: programme cost, costs "
        "avoided, net benefit, ROI and benefit-cost ratio with 95% bootstrap intervals, "
        "the chance ROI > 0, rate ratios (difference in differences against comparison "
        "homes), break-even, the one-way sensitivity and every assumption; small "
        "numbers suppressed (docs/roi.md)."
    ),
)
def roi_summary(warehouse: Warehouse) -> dg.MaterializeResult:
    """Estimate the ROI and record the model choices as metadata."""
    t0 = time.perf_counter()
    with warehouse.connect() as con:
        est, items = store_summary(con)
    models = est.rate_ratios.filter(
        (est.rate_ratios["controlled"]) & est.rate_ratios["estimate"].is_not_null()
    )
    lines = [
        "| site | resource | model | dispersion p | rate ratio (95% CI) |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['analysis']} | {r['resource']} | {r['model']} | {_p(r['dispersion_p'])} | "
        f"{r['estimate']:.2f} ({r['lower']:.2f}-{r['upper']:.2f}) |"
        for r in models.iter_rows(named=True)
    ]
    headline = {e["site_id"]: e["roi"]["estimate"] for e in items if e.get("roi") is not None}
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(items),
            "price_year": est.unit_costs.price_year,
            "draws": est.options.draws,
            "attribution": est.options.attribution,
            "roi": headline,
            "models": dg.MetadataValue.md("\n".join(lines)),
            "seconds": round(time.perf_counter() - t0, 2),
        }
    )
