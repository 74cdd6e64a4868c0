"""Dagster assets: thin definitions over the load engine in :mod:`warehouse`.

Groups: ``ingest`` (:mod:`assets.ingest`), ``staged`` (:mod:`assets.staged`),
``data_quality`` (:mod:`assets.quality`), ``measures`` (:mod:`assets.measures`),
``roi`` (:mod:`assets.roi`) and ``reports`` (:mod:`assets.reports`); resources in
:mod:`assets.resources`. Every asset that writes to the DuckDB warehouse is in the
``duckdb`` pool, limited to one at a time by the project's ``dagster.yaml`` (DuckDB
allows a single writer).
"""

from assets.ingest import raw_extracts
from assets.measures import measure_values, signals, spc_results
from assets.quality import QUALITY_CHECKS, dq_pages, dq_results
from assets.reports import alerts, pages
from assets.roi import roi_inputs, roi_summary
from assets.staged import STAGED_ASSETS

ASSETS = [
    raw_extracts,
    *STAGED_ASSETS,
    dq_results,
    dq_pages,
    measure_values,
    spc_results,
    signals,
    roi_inputs,
    roi_summary,
    pages,
    alerts,
]
CHECKS = QUALITY_CHECKS
