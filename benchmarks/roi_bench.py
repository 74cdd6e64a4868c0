"""How long the ROI takes: the demo collaborative with 2,000 bootstrap resamples.

Writes the demo's synthetic extracts (4 sites, 29 homes, 18 months), builds the
warehouse up to ``measure_values`` once (cached in ``--cache``), then times
``roi_inputs`` and ``roi_summary`` (rate ratios, 2,000 resamples of homes with gamma
unit costs, the one-way sensitivity) ``--repeat`` times. Target: under 10 s on 2 cores.
Run ``uv run python benchmarks/roi_bench.py``; the figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

from synth import write_extracts
from warehouse.connection import connect
from warehouse.landing import ingest
from warehouse.measures import compute
from warehouse.roi.tables import store_inputs, store_summary
from warehouse.staging import build_all


def warehouse(cache: Path) -> Path:
    """The demo's warehouse with its measures, built once."""
    path = cache / "w.duckdb"
    if not path.is_file():
        shutil.rmtree(cache, ignore_errors=True)
        write_extracts(cache / "inbox")
        with connect(path) as con:
            ingest(cache / "inbox", con, key=b"bench")
            build_all(con)
            compute(con)
    return path


def main() -> None:
    """Time the ROI on the demo collaborative."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/m4c_roi_bench"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = warehouse(args.cache)
    times = []
    with connect(path) as con:
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            store_inputs(con)
            est, _ = store_summary(con)
            times.append(time.perf_counter() - t0)
    print(
        f"ROI, {len(est.draws.analyses)} sites + collaborative, {est.options.draws:,} resamples: "
        f"median {statistics.median(times):.2f} s of {args.repeat} (min {min(times):.2f} s); "
        f"target 10 s: {statistics.median(times) / 10:.2f} of it"
    )


if __name__ == "__main__":
    main()
