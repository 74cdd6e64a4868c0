"""The main job on the embedded default: synthetic extracts, through the whole graph, to pages.

1. Unless the inbox already holds extracts, write the synthetic PEACH-like extract set
   (4 sites, 29 named homes, 18 months, seed 7) to it, and its truth beside it; in a
   folder with no ``m4c.toml``, write one naming the synthetic sites and homes.
2. Materialise every asset of the code location in process, on the project's Dagster
   instance: the extracts landed, the staged model, the data-quality checks and pages,
   the measures gated by them and their signals, the return on investment, and the
   pages (``index.html``, and a folder per site with every measure's chart and its
   signals in plain words). It is the graph the nightly schedule runs, and the run
   appears in ``dagster dev``.
3. Print what happened and where the outputs are, ending with the pages to open.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipelines.runner import materialise
from synth import DEFAULT_END, write_extracts
from warehouse.settings import FILE_NAME, Settings, load_settings, render_sites, template

# The day after the bundled synthetic extracts end: freshness is judged against it.
AS_OF = DEFAULT_END


@dataclass(frozen=True)
class DemoResult:
    """Where the demo wrote its outputs, and what the run did."""

    settings: Settings
    index: Path
    ingest: dict[str, int]
    run_id: str


def run(settings: Settings) -> DemoResult:
    """Run the whole demo on ``settings``; print progress as it goes."""
    inbox = settings.inbox
    if not inbox.exists() or not any(inbox.iterdir()):
        s = write_extracts(inbox)
        print(
            f"wrote synthetic extracts: {len(s.paths)} files, {s.residents} residents, "
            f"{s.homes} homes in {s.sites} sites, to {inbox} (the truth in {s.truth})"
        )
        if settings.file is None:
            path = settings.root / FILE_NAME
            path.write_text(template() + "\n" + render_sites(s.register), encoding="utf-8")
            print(f"wrote {path}: the settings, with the synthetic sites and homes")
            settings = load_settings(file=path).replace(
                inbox=settings.inbox, warehouse=settings.warehouse, out=settings.out
            )
    result = materialise(settings, as_of=AS_OF, progress=True)
    meta = _metadata(result, "raw_extracts")
    print(
        f"ingest: {meta['files']} files, {meta['rows_in']:,} rows: {meta['rows_loaded']:,} "
        f"loaded, {meta['rows_quarantined']:,} quarantined, {meta['rows_skipped']:,} skipped, "
        f"{meta['files_refused']} files refused"
    )
    quality = _metadata(result, "dq_results")
    print(
        f"data quality as of {AS_OF:%-d %B %Y}: {quality['errors']} results stop charts, "
        f"{quality['warnings']} need a look; a page per site in {settings.out / 'data_quality'}"
    )
    roi = _metadata(result, "roi_summary")
    whole = roi["roi"].get("collaborative")
    print(
        f"return on investment at {roi['price_year']} prices, {roi['draws']:,} resamples: "
        + ("" if whole is None else f"the collaborative's ROI is {whole:.0%}; ")
        + "see `uv run m4c roi` for each site's, with intervals and assumptions"
    )
    found = _metadata(result, "signals")
    print(
        f"signals at the latest points: {found['signals']} across the collaborative, its sites "
        f"and homes ({found['improvements']} improvements, {found['concerns']} concerns), each "
        "in plain words on the pages"
    )
    shown = _metadata(result, "pages")
    index = Path(shown["index"])
    print(
        f"warehouse: {settings.warehouse}\n"
        f"Dagster run {result.run_id} is in {settings.dagster_home}; see it with "
        "`uv run m4c ui` (the Dagster UI).\n"
        f"pages: open {index} ({shown['pages']} pages, {shown['pngs']} charts as PNG, "
        f"{shown['decks']} slide decks for the sites' QI meetings, in {shown['seconds']} s)"
    )
    return DemoResult(settings, index, meta, result.run_id)


def _metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict[str, object]:
    """An asset's materialisation metadata, as plain values."""
    (event,) = result.asset_materializations_for_node(asset)
    return {k: v.value for k, v in event.metadata.items()}
