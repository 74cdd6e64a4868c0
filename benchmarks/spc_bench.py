"""Speed of the SPC engine against the fastest Python peers, measured in one run.

An I chart with Anhøj runs rules and 3-sigma signals, on normal data N(50, 5) drawn
with seed 20240601 (as in the peer survey, docs/spc.md §8):

(a) 1,000 series x 60 points, in one call;
(b) one series of 100,000 points;
(c) 100,000 series x 36 points, in one call (every home-by-measure series in England).

The peers (shewhart, pycontrolcharts, pyqicharts; ``pip install
measure-for-change[bench]``) take one series per call, so (a) loops over the series.
pyqicharts needs about a minute per input, so by default it runs on a sample of (a)'s
series, scaled up to 1,000 (the table says so); ``--full`` runs it on everything.

Run: ``uv run --extra bench python benchmarks/spc_bench.py``. Targets: at least 50x
the fastest peer on (a) and (b); (c) in under 3 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import polars as pl

from charts import _heap
from charts.spc import qic

SEED = 20240601


def inputs() -> dict[str, pl.DataFrame]:
    """The three benchmark inputs as long frames (series, t, y)."""
    rng = np.random.default_rng(SEED)

    def frame(series: int, points: int) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "series": np.repeat(np.arange(series, dtype=np.int32), points),
                "t": np.tile(np.arange(points, dtype=np.int32), series),
                "y": rng.normal(50, 5, series * points),
            }
        )

    return {"a": frame(1_000, 60), "b": frame(1, 100_000), "c": frame(100_000, 36)}


def timed(f: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best and median wall time of ``repeat`` calls, after one warm-up call."""
    f()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def ours(d: pl.DataFrame) -> Callable[[], object]:
    """Our engine: one call for every series."""
    facets = "series" if d.get_column("series").n_unique() > 1 else None
    return lambda: qic(d, x="t", y="y", chart="i", facets=facets)


def peer_calls(series: list[np.ndarray]) -> dict[str, Callable[[], object]]:
    """Each peer's standard I-chart call, once per series, with its default rules."""
    import pycontrolcharts
    import pyqicharts
    import shewhart

    frames = [pd.DataFrame({"t": np.arange(len(s)), "y": s}) for s in series]
    return {
        "shewhart imr(rules='nelson')": lambda: [shewhart.imr(s, rules="nelson") for s in series],
        "pycontrolcharts calc_xmr": lambda: [pycontrolcharts.calc_xmr(list(s)) for s in series],
        "pyqicharts qic_table(chart='i')": lambda: [
            pyqicharts.qic_table(f, x="t", y="y", chart="i") for f in frames
        ],
    }


def main() -> None:
    """Time everything and print the table and the verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="run pyqicharts on every series")
    parser.add_argument("--sample", type=int, default=50, help="pyqicharts series sampled in (a)")
    parser.add_argument("--repeat", type=int, default=20, help="timed calls of our engine")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    data = inputs()
    print(f"allocator tuned (charts/_heap.py): {_heap.HEAP_TUNED}")
    rows = []
    best = {}
    for case in ("a", "b", "c"):
        repeat = args.repeat if case != "c" else 5
        best[case], median = timed(ours(data[case]), repeat)
        rows.append(("measure-for-change qic(chart='i')", case, best[case], median, ""))
    fastest: dict[str, float] = {}
    for case in ("a", "b"):
        d = data[case].sort("series", "t")
        series = [
            g.get_column("y").to_numpy() for _, g in d.group_by("series", maintain_order=True)
        ]
        sampled = peer_calls(series[: args.sample])
        for name, call in peer_calls(series).items():
            note, scale, run = "", 1.0, call
            if name.startswith("pyqicharts") and case == "a" and not args.full:
                run, scale = sampled[name], len(series) / args.sample
                note = f"timed on {args.sample} series, x {scale:g}"
            repeats = 1 if name.startswith("pyqicharts") else 3
            t_best, t_median = timed(run, repeats)
            t_best, t_median = t_best * scale, t_median * scale
            rows.append((name, case, t_best, t_median, note))
            fastest[case] = min(fastest.get(case, np.inf), t_best)
    print(f"\n{'tool':38s} {'input':5s} {'best s':>10s} {'median s':>10s} {'x ours':>9s}  note")
    for name, case, t_best, t_median, note in rows:
        ratio = t_best / best[case]
        print(f"{name:38s} {case:5s} {t_best:10.4f} {t_median:10.4f} {ratio:9.1f}  {note}")
    print()
    for case in ("a", "b"):
        ratio = fastest[case] / best[case]
        verdict = "meets" if ratio >= 50 else "MISSES"
        print(f"({case}) fastest peer / ours = {ratio:.0f}x: {verdict} the 50x target")
    verdict = "meets" if best["c"] < 3 else "MISSES"
    print(f"(c) 100,000 series x 36 points in {best['c']:.2f} s: {verdict} the 3 s target")


if __name__ == "__main__":
    main()
