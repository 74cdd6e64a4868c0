"""The Dagster assets of the ingest, materialised on a temporary warehouse and inbox."""

from __future__ import annotations

import dagster as dg

from assets.ingest import STAGED_ASSETS, Inbox, Warehouse, raw_extracts
from assets.staging import STAGED
from pipelines.definitions import defs, nightly_ingest
from tests.assets.test_landing import inbox  # noqa: F401  (the fixture)


def test_definitions_load_with_groups_kinds_and_descriptions():
    graph = defs.get_repository_def().asset_graph
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == {"raw_extracts", *STAGED, "dq_results", "dq_pages", "measure_values"}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.group_name in ("ingest", "staged", "data_quality", "measures")
        assert node.description
        assert node.kinds & {"duckdb", "html"}
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    assert checks == {(t, "data_quality") for t in STAGED}
    assert defs.resolve_job_def("nightly_ingest").executor_def.name == "in_process"
    assert nightly_ingest.name == "nightly_ingest"


def test_materialise_raw_and_staged(inbox, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("M4C_PSEUDO_KEY", "test-key")
    warehouse = Warehouse(path=str(tmp_path / "w.duckdb"))
    result = dg.materialize(
        [raw_extracts, *STAGED_ASSETS],
        resources={"warehouse": warehouse, "inbox": Inbox(path=str(inbox))},
    )
    assert result.success
    raw = result.asset_materializations_for_node("raw_extracts")[0].metadata
    assert raw["files"].value == 5
    assert raw["files_refused"].value == 1
    assert raw["rows_in"].value == (
        raw["rows_loaded"].value + raw["rows_quarantined"].value + raw["rows_skipped"].value
    )
    episodes = result.asset_materializations_for_node("stg_residence_episode")[0].metadata
    assert episodes["rows"].value == 1
