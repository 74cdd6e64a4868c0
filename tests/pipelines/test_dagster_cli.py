"""Dagster's own command line on the project: the README's commands, and one writer.

Every way of launching the graph is safe against DuckDB's single writer. The tests
launch Dagster's command line in a project folder of their own, with the project's
``dagster.yaml`` in its Dagster home, as a user of the UI or the CLI would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.runner import DAGSTER_YAML, prepare_home
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
        [str(dagster_cli), *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_materialise_all_with_the_default_executor(project):
    done = dagster(
        ["asset", "materialize", "--select", "*", "-m", "pipelines.definitions"], project
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Could not set lock" not in done.stderr
    folder, _ = project
    with duckdb.connect(str(folder / "data" / "warehouse.duckdb"), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM measure_values").fetchall()[0][0] > 0
    assert (folder / "out" / "index.html").is_file()


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


def test_the_projects_dagster_home_has_telemetry_off_and_one_writer():
    shipped = DAGSTER_YAML.read_text()
    assert (REPO / ".dagster" / "dagster.yaml").read_text() == shipped
    config = yaml.safe_load(shipped)
    assert config["telemetry"] == {"enabled": False}
    assert config["concurrency"] == {
        "runs": {"max_concurrent_runs": 1},
        "pools": {"default_limit": 1},
    }


def test_the_sensor_starts_from_the_command_line_with_the_projects_home(project):
    started = dagster(["sensor", "start", "inbox_arrivals", "-m", "pipelines.definitions"], project)
    assert started.returncode == 0, started.stderr[-3000:]
    assert "Started sensor inbox_arrivals" in started.stdout
    listed = dagster(["sensor", "list", "-m", "pipelines.definitions"], project)
    assert "inbox_arrivals" in listed.stdout
