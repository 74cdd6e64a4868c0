"""Sensors of the code location: a ``nightly_pipeline`` run when extracts arrive in the inbox.

The inbox is the ``inbox`` resource's folder (``[paths] inbox`` of ``m4c.toml``),
listed by :func:`warehouse.landing.discover`, so the sensor sees every file an ingest
would load or report (hidden files, such as a folder being copied in, are not). The
set of files is summed up in a fingerprint, a hash of each file's path, size and
modification time. The cursor keeps the last fingerprint and
the run key is derived from it, so one set of files is never loaded twice by the sensor.

The sensor is off when the code location loads. Switch it on in the Dagster UI
(Automation, ``inbox_arrivals``, Start) or with
``dagster sensor start inbox_arrivals -m pipelines.definitions``; the daemon of
``dagster dev`` then evaluates it every five minutes.

Examples
--------
Two files, one modified 50 s ago (mtimes in nanoseconds), so still arriving:

>>> files = [("site_a/emis/Patient.csv", 120, 0), ("site_a/emis/Obs.csv", 80, 50 * 10**9)]
>>> arriving(files, now_ns=100 * 10**9)
['site_a/emis/Obs.csv']
>>> run_key(fingerprint(files))
'inbox-f30845ebb9359a5e'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from pathlib import Path

import dagster as dg

from assets.resources import Inbox, Reports
from warehouse.landing import discover

JOB = "nightly_pipeline"  # the job the schedule and this sensor run
SETTLE_SECONDS = 60  # a file modified more recently may still be being copied in
INTERVAL_SECONDS = 300
FAILURE_LOG = "run_failures.log"  # in the output folder: one line per failed run

File = tuple[str, int, int]  # path relative to the inbox, size in bytes, mtime in ns


def snapshot(inbox: Path) -> list[File]:
    """Path (relative to ``inbox``), size and mtime of every extract, sorted by path.

    A file that disappears while the inbox is listed is left out: it is being moved,
    and the next evaluation sees where it went.
    """
    files = []
    for path in discover(inbox):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        files.append((path.relative_to(inbox).as_posix(), stat.st_size, stat.st_mtime_ns))
    return sorted(files)


def fingerprint(files: list[File]) -> str:
    """SHA-256 of the sorted (path, size, mtime) triples: it changes when any file does."""
    return hashlib.sha256(json.dumps(sorted(files)).encode()).hexdigest()


def run_key(digest: str) -> str:
    """The run key of one set of files (Dagster launches each key once)."""
    return f"inbox-{digest[:16]}"


def arriving(
    files: list[File], *, now_ns: int, settle_seconds: float = SETTLE_SECONDS
) -> list[str]:
    """Paths of the files modified less than ``settle_seconds`` before ``now_ns``."""
    cutoff = now_ns - int(settle_seconds * 1e9)
    return [path for path, _, mtime in files if mtime > cutoff]


@dg.sensor(
    job_name=JOB,
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Loads the inbox when extracts arrive or change, once every file has been left "
        f"alone for {SETTLE_SECONDS} s."
    ),
)
def inbox_arrivals(
    context: dg.SensorEvaluationContext, inbox: Inbox
) -> dg.SensorResult | dg.SkipReason:
    """Request a ``nightly_pipeline`` run when the inbox's extracts differ from last time."""
    folder = Path(inbox.path)
    files = snapshot(folder)
    if not files:
        return dg.SkipReason(f"no extracts in {folder}")
    still = arriving(files, now_ns=time.time_ns())
    if still:
        more = f" (and {len(still) - 1} more)" if len(still) > 1 else ""
        return dg.SkipReason(
            f"{still[0]}{more} is still arriving: waiting until no file of the inbox has "
            f"changed for {SETTLE_SECONDS} s"
        )
    digest = fingerprint(files)
    if digest == context.cursor:
        return dg.SkipReason(f"no new or changed extracts in {folder}")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=run_key(digest), tags={"m4c/files": str(len(files))})],
        cursor=digest,
    )


def failure_line(
    when: dt.datetime, job: str, run_id: str, steps: list[tuple[str, str]], message: str
) -> str:
    r"""One line of the failure log: when, which job and run, which steps, and why.

    Examples
    --------
    >>> when = dt.datetime(2026, 12, 2, 2, 14, tzinfo=dt.UTC)
    >>> print(failure_line(when, "nightly_pipeline", "3f2a9c1d-0000", [("measure_values",
    ...     "MeasureSqlError: S1: column x not found\nTraceback ...")], "Execution failed."))
    2026-12-02T02:14:00+00:00 nightly_pipeline run 3f2a9c1d failed at measure_values: MeasureSqlError: S1: column x not found
    """  # noqa: E501
    where = ", ".join(step for step, _ in steps) or "the run"
    why = "; ".join(m.splitlines()[0] for _, m in steps if m) or message.splitlines()[0]
    return f"{when.isoformat()} {job} run {run_id[:8]} failed at {where}: {why}"


def _reason(event: dg.DagsterEvent) -> str:
    """A failed step's own error: the innermost cause, not Dagster's wrapper around it."""
    data = event.event_specific_data
    error = getattr(data, "error", None)
    while error is not None and error.cause is not None:
        error = error.cause
    return error.message.strip() if error is not None else ""


@dg.run_failure_sensor(
    name="run_failures",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        f"Writes each failed run (its job, the steps that failed and why) to {FAILURE_LOG} "
        "in the output folder, for the analyst who looks after the nightly run."
    ),
)
def run_failures(context: dg.RunFailureSensorContext, reports: Reports) -> None:
    """Append the failed run to ``<out>/run_failures.log``."""
    steps = [(e.step_key or "", _reason(e)) for e in context.get_step_failure_events()]
    run = context.dagster_run
    line = failure_line(dt.datetime.now(dt.UTC), run.job_name, run.run_id, steps,
                        context.failure_event.message or "")  # fmt: skip
    log = Path(reports.path) / FAILURE_LOG
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as f:
        f.write(line + "\n")
    context.log.info(line)
