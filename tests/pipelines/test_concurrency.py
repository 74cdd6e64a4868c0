"""Every way of launching the graph is safe against DuckDB's single writer.

Both tests launch Dagster's own command line in a project folder of their own, with the
project's ``dagster.yaml`` in its Dagster home, as a user of the UI or the CLI would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.runner import prepare_home
from tests.warehouse.test_landing import inbox  # noqa: F401  (the fixture)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(inbox, tmp_path):  # noqa: F811
    (tmp_path / "m4c.toml").write_text(f'[paths]\ninbox = "{inbox}"\n')
    home = prepare_home(tmp_path / ".dagster")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "M4C_CONFIG": str(tmp_path / "m4c.toml"),
        "M4C_PSEUDO_KEY": "concurrency-test",
        "PYTHONPATH": str(REPO),
    }
    return tmp_path, env


def dagster(args, project):
    folder, env = project
    dagster_cli = Path(sys.executable).with_name("dagster")
    return subprocess.run(
        [str(dagster_cli), *args], cwd=folder, env=env, capture_output=True, text=True, timeout=600
    )


def test_materialise_all_with_the_default_executor(project):
    done = dagster(["asset", "materialize", "--select", "*", "-m", "pipelines.definitions"], project)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Could not set lock" not in done.stderr
    folder, _ = project
    with duckdb.connect(str(folder / "data" / "warehouse.duckdb"), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM measure_values").fetchall()[0][0] > 0
    assert (folder / "out" / "falls_by_site.html").is_file()


def test_the_pool_serialises_writers_under_the_multiprocess_executor(project):
    job = ["job", "execute", "-m", "tests.pipelines.multiprocess_defs", "-j", "all_at_once"]
    done = dagster(job, project)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Could not set lock" not in done.stderr
    assert "RUN_SUCCESS" in done.stderr + done.stdout
    folder, _ = project
    with duckdb.connect(str(folder / "data" / "warehouse.duckdb"), read_only=True) as con:
        tables = {t for (t,) in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"stg_person", "stg_absence", "stg_incident", "stg_qi_activity"} <= tables
