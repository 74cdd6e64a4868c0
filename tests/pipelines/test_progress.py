"""The progress bars: every step of the graph belongs to a stage, and each stage is seen to end."""

from __future__ import annotations

import dagster as dg

from assets import ASSETS, CHECKS
from pipelines.definitions import defs
from pipelines.progress import STAGE_ORDER, run_with_progress, stage_of_steps
from pipelines.runner import _steps


def test_every_step_of_the_nightly_job_has_a_stage_in_the_order_the_graph_runs():
    stages = stage_of_steps(ASSETS, CHECKS)
    job = defs.resolve_job_def("nightly_pipeline")
    assert {n.name for n in job.graph.node_defs} == set(stages)
    assert set(stages.values()) == set(STAGE_ORDER)
    assert stages["measure_values"] == "measures"
    assert stages["roi_summary"] == "roi"
    assert _steps(stages, {"raw_extracts"}) == ["raw_extracts", "raw_extracts_data_quality"]


def test_each_stage_is_reported_as_its_steps_finish_and_the_run_result_comes_back():
    @dg.asset(group_name="ingest")
    def raw() -> int:
        return 1

    @dg.asset(group_name="measures")
    def counted(raw: int) -> int:
        return raw + 1

    @dg.asset_check(asset=counted)
    def counted_is_positive(counted: int) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=counted > 0)

    job = dg.define_asset_job("j")
    d = dg.Definitions(assets=[raw, counted], asset_checks=[counted_is_positive], jobs=[job])
    instance = dg.DagsterInstance.ephemeral()
    stages = stage_of_steps([raw, counted], [counted_is_positive])
    seen: list[tuple[str, int, int]] = []
    result = run_with_progress(
        lambda run_id: d.resolve_job_def("j").execute_in_process(instance=instance,
                                                                  run_id=run_id),
        instance, stages, list(stages), lambda *a: seen.append(a),
    )  # fmt: skip
    assert result.success
    assert ("ingest", 1, 1) in seen
    assert ("measures", 2, 2) in seen  # the asset and its check
    assert all(done <= total for _, done, total in seen)
