"""Every catalogue measure per home and period, counted from the simulated world.

The pipeline computes its measures from the extracts with SQL
(``warehouse/measures/catalogue``); these modules count the same definitions again,
independently, in polars from the simulation's own records (:class:`synth.simulate.World`),
so that the two can be reconciled (``tests/warehouse/test_measure_truth.py``). Each
module holds one part of the catalogue and exposes ``expected(world)``: a frame of
``measure_id, home, period_idx, numerator, denominator`` rows (home index, month or
quarter index of the period's first month); :func:`expected_measures` names homes,
sites and periods. The result is written to ``expected_measures.csv`` in the truth.
"""

from __future__ import annotations

import importlib

import polars as pl

from synth.simulate import World
from synth.world import site_id_of

# the modules of this package, each with expected(world): projects 1 and 2; the rest;
# the resources the return on investment costs
GROUPS = ("medicines_nutrition", "care_outcomes", "resource_use")

SCHEMA = {
    "measure_id": pl.String,
    "home": pl.Int64,
    "period_idx": pl.Int64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
}


def expected_measures(world: World) -> pl.DataFrame:
    """Every measure of :data:`GROUPS` per site, home and period (ISO date), sorted."""
    frames = [pl.DataFrame(schema=SCHEMA)]
    for group in GROUPS:
        module = importlib.import_module(f"synth.expected.{group}")
        frames.append(module.expected(world).select(list(SCHEMA)).cast(SCHEMA))
    homes, cal = world.homes, world.cal
    months = dict(enumerate(d.isoformat() for d in cal.month_dates))
    return (
        pl.concat(frames)
        .with_columns(
            site_id=pl.col("home").replace_strict(
                {h: site_id_of(int(s)) for h, s in enumerate(homes.site)}, return_dtype=pl.String
            ),
            home_id=pl.col("home").replace_strict(
                dict(enumerate(homes.home_id)), return_dtype=pl.String
            ),
            period=pl.col("period_idx").replace_strict(months, return_dtype=pl.String),
        )
        .sort("measure_id", "site_id", "home_id", "period")
        .select("measure_id", "site_id", "home_id", "period", "numerator", "denominator")
    )
