"""The inbox sensor: one run per new set of settled extracts, skips otherwise."""

from __future__ import annotations

import hashlib
import json
import os
import time

import dagster as dg
import pytest

from assets.resources import Inbox, Reports
from pipelines.definitions import defs
from pipelines.sensors import FAILURE_LOG, SETTLE_SECONDS, inbox_arrivals, run_failures

# 14 Nov 2023 22:13:20 UTC, in nanoseconds: long settled.
SETTLED_NS = 1_700_000_000 * 10**9
PATIENTS = "PatientGuid,NhsNumber\ng1,x\n"
RESIDENTS = "home_id\n1-100000001\n"


def put(root, relative, text, mtime_ns=SETTLED_NS):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


@pytest.fixture
def inbox(tmp_path):
    root = tmp_path / "inbox"
    put(root, "site_a/emis/1_Admin_Patient_20240731.csv", PATIENTS)
    put(root, "site_a/carehome/1-100000001/residents.csv", RESIDENTS)
    return root


def evaluate(root, cursor=None):
    context = dg.build_sensor_context(cursor=cursor, resources={"inbox": Inbox(path=str(root))})
    return inbox_arrivals(context)


def test_first_evaluation_requests_one_run_and_an_unchanged_inbox_then_skips(inbox):
    first = evaluate(inbox)
    assert isinstance(first, dg.SensorResult)
    [request] = first.run_requests
    files = [
        ["site_a/carehome/1-100000001/residents.csv", len(RESIDENTS), SETTLED_NS],
        ["site_a/emis/1_Admin_Patient_20240731.csv", len(PATIENTS), SETTLED_NS],
    ]
    digest = hashlib.sha256(json.dumps(files).encode()).hexdigest()
    assert first.cursor == digest
    assert request.run_key == f"inbox-{digest[:16]}" == "inbox-f4373e09725c9994"
    assert request.tags == {"m4c/files": "2"}

    again = evaluate(inbox, cursor=first.cursor)
    assert isinstance(again, dg.SkipReason)
    assert again.skip_message == f"no new or changed extracts in {inbox}"


def test_a_changed_or_added_file_requests_a_new_run(inbox):
    first = evaluate(inbox)
    touched = put(inbox, "site_a/emis/1_Admin_Patient_20240731.csv", "PatientGuid,NhsNumber\n")
    changed = evaluate(inbox, cursor=first.cursor)
    [request] = changed.run_requests
    assert request.run_key != first.run_requests[0].run_key
    assert changed.cursor != first.cursor

    os.utime(touched, ns=(SETTLED_NS + 10**9, SETTLED_NS + 10**9))  # same bytes, newer mtime
    retouched = evaluate(inbox, cursor=changed.cursor)
    assert retouched.run_requests[0].run_key not in {
        first.run_requests[0].run_key,
        request.run_key,
    }

    put(inbox, "site_b/systmone/SRPatient_20240731.csv", "RowIdentifier\n1\n")
    added = evaluate(inbox, cursor=retouched.cursor)
    assert added.run_requests[0].tags == {"m4c/files": "3"}
    assert added.cursor not in {first.cursor, changed.cursor, retouched.cursor}


def test_a_file_still_being_written_is_waited_for(inbox):
    first = evaluate(inbox)
    fresh_ns = time.time_ns() - (SETTLE_SECONDS // 2) * 10**9
    put(inbox, "site_a/emis/1_CareRecord_Observation_20240731.csv", "CodeId\n", fresh_ns)
    waiting = evaluate(inbox, cursor=first.cursor)
    assert isinstance(waiting, dg.SkipReason)
    assert waiting.skip_message == (
        "site_a/emis/1_CareRecord_Observation_20240731.csv is still arriving: waiting until "
        f"no file of the inbox has changed for {SETTLE_SECONDS} s"
    )
    assert str(inbox) not in waiting.skip_message

    put(inbox, "site_a/emis/2_CareRecord_Observation_20240801.csv", "CodeId\n", fresh_ns)
    both = evaluate(inbox, cursor=first.cursor)
    assert both.skip_message.startswith(
        "site_a/emis/1_CareRecord_Observation_20240731.csv (and 1 more) is still arriving"
    )

    settled = SETTLED_NS + 5 * 10**9
    for name in ("1_CareRecord_Observation_20240731.csv", "2_CareRecord_Observation_20240801.csv"):
        os.utime(inbox / "site_a/emis" / name, ns=(settled, settled))
    arrived = evaluate(inbox, cursor=first.cursor)
    assert arrived.run_requests[0].tags == {"m4c/files": "4"}


def test_hidden_files_are_not_extracts_but_loose_files_are_reported_by_a_run(inbox):
    first = evaluate(inbox)
    put(inbox, ".uploading/site_c/residents.csv", "home_id\n")
    put(inbox, "site_a/emis/.DS_Store", "\0")
    hidden = evaluate(inbox, cursor=first.cursor)
    assert hidden.skip_message == f"no new or changed extracts in {inbox}"
    put(inbox, "README.txt", "notes\n")  # at the top of the inbox: the run says where it goes
    loose = evaluate(inbox, cursor=first.cursor)
    assert len(loose.run_requests) == 1


def test_an_empty_or_missing_inbox_requests_nothing(tmp_path):
    (tmp_path / "inbox" / "site_a").mkdir(parents=True)
    assert evaluate(tmp_path / "inbox").skip_message == f"no extracts in {tmp_path / 'inbox'}"
    missing = tmp_path / "nowhere"
    assert evaluate(missing).skip_message == f"no extracts in {missing}"


def test_the_code_location_runs_the_nightly_pipeline_from_the_sensor():
    sensor = defs.resolve_sensor_def("inbox_arrivals")
    assert sensor.job_name == "nightly_pipeline"
    assert [t.job_name for t in sensor.targets] == ["nightly_pipeline"]
    assert defs.get_repository_def().has_job("nightly_pipeline")
    assert sensor.minimum_interval_seconds == 300
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert sensor.required_resource_keys == {"inbox"}


def test_a_failed_run_is_written_to_the_failure_log_with_its_step_and_reason(tmp_path):
    @dg.asset
    def measure_values() -> None:
        raise ValueError("S1: the staged table stg_event is missing\nmore detail")

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([measure_values], instance=instance, raise_on_error=False)
    assert not result.success
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failures", dagster_event=result.get_run_failure_event(),
        dagster_instance=instance, dagster_run=result.dagster_run,
    ).for_run_failure()  # fmt: skip
    run_failures(context, reports=Reports(path=str(tmp_path / "out")))
    run_failures(context, reports=Reports(path=str(tmp_path / "out")))  # appended, not replaced
    lines = (tmp_path / "out" / FAILURE_LOG).read_text().splitlines()
    assert len(lines) == 2
    assert f" run {result.dagster_run.run_id[:8]} failed at measure_values: " in lines[0]
    assert lines[0].endswith("ValueError: S1: the staged table stg_event is missing")
    sensor = defs.resolve_sensor_def("run_failures")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
