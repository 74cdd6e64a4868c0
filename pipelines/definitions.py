"""The Dagster code location of Measure for Change (``dagster dev`` from the repo root).

One writer at a time: jobs run in-process and every asset is in the ``duckdb`` pool.
The nightly schedule loads the inbox and rebuilds the staged model at 02:00. The
``inbox_arrivals`` sensor (:mod:`pipelines.sensors`, off until started) runs the same job
when extracts arrive or change in the inbox, once they have settled.
"""

from __future__ import annotations

import dagster as dg

from assets.ingest import STAGED_ASSETS, Inbox, Warehouse, raw_extracts
from pipelines import settings
from pipelines.sensors import inbox_arrivals

nightly_ingest = dg.define_asset_job(
    "nightly_ingest",
    selection=dg.AssetSelection.groups("ingest", "staged"),
    executor_def=dg.in_process_executor,
    description="Load the inbox and rebuild the staged canonical model.",
)

nightly = dg.ScheduleDefinition(
    name="nightly",
    job=nightly_ingest,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/London",
)

defs = dg.Definitions(
    assets=[raw_extracts, *STAGED_ASSETS],
    jobs=[nightly_ingest],
    schedules=[nightly],
    sensors=[inbox_arrivals],
    resources={
        "warehouse": Warehouse(path=str(settings.warehouse_path())),
        "inbox": Inbox(),
    },
)
