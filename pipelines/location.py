"""The code location's pieces: the job, the schedule, the sensor, and the definitions.

:func:`definitions` builds them for one :class:`~warehouse.settings.Settings`: the
resources point at its inbox, warehouse and output folder. ``pipelines.definitions``
is the code location for the settings file found from the current folder; the command
line builds its own for the paths it is given (:mod:`pipelines.runner`). One writer at a time: every
job runs in process, every asset that writes the warehouse is in the ``duckdb`` pool,
and the project's ``dagster.yaml`` allows one run at a time and one step of the pool
(DuckDB allows a single writer). The nightly schedule (02:00 Europe/London, on) runs the
whole graph; the ``inbox_arrivals`` sensor (:mod:`pipelines.sensors`, off until started)
runs it when extracts arrive or change in the inbox, once they have settled; the
``run_failures`` sensor (on) writes each failed run to ``run_failures.log`` in the output
folder.
"""

from __future__ import annotations

import dagster as dg

from assets import ASSETS, CHECKS
from assets.resources import resources_for
from pipelines.sensors import JOB, inbox_arrivals, run_failures
from warehouse.settings import Settings

nightly_pipeline = dg.define_asset_job(
    JOB,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description=(
        "Load the inbox, rebuild the staged model, check its data quality (asset checks "
        "and a page per site), compute the measures gated by it, and draw the charts."
    ),
)

nightly = dg.ScheduleDefinition(
    name="nightly",
    job=nightly_pipeline,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


def definitions(settings: Settings, *, live: bool = False) -> dg.Definitions:
    """The code location for ``settings`` (``live``: real data, see ``m4c ingest --live``)."""
    return dg.Definitions(
        assets=ASSETS,
        asset_checks=CHECKS,
        jobs=[nightly_pipeline],
        schedules=[nightly],
        sensors=[inbox_arrivals, run_failures],
        resources=resources_for(settings, live=live),
        executor=dg.in_process_executor,
    )
