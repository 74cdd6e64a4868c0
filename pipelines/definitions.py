"""The Dagster code location of Measure for Change (``dagster dev`` from the repo root).

One writer at a time: jobs run in-process and every asset is in the ``duckdb`` pool.
The nightly schedule loads the inbox, rebuilds the staged model, checks its data quality
and computes the measures at 02:00. The
``inbox_arrivals`` sensor (:mod:`pipelines.sensors`, off until started) runs the same job
when extracts arrive or change in the inbox, once they have settled.
"""

from __future__ import annotations

import dagster as dg

from assets.ingest import STAGED_ASSETS, Inbox, Warehouse, raw_extracts
from assets.measures import measure_values
from assets.quality import QUALITY_CHECKS, Reports, dq_pages, dq_results
from pipelines import settings
from pipelines.sensors import inbox_arrivals

nightly_ingest = dg.define_asset_job(
    "nightly_ingest",
    selection=dg.AssetSelection.groups("ingest", "staged", "data_quality", "measures"),
    executor_def=dg.in_process_executor,
    description=(
        "Load the inbox, rebuild the staged model, check its data quality (asset checks "
        "and a page per site), and compute the measures gated by it."
    ),
)

nightly = dg.ScheduleDefinition(
    name="nightly",
    job=nightly_ingest,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/London",
)

defs = dg.Definitions(
    assets=[raw_extracts, *STAGED_ASSETS, dq_results, dq_pages, measure_values],
    asset_checks=QUALITY_CHECKS,
    jobs=[nightly_ingest],
    schedules=[nightly],
    sensors=[inbox_arrivals],
    resources={
        "warehouse": Warehouse(path=str(settings.warehouse_path())),
        "inbox": Inbox(),
        "reports": Reports(),
    },
)
