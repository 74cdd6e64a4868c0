"""A second `m4c run` with nothing new runs nothing, and says so; a changed file runs again."""

from __future__ import annotations

import os

import pipelines.cli
from pipelines.cli import main
from pipelines.runner import project_instance
from pipelines.unchanged import inputs_fingerprint, last_same_run
from synth import write_extracts
from warehouse.settings import load_settings


def test_a_second_run_with_nothing_new_runs_nothing_and_a_changed_file_runs_again(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("M4C_PSEUDO_KEY", "test-key")
    write_extracts(tmp_path / "inbox", sites=2, homes=6, months=13, seed=5)
    paths = ["--inbox", str(tmp_path / "inbox"), "--warehouse", str(tmp_path / "w.duckdb"),
             "--out", str(tmp_path / "out")]  # fmt: skip
    assert main(["run", *paths]) == 0
    assert "nothing new" not in capsys.readouterr().out
    built = (tmp_path / "w.duckdb").stat().st_mtime_ns
    assert main(["run", *paths]) == 0
    second = capsys.readouterr().out
    assert second.startswith("nothing new since run ")
    assert "--force runs the graph anyway" in second
    assert (tmp_path / "w.duckdb").stat().st_mtime_ns == built  # nothing was written

    settings = load_settings(search=False).replace(
        inbox=tmp_path / "inbox", warehouse=tmp_path / "w.duckdb", out=tmp_path / "out"
    )
    before = inputs_fingerprint(settings)
    with project_instance(settings) as instance:
        assert last_same_run(instance, before) is not None
        extract = next((tmp_path / "inbox").rglob("residents.csv"))
        was = extract.stat().st_mtime_ns
        os.utime(extract, ns=(built + 10**9, built + 10**9))  # touched: perhaps new rows
        assert last_same_run(instance, inputs_fingerprint(settings)) is None  # so it runs

    launched = []
    monkeypatch.setattr(pipelines.cli, "materialise", lambda *a, **k: launched.append(k))
    os.utime(extract, ns=(was, was))  # as it was: nothing new, but --force runs anyway
    assert inputs_fingerprint(settings) == before
    assert main(["run", *paths, "--force"]) == 0
    assert len(launched) == 1
    assert launched[0]["tags"] == {"m4c/inputs": before}
