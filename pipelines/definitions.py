"""The Dagster code location of Measure for Change (``dagster dev`` from the project folder).

The settings come from ``m4c.toml``, found from the current folder upwards (or
``$M4C_CONFIG``); the job, schedule, sensor and resources are in
:mod:`pipelines.location`.
"""

from pipelines.location import definitions, nightly, nightly_pipeline
from warehouse.settings import load_settings

__all__ = ["defs", "nightly", "nightly_pipeline"]

defs = definitions(load_settings())
