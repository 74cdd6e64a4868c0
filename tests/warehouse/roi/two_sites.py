"""Two sites of two homes over four months, run through the real ROI.

Site a (homes a1, a2) starts a programme in March 2024 aimed at emergency admissions
and prescribing; site b (b1, b2) changes nothing. Every home has 1,000 occupied bed
days a month. The programme costs 100 pharmacist (band 7) hours and any materials.
The hand case (test_hand_case.py) and the commissioners' tables
(tests/warehouse/exports/test_roi_tables.py) are built on it.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from warehouse.roi.inputs import Plans
from warehouse.roi.resources import load_resources
from warehouse.roi.summary import Estimate, RoiOptions, estimate
from warehouse.roi.unit_costs import UnitCosts

MONTHS = [date(2024, m, 1) for m in (1, 2, 3, 4)]
START = date(2024, 3, 1)
RESOURCES = tuple(
    r for r in load_resources() if r.id in ("emergency_admissions", "prescribing_cost")
)


def frame(resource: str, counts: dict[str, list[float]]) -> pl.DataFrame:
    """A resource's counts by home and month, as ``roi_inputs`` holds them."""
    return pl.DataFrame(
        [
            (resource, home[0], home, month, float(n), 1000.0, True)
            for home, series in counts.items()
            for month, n in zip(MONTHS, series, strict=True)
        ],
        schema=["resource", "site_id", "home_id", "period", "count", "exposure", "usable"],
        orient="row",
    )


def two_sites(
    uc: UnitCosts,
    admissions: dict[str, list[float]],
    prescribing: dict[str, list[float]],
    long_stays: dict[str, list[float]],
    *,
    materials: float = 0.0,
    draws: int = 200,
) -> Estimate:
    """The ROI estimate of the case: ``long_stays`` of each home's monthly ``admissions``."""
    inputs = pl.concat(
        [frame("emergency_admissions", admissions), frame("prescribing_cost", prescribing)]
    )
    stays = [float(n) for series in admissions.values() for n in series]
    long = frame("emergency_admissions", long_stays).with_columns(exposure=pl.Series(stays))
    plan = Plans(
        starts=pl.DataFrame(
            {"analysis": ["a", "b"], "start": [START] * 2, "role": ["intervention", "comparison"]}
        ),
        targeted=pl.DataFrame(
            [(r.id, h) for r in RESOURCES for h in ("a1", "a2")],
            schema=["resource", "home_id"],
            orient="row",
        ),
        ideas=pl.DataFrame(
            {"site_id": ["a"], "change_id": ["CI-01"], "title": ["x"], "start_date": [START]}
        ),
    )
    lines = [("staff", "pharmacist", "7", "Care home pharmacist", 100.0,
              100 * uc.value("pharmacist_band_7"), "pharmacist_band_7")]  # fmt: skip
    if materials:
        lines.append(("materials", None, None, "Leaflets", 0.0, materials, None))
    costs = pl.DataFrame(
        [("a", START, *line[:6], "costs template", line[6]) for line in lines],
        schema=["site_id", "month", "category", "role", "band", "item", "hours", "cost",
                "basis", "unit_cost"],
        orient="row",
    )  # fmt: skip
    return estimate(inputs, long, plan, costs, uc, RESOURCES, RoiOptions(draws=draws))
