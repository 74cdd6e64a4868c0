"""The Dagster code location and the ingest assets, materialised in a temporary project."""

from __future__ import annotations

import dagster as dg

from assets import ASSETS
from assets.resources import resources_for
from pipelines.definitions import defs, nightly_pipeline
from tests.warehouse.test_landing import inbox  # noqa: F401  (the fixture)
from warehouse.settings import load_settings
from warehouse.tables import STAGED, STAGED_TABLES

GROUPS = ("ingest", "staged", "data_quality", "measures", "roi", "reports")


def test_definitions_load_with_groups_kinds_and_descriptions():
    graph = defs.get_repository_def().asset_graph
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == {
        "raw_extracts",
        *STAGED,
        "dq_results",
        "dq_pages",
        "measure_values",
        "spc_results",
        "signals",
        "roi_inputs",
        "roi_summary",
        "pages",
        "alerts",
    }
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.group_name in GROUPS
        assert node.description
        assert node.kinds & {"duckdb", "html"}
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    assert checks == {(t, "data_quality") for t in ("raw_extracts", *STAGED)}
    assert defs.resolve_job_def("nightly_pipeline").executor_def.name == "in_process"
    assert nightly_pipeline.name == "nightly_pipeline"


def test_staged_assets_depend_on_what_their_table_is_built_from():
    graph = defs.get_repository_def().asset_graph
    for table in STAGED_TABLES:
        parents = {k.to_user_string() for k in graph.get(dg.AssetKey(table.name)).parent_keys}
        assert parents == set(table.upstream)


def test_materialise_raw_and_staged(inbox, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("M4C_PSEUDO_KEY", "test-key")
    settings = load_settings(tmp_path, search=False).replace(inbox=inbox)
    result = dg.materialize(
        ASSETS, selection=["raw_extracts", *STAGED], resources=resources_for(settings)
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
