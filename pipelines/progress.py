"""A progress bar per stage while the graph runs in process (``m4c demo``, ``m4c run``).

The stages are the asset groups, in the order the graph runs them (ingest, staged,
data_quality, measures, roi, reports); each counts its steps: its assets' ops and the
asset checks on them. :func:`run_with_progress` runs the job in a thread of its own and
reads the run's step events from the Dagster instance as they are written, so what is
shown is what Dagster recorded. The bars are drawn with rich on standard error, and
only on a terminal: piped or captured output gets a line per stage as it finishes.

Examples
--------
>>> from assets import ASSETS, CHECKS
>>> stages = stage_of_steps(ASSETS, CHECKS)
>>> stages["raw_extracts"], stages["stg_event_data_quality"], stages["pages"]
('ingest', 'staged', 'reports')
>>> list(dict.fromkeys(STAGE_ORDER))[:3]
['ingest', 'staged', 'data_quality']
"""

from __future__ import annotations

import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import dagster as dg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

STAGE_ORDER = ("ingest", "staged", "data_quality", "measures", "roi", "reports")
POLL_SECONDS = 0.25
DONE = (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE,
        dg.DagsterEventType.STEP_SKIPPED)  # fmt: skip

Report = Callable[[str, int, int], None]  # stage, steps done, steps in all


def stage_of_steps(assets: Sequence[Any], checks: Sequence[Any]) -> dict[str, str]:
    """Each step (op) name of the graph -> the stage (asset group) it belongs to."""
    out = {}
    for a in assets:
        groups = set(a.group_names_by_key.values())
        out[a.node_def.name] = min(groups, key=_rank)
    group_of = {k: g for a in assets for k, g in a.group_names_by_key.items()}
    for c in checks:
        out[c.node_def.name] = min((group_of[k.asset_key] for k in c.check_keys), key=_rank)
    return out


def _rank(stage: str) -> int:
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER)


def run_with_progress(
    launch: Callable[[str], dg.ExecuteInProcessResult],
    instance: dg.DagsterInstance,
    stages: dict[str, str],
    steps: Sequence[str],
    report: Report,
) -> dg.ExecuteInProcessResult:
    """Run ``launch(run_id)`` in a thread; call ``report`` as each stage's steps finish.

    ``steps`` are the step names the run will execute (a selection runs fewer); the
    error the run raises, if any, is raised here once its thread has ended.
    """
    run_id = str(uuid.uuid4())  # a run id as Dagster makes them, known before the run starts
    totals = Counter(stages.get(s, "other") for s in steps)
    result: list[dg.ExecuteInProcessResult] = []
    error: list[BaseException] = []

    def work() -> None:
        try:
            result.append(launch(run_id))
        except BaseException as e:  # raised in the caller's thread below
            error.append(e)

    thread = threading.Thread(target=work, name="m4c-run", daemon=True)
    thread.start()
    shown: Counter[str] = Counter()
    while True:
        alive = thread.is_alive()
        records = instance.get_records_for_run(run_id, of_type=set(DONE)).records
        done = Counter(stages.get(r.event_log_entry.step_key or "", "other") for r in records)
        for stage in sorted(totals, key=_rank):
            if done[stage] != shown[stage]:
                shown[stage] = done[stage]
                report(stage, done[stage], totals[stage])
        if not alive:
            break
        time.sleep(POLL_SECONDS)
    thread.join()
    if error:
        raise error[0]
    return result[0]


class StageBars:
    """A rich progress bar per stage, on standard error; plain lines when not a terminal."""

    def __init__(self, stages: Sequence[str], totals: dict[str, int]) -> None:
        self.console = Console(stderr=True)
        self.live = self.console.is_terminal
        self.progress = Progress(
            TextColumn("{task.description:<13}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=self.console, disable=not self.live,
        )  # fmt: skip
        self.tasks = {s: self.progress.add_task(s, total=totals[s]) for s in stages}

    def __enter__(self) -> StageBars:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Move ``stage``'s bar to ``done`` of ``total`` steps."""
        if stage in self.tasks:
            self.progress.update(self.tasks[stage], completed=done, total=total)
        if not self.live and done == total:
            print(f"{stage}: {done} of {total} steps done", file=sys.stderr)
