r"""Whether a whole run would change nothing: the same extracts, settings and code as before.

``m4c run`` tags each whole run with :func:`inputs_fingerprint`: a hash of the inbox's
files (path, size and modification time, as the inbox sensor sees them), the settings
file, the inbox, warehouse and output paths, whether the data are live, and the source
of the project's packages (code lists, measure definitions and templates included).
Before a whole run it looks for a successful run with the same tag
(:func:`last_same_run`); if there is one and its outputs are still there, nothing is
run: the outputs already are what a run would write.

Examples
--------
>>> import tempfile
>>> from warehouse.settings import load_settings
>>> folder = Path(tempfile.mkdtemp())
>>> s = load_settings(folder, search=False)
>>> first = inputs_fingerprint(s)
>>> _ = (s.inbox / "site_a").mkdir(parents=True)
>>> _ = (s.inbox / "site_a" / "residents.csv").write_text("home_id\n")
>>> inputs_fingerprint(s) != first, inputs_fingerprint(s, live=True) != inputs_fingerprint(s)
(True, True)
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
from pathlib import Path

import dagster as dg

from pipelines.sensors import JOB, fingerprint, snapshot
from warehouse.settings import Settings

TAG = "m4c/inputs"  # the run tag holding the fingerprint of a whole run's inputs
PACKAGES = ("assets", "charts", "connectors", "expectations", "pipelines", "warehouse")


@functools.cache
def code_fingerprint() -> str:
    """SHA-256 of every file of the project's packages (bytecode caches left out)."""
    h = hashlib.sha256()
    for package in PACKAGES:
        root = Path(str(resources.files(package)))
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if "__pycache__" in path.parts:
                continue
            h.update(f"{package}/{path.relative_to(root).as_posix()}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def inputs_fingerprint(settings: Settings, *, live: bool = False) -> str:
    """SHA-256 of what a whole run reads: the inbox, the settings file, live or not, the code."""
    h = hashlib.sha256()
    files = snapshot(settings.inbox) if settings.inbox.is_dir() else []
    h.update(fingerprint(files).encode())
    h.update(settings.file.read_bytes() if settings.file else b"no settings file")
    for path in (settings.inbox, settings.warehouse, settings.out):
        h.update(f"{path.resolve()}\0".encode())
    h.update(b"live" if live else b"demo")
    h.update(code_fingerprint().encode())
    return h.hexdigest()


def last_same_run(instance: dg.DagsterInstance, inputs: str) -> dg.RunRecord | None:
    """The latest successful whole run whose inputs had the fingerprint ``inputs``."""
    runs = instance.get_run_records(
        filters=dg.RunsFilter(job_name=JOB, statuses=[dg.DagsterRunStatus.SUCCESS],
                              tags={TAG: inputs}),
        limit=1,
    )  # fmt: skip
    return runs[0] if runs else None


def outputs_present(settings: Settings) -> bool:
    """Whether a whole run's outputs are still where it wrote them."""
    return settings.warehouse.is_file() and (settings.out / "index.html").is_file()
