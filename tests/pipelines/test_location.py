"""The code location: Dagster validates it, and its graph changes only on purpose.

``asset_graph.json`` is the graph as it stands: every asset's group, kinds, pools,
owners and upstream assets, every asset check, and the jobs, schedules and sensors
with their default status. A change to the graph fails the snapshot test until the
snapshot is rewritten on purpose: ``uv run python -m tests.pipelines.test_location``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines.definitions import defs
from pipelines.runner import prepare_home

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).with_name("asset_graph.json")


def graph(definitions: dg.Definitions) -> dict[str, Any]:
    """The parts of the code location a change should be deliberate about."""
    g = definitions.resolve_asset_graph()
    assets = {}
    for key in sorted(g.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = g.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "kinds": sorted(node.kinds),
            "pools": sorted(node.pools or ()),
            "owners": sorted(node.owners),
            "upstream": sorted(p.to_user_string() for p in node.parent_keys),
            "description": bool(node.description),
        }
    repo = definitions.get_repository_def()
    return {
        "assets": assets,
        "checks": sorted(f"{c.asset_key.to_user_string()}:{c.name}" for c in g.asset_check_keys),
        "jobs": sorted(j.name for j in repo.get_all_jobs() if not j.name.startswith("__")),
        "schedules": {
            s.name: [s.cron_schedule, s.execution_timezone, s.default_status.value]
            for s in repo.schedule_defs
        },
        "sensors": {s.name: s.default_status.value for s in repo.sensor_defs},
    }


def test_the_asset_graph_is_the_one_on_record():
    now = graph(defs)
    recorded = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert now == recorded, (
        "The code location's graph changed. If that was meant, rewrite the snapshot with "
        "`uv run python -m tests.pipelines.test_location` and commit tests/pipelines/"
        "asset_graph.json."
    )


def test_every_asset_has_a_group_a_kind_and_a_description():
    for name, asset in graph(defs)["assets"].items():
        assert asset["group"] != "default", name
        assert asset["kinds"], name
        assert asset["description"], name


def test_dagster_validates_the_code_location(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(prepare_home(tmp_path / ".dagster")),
           "PYTHONPATH": str(REPO), "DAGSTER_DISABLE_TELEMETRY": "1"}  # fmt: skip
    done = subprocess.run(
        [str(Path(sys.executable).with_name("dagster")), "definitions", "validate", "-m",
         "pipelines.definitions"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Validation successful" in done.stdout + done.stderr


if __name__ == "__main__":
    SNAPSHOT.write_text(json.dumps(graph(defs), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
