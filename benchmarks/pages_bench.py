"""How long the pages take, and how big each site's folder is, on the demo collaborative.

Builds the demo's warehouse once (4 sites, 29 homes, 18 months, 44 measures; cached in
``--cache``), then times :func:`warehouse.pages.build.write_pages`: every site's
dashboard and measure pages (site chart, small multiples, funnel), the PNG of every
site chart through one warm kaleido browser, the slide decks, the commissioners' pack
and the index. Targets: under 60 s on 2 cores; each site folder under 3 MB apart from
its plotly.js. Run ``uv run python benchmarks/pages_bench.py``; figures go in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import time
from pathlib import Path

from expectations.report import check_title
from expectations.rules import load_rules
from synth import write_extracts
from warehouse.connection import connect
from warehouse.landing import ingest
from warehouse.measures import compute, load_registry
from warehouse.measures.signals import compute_signals
from warehouse.measures.spc_results import compute_spc
from warehouse.pages.build import write_pages
from warehouse.roi.tables import read_summary, store_inputs, store_summary
from warehouse.settings import register_rows
from warehouse.staging import build_all


def warehouse(cache: Path) -> Path:
    """The demo's warehouse up to signals and the ROI, built once."""
    path = cache / "w.duckdb"
    if not path.is_file():
        shutil.rmtree(cache, ignore_errors=True)
        summary = write_extracts(cache / "inbox")
        with connect(path) as con:
            ingest(cache / "inbox", con, key=b"bench")
            build_all(con, homes=register_rows(summary.register))
            compute(con)
            compute_spc(con)
            compute_signals(con, run_at=dt.datetime(2030, 1, 1))
            store_inputs(con)
            store_summary(con)
    return path


def main() -> None:
    """Time the pages of the demo collaborative."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/m4c_pages_bench"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/m4c_pages_bench_out"))
    args = parser.parse_args()
    path = warehouse(args.cache)
    shutil.rmtree(args.out, ignore_errors=True)
    reasons = {r.check: check_title(r) for r in load_rules()}
    t0 = time.perf_counter()
    with connect(path, read_only=True) as con:
        result = write_pages(
            con, load_registry(), args.out, reasons=reasons, dq_lines={},
            reports=read_summary(con),
        )  # fmt: skip
    seconds = time.perf_counter() - t0
    print(
        f"{len(result.pages)} pages, {len(result.pngs)} PNGs, {len(result.decks)} decks in "
        f"{seconds:.1f} s (target 60 s: {seconds / 60:.2f} of it)"
    )
    for site, size in sorted(result.folder_bytes.items()):
        mb = {k: f"{v / 1e6:.2f}" for k, v in size.items()}
        print(
            f"  {site}: pages {mb['pages']} MB without plotly.js (target 3 MB); downloads: "
            f"CSV {mb['tables']} MB, PNGs {mb['pictures']} MB, slides {mb['slides']} MB"
        )


if __name__ == "__main__":
    main()
