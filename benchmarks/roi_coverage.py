"""Do the ROI's rate-ratio intervals cover the truth? A simulation over many collaboratives.

Each seed simulates the demo's collaborative with the generator (:mod:`synth`: 4 sites,
29 homes, 18 months; sites a-c start change ideas in months 7-9, site d compares; every
event rate drifts by +0.5% a month) and takes the true monthly count per home of every
resource's measure (:func:`synth.expected.expected_measures`). The ROI's design and
models (:mod:`warehouse.roi.design`, :mod:`warehouse.roi.effects`) then estimate each
site's rate ratios, and each is compared with the truth: the ratio the generator planted
(site a's "MDT review of residents at risk" cuts emergency admissions, their bed days
and A&E attendances by 30%), or 1 where the site changes nothing the resource is aimed
at. Ratios whose truth the generator does not state (GP contacts where falls huddles
run) are left out.

It prints, per site and resource, how often the 95% interval of the controlled
(difference-in-differences) ratio covers the planted ratio, the same for the
uncontrolled before/after ratio, and each one's mean bias on the log scale. Run:
``uv run python benchmarks/roi_coverage.py --seeds 200`` (about a second a seed); the
figures go in ``docs/roi.md``.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import polars as pl

from synth.expected import expected_measures
from synth.plan import make_plan
from synth.simulate import simulate
from synth.world import (
    DEFAULT_MONTHS,
    DEFAULT_START,
    draw_homes,
    draw_site_effects,
    make_calendar,
    site_id_of,
    streams,
)
from warehouse.roi.design import analysis_rows
from warehouse.roi.effects import rate_ratio_table
from warehouse.roi.inputs import COMPARISON, INTERVENTION
from warehouse.roi.resources import load_resources

RESOURCES = load_resources()
# A measure whose planted ratio is another's: hospital bed days follow admissions (the
# generator keeps each spell's length of stay).
SAME_AS = {"S3c": "S3"}


def world_inputs(seed: int, intervention_month: int = 7):
    """One simulated collaborative as the ROI reads it: inputs, starts, targeted, truth.

    The counts are the generator's truth for each resource's measure per home and month
    (:func:`synth.expected.expected_measures`), the exposure its occupied bed days. The
    truth of a site's rate ratio is the planted ratio on the resource's measure, or 1
    where the site's change ideas touch nothing the resource is aimed at; where they do
    without a planted ratio (falls huddles and GP contacts) it is unknown, and left out.
    """
    rngs = streams(seed)
    cal = make_calendar(DEFAULT_START, DEFAULT_MONTHS, intervention_month)
    homes = draw_homes(rngs["homes"], 4, 29, 0.0)
    plan = make_plan(cal, draw_site_effects(rngs["homes"], 4), 1, homes.site)
    truth_rows = expected_measures(simulate(rngs, cal, homes, plan)).with_columns(
        period=pl.col("period").str.to_date()
    )
    obd = truth_rows.filter(pl.col("measure_id") == "S3").select(
        "site_id", "home_id", "period", exposure="denominator"
    )
    measures = pl.DataFrame(
        {"resource": [r.id for r in RESOURCES], "measure_id": [r.measure for r in RESOURCES]}
    )
    inputs = (
        truth_rows.join(measures, on="measure_id")
        .select("resource", "site_id", "home_id", "period", count="numerator")
        .join(obd, on=["site_id", "home_id", "period"])
        .with_columns(usable=pl.col("count").is_not_null() & (pl.col("exposure") > 0))
    )
    first = min(m for m in plan.start_month if m is not None)
    starts = pl.DataFrame(
        {
            "analysis": [site_id_of(s) for s in range(4)],
            "start": [cal.month_dates[first if m is None else m] for m in plan.start_month],
            "role": [COMPARISON if m is None else INTERVENTION for m in plan.start_month],
        }
    )
    home_ids = np.array(homes.home_id)
    aimed = [
        (r.id, str(home_ids[h]))
        for idea in plan.ideas
        for r in RESOURCES
        if set(idea.measures) & set(r.targeted_by)
        for h in (idea.homes or np.flatnonzero(homes.site == idea.site))
    ]
    targeted = pl.DataFrame(aimed, schema=["resource", "home_id"], orient="row").unique()
    planted = {(site_id_of(e.site), e.measure_id): e.rate_ratio for e in plan.planted}
    touched = {
        (site_id_of(idea.site), r.id)
        for idea in plan.ideas
        for r in RESOURCES
        if set(idea.measures) & set(r.targeted_by)
    }
    truth = {}
    for s in range(4):
        site = site_id_of(s)
        for r in RESOURCES:
            measure = SAME_AS.get(r.measure, r.measure)
            if (site, measure) in planted:
                truth[site, r.id] = planted[site, measure]
            elif (site, r.id) not in touched:
                truth[site, r.id] = 1.0
    return inputs, starts, targeted, truth


def one_seed(seed: int) -> pl.DataFrame:
    """Every site's and resource's rate ratios for one seed, with the planted ratio."""
    inputs, starts, targeted, truth = world_inputs(seed)
    rows = analysis_rows(inputs, starts, targeted)
    table = rate_ratio_table(rows, RESOURCES, starts).filter(pl.col("analysis") != "collaborative")
    known = pl.DataFrame(
        [(a, r, v) for (a, r), v in truth.items()],
        schema=["analysis", "resource", "planted"],
        orient="row",
    )
    return table.join(known, on=["analysis", "resource"]).with_columns(seed=pl.lit(seed))


def study(seeds: range) -> pl.DataFrame:
    """Coverage and bias per site, resource and kind of ratio over ``seeds``."""
    table = pl.concat(one_seed(s) for s in seeds).filter(pl.col("estimate").is_not_null())
    return (
        table.with_columns(
            covered=(pl.col("lower") <= pl.col("planted")) & (pl.col("planted") <= pl.col("upper")),
            log_bias=(pl.col("estimate") / pl.col("planted")).log(),
        )
        .group_by("analysis", "resource", "controlled")
        .agg(
            runs=pl.len(),
            coverage=pl.col("covered").mean(),
            mean_log_bias=pl.col("log_bias").mean(),
            planted=pl.col("planted").first(),
            negative_binomial=(pl.col("model") == "negative binomial").mean(),
        )
        .sort("resource", "analysis", "controlled", descending=[False, False, True])
    )


def main() -> None:
    """Run the study and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--first", type=int, default=1)
    args = parser.parse_args()
    t0 = time.perf_counter()
    out = study(range(args.first, args.first + args.seeds))
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=160, float_precision=3):
        print(out)
    controlled = out.filter(pl.col("controlled"))
    runs = int(controlled["runs"].sum())
    covered = float((controlled["coverage"] * controlled["runs"]).sum()) / runs
    se = math.sqrt(covered * (1 - covered) / runs)
    print(
        f"controlled intervals cover the planted ratio in {covered:.1%} of {runs} "
        f"(+/- {1.96 * se:.1%}); {args.seeds} collaboratives in "
        f"{time.perf_counter() - t0:.0f} s"
    )


if __name__ == "__main__":
    main()
