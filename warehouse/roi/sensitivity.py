"""One-way sensitivity (the tornado) and the thresholds of the ROI.

Each parameter is moved to the low and then the high end of its range, everything else
at its point value, and the net benefit and ROI of every analysis recomputed
(docs/domain.md §3.3): every unit cost used (its published range; the staff rates' low
end excludes qualification costs), the stay mix of an emergency admission (all short,
all long), the attribution fraction, and the baseline period (the last few months
before the start instead of every month).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from warehouse.roi.analysis import CellArrays, cell_arrays
from warehouse.roi.design import COLLABORATIVE, analysis_rows, home_cells
from warehouse.roi.draws import price_set, programme_cost, run_draws
from warehouse.roi.inputs import INTERVENTION

if TYPE_CHECKING:
    from warehouse.roi.summary import Estimate


def _collaborative(est: Estimate, x: np.ndarray) -> float:
    """The collaborative's total of a (1, A) array: its intervention sites' sum."""
    programme = (est.starts["role"] == INTERVENTION).to_numpy()
    return float(x[0, programme].sum())


def sensitivity(
    est: Estimate,
    inputs: pl.DataFrame,
    long_stays: pl.DataFrame,
    arr: CellArrays,
    w: np.ndarray,
    items: list[str],
    prices: np.ndarray,
) -> pl.DataFrame:
    """The tornado: one row per analysis (and the collaborative) and parameter.

    Columns: analysis, parameter, low_label, high_label, net_low, net_high, roi_low,
    roi_high, swing (|net_high - net_low|), sorted by swing within each analysis.
    """
    o = est.options
    lines, windows, resources = est.costs, est.windows, est.resources

    def run(
        override: dict[str, float] | None = None,
        share: float | None = None,
        attribution: float | None = None,
        arrays: CellArrays | None = None,
    ) -> tuple[np.ndarray, np.ndarray, float, float]:
        p = prices.copy()
        for item, value in (override or {}).items():
            p[:, items.index(item)] = value
        cost = programme_cost(lines, windows, arr.analyses, items, p)
        d = run_draws(
            arrays or arr,
            w,
            resources,
            price_set(resources, items, p, share=share),
            cost,
            o.attribution if attribution is None else attribution,
        )
        total_net = _collaborative(est, d.savings) - _collaborative(est, d.cost)
        total_cost = _collaborative(est, d.cost)
        with np.errstate(divide="ignore", invalid="ignore"):
            roi = np.where(d.cost > 0, (d.savings - d.cost) / d.cost, np.nan)
        return (
            (d.savings - d.cost)[0],
            roi[0],
            total_net,
            total_net / total_cost if total_cost > 0 else float("nan"),
        )

    cases: list[tuple[str, str, str, tuple, tuple]] = []
    for item in items:
        row = est.unit_costs.row(item)
        if row["low"] == row["high"] == row["value"]:
            continue
        cases.append(
            (
                f"{row['title']} (£{row['value']:,.2f} {row['unit']})",
                f"£{row['low']:,.2f}",
                f"£{row['high']:,.2f}",
                run(override={item: row["low"]}),
                run(override={item: row["high"]}),
            )
        )
    cases.append(
        (
            "Emergency admission stay mix (observed long-stay share)",
            "all short stays",
            "all long stays",
            run(share=0.0),
            run(share=1.0),
        )
    )
    lo, hi = o.attribution_range
    cases.append(
        (
            f"Attribution fraction ({o.attribution:.0%})",
            f"{lo:.0%}",
            f"{hi:.0%}",
            run(attribution=lo),
            run(attribution=hi),
        )
    )
    k = o.alternative_baseline
    short = _arrays(est, inputs, long_stays, arr, k)
    base = run()
    alt = run(arrays=short)
    cases.append(
        (
            "Baseline period (every month before the start)",
            f"the last {k} months before the start",
            "every month before the start",
            alt,
            base,
        )
    )
    names = [*arr.analyses, COLLABORATIVE]
    out = []
    for label, low_label, high_label, low, high in cases:
        for i, name in enumerate(names):
            if name == COLLABORATIVE:
                nl, nh, rl, rh = low[2], high[2], low[3], high[3]
            else:
                nl, nh, rl, rh = low[0][i], high[0][i], low[1][i], high[1][i]
            out.append(
                {
                    "analysis": name,
                    "parameter": label,
                    "low_label": low_label,
                    "high_label": high_label,
                    "net_low": float(nl),
                    "net_high": float(nh),
                    "roi_low": float(rl),
                    "roi_high": float(rh),
                    "swing": abs(float(nh) - float(nl)),
                }
            )
    return pl.DataFrame(out).sort(["analysis", "swing"], descending=[False, True])


def _arrays(
    est: Estimate, inputs: pl.DataFrame, long_stays: pl.DataFrame, arr: CellArrays, months: int
) -> CellArrays:
    """The cell arrays with only the last ``months`` months before each start as baseline."""
    targeted = est.plans.targeted
    cells = home_cells(analysis_rows(inputs, est.starts, targeted, baseline_months=months))
    long_cells = home_cells(analysis_rows(long_stays, est.starts, targeted, baseline_months=months))
    return cell_arrays(cells, arr.analyses, arr.resources, arr.homes, long_cells)
