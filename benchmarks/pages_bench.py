"""How long the pages take, and how big each site's folder is, on the demo collaborative.

Builds the demo's warehouse once (4 sites, 29 homes, 18 months, 44 measures; cached in
``--cache``), then times :func:`warehouse.pages.build.write_pages`: every site's
dashboard and measure pages (site chart, small multiples, funnel), the PNG of every
site chart through one warm kaleido browser, the slide decks, the commissioners' pack
and the index. Targets: under 60 s on 2 cores; each site folder under 3 MB apart from
its plotly.js. Run ``uv run python benchmarks/pages_bench.py``; figures go in
docs/performance.md.

The peer: kaleido's own documented way to write many PNGs, ``plotly.io.write_images``
through a warm ``kaleido.start_sync_server`` (one tab, the tab reloaded after every
image), against :func:`~warehouse.exports.images.png_writer` on the same site charts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import kaleido
import plotly.io as pio

from expectations.report import check_title
from expectations.rules import load_rules
from synth import write_extracts
from warehouse.connection import connect
from warehouse.exports.images import find_chromium, png_writer
from warehouse.landing import ingest
from warehouse.measures import compute, load_registry
from warehouse.measures.signals import compute_signals
from warehouse.measures.spc_results import compute_spc
from warehouse.pages import content
from warehouse.pages.build import SCALE, WIDTH, write_pages
from warehouse.pages.site import write_site
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
    parser.add_argument("--sample", type=int, default=60, help="charts in the PNG comparison")
    args = parser.parse_args()
    path = warehouse(args.cache)
    png_peer(path, args.sample)
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


def png_peer(path: Path, sample: int, rounds: int = 2) -> None:
    """Seconds for ``sample`` of a site's charts, best of ``rounds``: kaleido's way and ours."""
    warnings.filterwarnings("ignore", message="The kopts argument is ignored")  # cosmetic
    with connect(path, read_only=True) as con, tempfile.TemporaryDirectory() as d:
        site = content.sites(con)[0]
        charts = write_site(con, site, load_registry(), Path(d), reasons={}, dq_line="").charts
        charts = charts[:sample]
        figs, heights = [c.figure for c in charts], [c.height for c in charts]
        paths = [Path(d) / f"{i}.png" for i in range(len(figs))]
        ours, peer = [], []
        with png_writer() as write:  # both warm: each renders a figure before it is timed
            for _ in range(rounds):
                t0 = time.perf_counter()
                write(figs, paths, width=WIDTH, height=heights, scale=SCALE)
                ours.append(time.perf_counter() - t0)
        kaleido.start_sync_server(path=find_chromium(), mathjax=False)
        try:
            pio.write_image({"data": [], "layout": {}}, Path(d) / "warm.png", width=8, height=8)
            for _ in range(rounds):
                t0 = time.perf_counter()
                pio.write_images(figs, paths, width=WIDTH, height=heights, scale=SCALE)
                peer.append(time.perf_counter() - t0)
        finally:
            kaleido.stop_sync_server(silence_warnings=True)
    print(
        f"PNGs of {len(figs)} charts, best of {rounds}: ours {min(ours):.1f} s, kaleido's warm "
        f"sync server {min(peer):.1f} s: ours {min(peer) / min(ours):.1f}x faster"
    )


if __name__ == "__main__":
    main()
