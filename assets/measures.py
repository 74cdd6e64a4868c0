"""The measures' assets: ``measure_values``, ``spc_results`` and ``signals``.

Each is a thin wrapper over :mod:`warehouse.measures`; the measure registry is the
packaged catalogue unless the settings name another (``[measures] registry``).
"""

import datetime as dt

import dagster as dg

from assets.ingest import POOL
from assets.quality import dq_results
from assets.resources import Project, Warehouse
from warehouse import measures
from warehouse.measures.signals import compute_signals
from warehouse.measures.spc_results import compute_spc

CATALOGUE = measures.load_registry()
READS = sorted({t for m in CATALOGUE for t in m.tables})


def registry_of(project: Project) -> measures.Registry:
    """The measure registry of the settings: the shipped catalogue or ``[measures] registry``."""
    folder = project.settings().measures
    return CATALOGUE if folder is None else measures.load_registry(folder)


def _result(counts: dict[str, int]) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"dagster/row_count": counts["rows"], **counts})


@dg.asset(
    group_name="measures",
    kinds={"duckdb"},
    pool=POOL,
    deps=[dq_results, *READS],
    description=(
        "Every measure of the registry (warehouse/measures/catalogue; docs/measures.md) "
        "per home, site and the collaborative, and per month or quarter: numerator, "
        "denominator, value, data_complete and the data-quality checks behind it, the "
        "measure's version and the extract files that fed the point."
    ),
)
def measure_values(warehouse: Warehouse, project: Project) -> dg.MaterializeResult:
    """Compute the measures; points on data with an ERROR are kept, marked and left empty."""
    with warehouse.connect() as con:
        counts = measures.compute(con, registry_of(project))
    return _result(counts)


@dg.asset(
    group_name="measures",
    kinds={"duckdb"},
    pool=POOL,
    deps=[measure_values, "stg_change_idea", "stg_baseline_decision"],
    description=(
        "The SPC result of every series (a measure at a home, a site or the "
        "collaborative): its chart (a run chart until it has enough points), centre "
        "line, limits and runs and sigma signals, the Making Data Count variation and "
        "assurance icons of that chart (variation, assurance: what the pages and m4c "
        "measures say) and NHSRplotthedots' own XmR reading (mdc_variation, "
        "mdc_assurance), the governed baseline and the change idea in progress."
    ),
)
def spc_results(warehouse: Warehouse) -> dg.MaterializeResult:
    """Chart every series, one call per chart type."""
    with warehouse.connect() as con:
        counts = compute_spc(con)
    return _result(counts)


@dg.asset(
    group_name="measures",
    kinds={"duckdb"},
    pool=POOL,
    deps=[spc_results],
    description=(
        "The special causes at the latest points of each series, new since the last "
        "run or not, each with a sentence in plain words that knows which way is "
        "better; and baseline_suggestions, rebases for a person to approve."
    ),
)
def signals(warehouse: Warehouse) -> dg.MaterializeResult:
    """Read the signals at the end of each series and say what they mean."""
    with warehouse.connect() as con:
        counts = compute_signals(con, run_at=dt.datetime.now(dt.UTC).replace(tzinfo=None))
    return dg.MaterializeResult(metadata={"dagster/row_count": counts["signals"], **counts})
