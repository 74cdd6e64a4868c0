"""The measures: a registry of declarations and SQL, and the values computed from it.

* :mod:`warehouse.measures.registry`: the measures, declared once as data
  (``catalogue/<id>.toml`` and ``catalogue/<id>.sql``).
* :mod:`warehouse.measures.values`: ``measure_values``, per home, site and
  collaborative, gated by data quality.
"""

from warehouse.measures.registry import (
    CATALOGUE,
    Measure,
    Registry,
    RegistryError,
    key_of,
    load_registry,
)
from warehouse.measures.values import MeasureSqlError, compute, measure_frame

__all__ = [
    "CATALOGUE",
    "Measure",
    "MeasureSqlError",
    "Registry",
    "RegistryError",
    "compute",
    "key_of",
    "load_registry",
    "measure_frame",
]
