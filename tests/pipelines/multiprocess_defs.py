"""A job of the project's assets on Dagster's multiprocess executor, for the pool test.

The code location runs every job in process; this one runs each step in its own
process, so that only the ``duckdb`` pool limit of the project's ``dagster.yaml`` stands
between the five steps that write the warehouse (four staged tables built from the raw
extracts alone could run at once) and DuckDB's lock.
"""

import dagster as dg

from assets import ASSETS
from assets.resources import resources_for
from warehouse.settings import load_settings

WRITERS = ["raw_extracts", "stg_person", "stg_absence", "stg_incident", "stg_qi_activity"]

all_at_once = dg.define_asset_job(
    "all_at_once", selection=WRITERS, executor_def=dg.multiprocess_executor
)
defs = dg.Definitions(assets=ASSETS, jobs=[all_at_once], resources=resources_for(load_settings()))
