"""Plain-language findings: each signal is named and explained."""

from __future__ import annotations

from charts.explain import explain_mdc, explain_qic
from charts.spc import mdc, qic
from tests.charts.helpers import quietly, series


def run(f, d, **k):
    return quietly(f, d, x="t", y="v", **k)


def test_long_run_and_crossings_are_explained():
    (f,) = explain_qic(run(qic, series([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])))
    assert f.signal
    assert f.headline == "Signal: the process has changed"
    assert any("Too few crossings: the data cross the median 1 times" in d for d in f.details)


def test_no_signal_says_so_in_plain_words():
    (f,) = explain_qic(run(qic, series([5, 6, 4, 5, 6, 4, 5, 6, 5, 4, 6, 5]), chart="i"))
    assert (f.signal, f.headline) == (False, "No signal")
    assert "normal variation" in f.details[0]


def test_points_outside_limits_and_trial_limits():
    (f,) = explain_qic(run(qic, series([5, 6, 4, 5, 6, 30, 5, 6, 4, 5]), chart="c"))
    assert "1 point(s) lie above the upper control limit (6)" in " ".join(f.details)
    assert "trial limits" in f.details[-1]


def test_ihi_findings_name_shift_and_runs():
    (f,) = explain_qic(run(qic, series([3] * 6 + [1] * 6 + [2]), rules="ihi"))
    text = " ".join(f.details)
    assert "A shift: 6 or more points" in text
    assert "Too few runs" in text


def test_parts_are_labelled():
    findings = explain_qic(run(qic, series([5, 6, 4, 5, 6, 1, 2, 1, 2, 1]), parts=[6]))
    assert [f.label for f in findings] == ["part 1", "part 2"]


def test_mdc_findings_count_concern_and_assurance():
    d = series([10, 12] * 6 + [30])
    (f,) = explain_mdc(run(mdc, d, improvement="decrease", target=5.0))
    assert f.headline == "Concern"
    assert "1 of concern" in f.details[1]
    assert "will not be met without a change" in f.details[2]
