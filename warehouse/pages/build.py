"""Write every page, PNG and slide deck of a run (see :mod:`warehouse.pages`)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warehouse.exports.deck import write_deck
from warehouse.exports.images import png_writer
from warehouse.measures.registry import Registry
from warehouse.pages import content
from warehouse.pages.commissioners import write_commissioners, write_index
from warehouse.pages.render import sizes
from warehouse.pages.site import write_site

WIDTH, SCALE = 1200, 1.5  # PNGs 1,800 pixels wide: sharp on a projector, small in a deck


@dataclass(frozen=True)
class Pages:
    """What :func:`write_pages` wrote, and how big and how long.

    ``folder_bytes`` has each site folder's bytes by kind (pages, tables, pictures,
    slides), plotly.js left out; ``page_bytes`` the pages alone (what a browser opens
    to show them; the CSV tables, PNGs and slides are downloads).
    """

    index: Path
    pages: tuple[Path, ...]
    pngs: tuple[Path, ...]
    decks: tuple[Path, ...]
    folder_bytes: dict[str, dict[str, int]]  # site -> bytes by kind (render.sizes)
    seconds: float

    @property
    def page_bytes(self) -> dict[str, int]:
        """Each site folder's pages, in bytes (plotly.js left out)."""
        return {site: b["pages"] for site, b in self.folder_bytes.items()}


def write_pages(
    con: Any,
    registry: Registry,
    out: Path,
    *,
    reasons: dict[str, str],
    dq_lines: dict[str, str],
    reports: list[dict[str, Any]],
    images: bool = True,
) -> Pages:
    """Write every page (and, with ``images``, the PNGs and the slides) under ``out``."""
    t0 = time.perf_counter()
    sites = content.sites(con)
    written, pngs, decks, bytes_ = [], [], [], {}
    outputs = [
        write_site(
            con,
            s,
            registry,
            out,
            reasons=reasons,
            dq_line=dq_lines.get(s.site_id, ""),
            images=images,
        )
        for s in sites
    ]
    for o in outputs:
        written += o.pages
    if images:
        with png_writer() as write:
            charts = [c for o in outputs for c in o.charts]
            pngs = write(
                [c.figure for c in charts],
                [c.path for c in charts],
                width=WIDTH,
                height=[c.height for c in charts],
                scale=SCALE,
            )
        for s, o in zip(sites, outputs, strict=True):
            decks.append(
                write_deck(
                    o.folder / f"{s.site_id}_qi_meeting.pptx",
                    title=f"{s.name}: measures for change",
                    subtitle=f"{o.measures} measures, {len(s.homes)} homes",
                    slides=[c.slide for c in o.charts if c.slide],
                )
            )
    written += write_commissioners(con, reports, sites, out)
    signals = {s.site_id: content.signals(con, s.site_id).height for s in sites}
    index = write_index(out, sites, signals)
    for o in outputs:
        bytes_[o.folder.name] = sizes(o.folder)
    return Pages(index, (index, *written), tuple(pngs), tuple(decks), bytes_,
                 time.perf_counter() - t0)  # fmt: skip
