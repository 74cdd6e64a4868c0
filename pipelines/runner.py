"""Running the graph in process, as the command line does: the job the UI runs.

``m4c ingest``, ``validate``, ``run`` and ``demo`` each run the code location's
``nightly_pipeline`` job, or a selection of its assets, on the project's persistent
Dagster instance (``[paths] dagster_home``), so their runs appear in ``dagster dev``
beside the schedule's and the sensor's.

Examples
--------
>>> sorted(selection_of("validate"))[:2]
['dq_pages', 'dq_results']
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import dagster as dg

from assets import ASSETS, CHECKS
from pipelines.errors import CliError
from pipelines.location import definitions
from pipelines.progress import STAGE_ORDER, StageBars, run_with_progress, stage_of_steps
from pipelines.sensors import JOB
from warehouse.settings import Settings
from warehouse.tables import STAGED

DAGSTER_YAML = resources.files("pipelines").joinpath("dagster.yaml")
SELECTIONS = {  # what a command that does not run the whole graph materialises
    "ingest": ("raw_extracts",),
    "validate": (*STAGED, "dq_results", "dq_pages"),
}


def _asset_keys(selection: Sequence[str]) -> list[dg.AssetKey]:
    """The asset keys named, refusing a name that is no asset of the graph."""
    known = sorted(key.to_user_string() for a in ASSETS for key in a.keys)
    unknown = [name for name in selection if name not in known]
    if unknown:
        raise CliError(
            f"there is no asset {', '.join(map(repr, unknown))}; the assets are {', '.join(known)}."
        )
    return [dg.AssetKey(name) for name in selection]


def selection_of(command: str) -> Sequence[str]:
    """The asset keys ``m4c ingest`` or ``m4c validate`` materialises."""
    return SELECTIONS[command]


def prepare_home(home: Path) -> Path:
    """The Dagster home, created with the project's ``dagster.yaml`` if it has none."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML.read_text(encoding="utf-8"), encoding="utf-8")
    return home


@contextlib.contextmanager
def project_instance(settings: Settings) -> Iterator[dg.DagsterInstance]:
    """The project's persistent Dagster instance (its dagster.yaml: telemetry off)."""
    home = prepare_home(settings.dagster_home)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        yield instance


def materialise(
    settings: Settings,
    selection: Sequence[str] | None = None,
    *,
    live: bool = False,
    as_of: dt.date | None = None,
    progress: bool = False,
    tags: dict[str, str] | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialise ``selection`` (asset keys; None: everything) in process.

    With ``progress``, a bar per stage on standard error (:mod:`pipelines.progress`).

    Raises
    ------
    Exception
        The error a step raised (a refused settings file, a busy warehouse, a missing
        code list...), unwrapped from Dagster's so the command line can print it.
    """
    selected = set(selection) if selection is not None else None
    ops: dict[str, object] = {}
    if as_of is not None and (selected is None or "dq_results" in selected):
        ops["dq_results"] = {"config": {"as_of": as_of.isoformat()}}
    run_config = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}, "ops": ops}
    job = definitions(settings, live=live).resolve_job_def(JOB)
    keys = _asset_keys(selection) if selection is not None else None

    def launch(instance: dg.DagsterInstance, run_id: str | None = None) -> Any:
        return job.execute_in_process(
            instance=instance, asset_selection=keys, run_config=run_config,
            tags={"m4c/command": "cli", **(tags or {})}, run_id=run_id,
        )  # fmt: skip

    with project_instance(settings) as instance:
        try:
            if not progress:
                return launch(instance)
            stages = stage_of_steps(ASSETS, CHECKS)
            steps = _steps(stages, selected)
            totals = Counter(stages[s] for s in steps)
            with StageBars(sorted(totals, key=STAGE_ORDER.index), totals) as bars:
                return run_with_progress(partial(launch, instance), instance, stages, steps,
                                         bars)  # fmt: skip
        except dg.DagsterExecutionStepExecutionError as exc:
            if exc.user_exception is not None:
                raise exc.user_exception from None
            raise


def _steps(stages: dict[str, str], selected: set[str] | None) -> list[str]:
    """The steps a run of ``selected`` assets (None: all) executes: the assets and checks."""
    if selected is None:
        return list(stages)
    checks = {c.node_def.name for c in CHECKS if {k.asset_key.to_user_string()
              for k in c.check_keys} <= selected}  # fmt: skip
    return [s for s in stages if s in selected or s in checks]
