"""How often the signals find a planted improvement, and how often they cry wolf.

For each of ``--seeds`` generator seeds, writes the default demo's synthetic world
(4 sites, one of them a comparison site that changes nothing; 29 homes; 18 months),
runs it through the pipeline (ingest, staged model, measures, SPC results, signals)
and compares the site-level signals with the generator's truth
(``planted_effects.csv``):

* **detected**: a planted improvement (an intervention site's measure its change idea
  touches) has an *improvement* signal at the latest points of the site's series;
* **false alarm**: a site's measure that nothing touches (no change idea, and not one
  of the event rates the secular trend moves) has a signal of either direction;
* **trend**: the measures the secular trend moves, where no change idea touches them:
  signals here are real changes, reported apart.

Rates are given by chart type (the site series' chart). Run:
``uv run python benchmarks/detection_study.py --seeds 50``; the figures go in
``docs/measures.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import polars as pl

from synth import write_extracts
from warehouse.connection import connect
from warehouse.landing import ingest
from warehouse.measures import compute, load_registry
from warehouse.measures.signals import compute_signals
from warehouse.measures.spc_results import compute_spc
from warehouse.staging import build_all

REGISTRY = load_registry()
# Catalogue measures whose rates follow the generator's secular trend (synth/plan.py):
# falls, falls with harm, pressure ulcers, emergency admissions, A&E and their kin.
TRENDED = {"S1", "S2", "S3", "S4", "O2.4", "S6b", "O3.1", "O3.3", "O4.1", "O4.2"}


def one_seed(seed: int, folder: Path) -> pl.DataFrame:
    """Every site-level series of one seed: planted or not, its chart, and its signals."""
    shutil.rmtree(folder, ignore_errors=True)
    summary = write_extracts(folder / "inbox", seed=seed)
    planted = pl.read_csv(summary.truth / "planted_effects.csv").select(
        "site_id", measure_id=pl.col("measure_id").map_elements(
            lambda m: REGISTRY.resolve(m) or m, return_dtype=pl.String),
        planted=pl.lit(True),
    )  # fmt: skip
    with connect(folder / "w.duckdb") as con:
        ingest(folder / "inbox", con, key=b"study")
        build_all(con)
        compute(con)
        compute_spc(con)
        compute_signals(con, run_at=dt.datetime(2030, 1, 1))
        series = con.sql(
            """SELECT DISTINCT r.measure_id, r.site_id, last(r.chart ORDER BY r.period) AS chart
               FROM spc_results AS r WHERE r.level = 'site' GROUP BY ALL"""
        ).pl()
        signals = con.sql(
            """SELECT measure_id, site_id,
                      bool_or(direction = 'improvement') AS improvement,
                      bool_or(direction = 'concern') AS concern,
                      bool_or(direction = 'neutral') AS neutral
               FROM signals WHERE level = 'site' GROUP BY ALL"""
        ).pl()
    return (
        series.join(planted, on=["site_id", "measure_id"], how="left")
        .join(signals, on=["site_id", "measure_id"], how="left")
        .with_columns(
            pl.col("planted", "improvement", "concern", "neutral").fill_null(False),
            seed=pl.lit(seed),
            trended=pl.col("measure_id").is_in(list(TRENDED)),
        )
    )


def rates(found: pl.DataFrame) -> pl.DataFrame:
    """Detection and false-alarm rates by chart type (and overall)."""

    def table(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
        return frame.group_by(by).agg(
            planted=pl.col("planted").sum(),
            detected=(pl.col("planted") & pl.col("improvement")).sum(),
            unchanged=(~pl.col("planted") & ~pl.col("trended")).sum(),
            false_alarms=(
                ~pl.col("planted") & ~pl.col("trended")
                & (pl.col("improvement") | pl.col("concern") | pl.col("neutral"))
            ).sum(),
            false_improvements=(
                ~pl.col("planted") & ~pl.col("trended") & pl.col("improvement")).sum(),
            trended=(~pl.col("planted") & pl.col("trended")).sum(),
            trend_signals=(
                ~pl.col("planted") & pl.col("trended")
                & (pl.col("improvement") | pl.col("concern"))
            ).sum(),
        )  # fmt: skip

    by_chart = table(found, ["chart"]).sort("chart")
    overall = table(found.with_columns(chart=pl.lit("all")), ["chart"])
    return pl.concat([by_chart, overall]).with_columns(
        detection_rate=pl.col("detected") / pl.col("planted"),
        false_alarm_rate=pl.col("false_alarms") / pl.col("unchanged"),
        trend_signal_rate=pl.col("trend_signals") / pl.col("trended"),
    )


def main() -> None:
    """Run the study and print the rates."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=50)
    p.add_argument("--first-seed", type=int, default=1000)
    p.add_argument("--out", type=Path, help="write every series' outcome as CSV here")
    args = p.parse_args()
    warnings.simplefilter("ignore")
    found = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            found.append(one_seed(seed, Path(tmp) / "run"))
            print(f"seed {seed}: {time.perf_counter() - start:.0f} s", flush=True)
    every = pl.concat(found)
    if args.out:
        every.write_csv(args.out)
    with pl.Config(tbl_rows=30, tbl_cols=20, tbl_width_chars=200):
        print(rates(every))
        print(
            every.filter(pl.col("planted"))
            .group_by("measure_id", "site_id")
            .agg(detected=pl.col("improvement").mean(), seeds=pl.len())
            .sort("measure_id", "site_id")
        )


if __name__ == "__main__":
    main()
