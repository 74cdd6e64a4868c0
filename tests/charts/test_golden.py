"""Golden tests: every reference case in tests/charts/oracle, replayed through our API.

qicharts2 0.8.1 and NHSRplotthedots 0.2.2 outputs must agree to 1e-9 relative
(1e-7 for T charts, whose limits go through a power of 3.6).
"""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

import polars as pl
import pytest

from charts.runs import anhoej_limits
from charts.spc import mdc, qic
from tests.oracle import (
    ASSURANCE,
    MDC_COLUMNS,
    MDC_RULE_FLAGS,
    MDC_SUMMARY_COLUMNS,
    ORACLE_DIR,
    QIC_COLUMNS,
    QIC_SUMMARY_COLUMNS,
    load_case,
    mdc_arguments,
    oracle_files,
    qic_arguments,
)

QIC_CASES = oracle_files("qic_")
PTD_CASES = oracle_files("ptd_")


def _same(expected: Any, actual: Any, tol: float) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return actual is None or (isinstance(actual, float) and math.isnan(actual))
    if actual is None:
        return False
    if isinstance(expected, bool) or isinstance(actual, bool):
        return bool(expected) == bool(actual)
    if isinstance(expected, str) or isinstance(actual, str):
        return str(expected) == str(actual)
    return math.isclose(expected, actual, rel_tol=tol, abs_tol=1e-300)


def _mismatches(
    expected: dict[str, list[Any]], actual: pl.DataFrame, columns: dict[str, str], tol: float
) -> list[str]:
    out = []
    for ref, ours in columns.items():
        if ref not in expected:
            continue
        got = actual.get_column(ours).to_list()
        assert len(got) == len(expected[ref]), (
            f"{ours}: {len(got)} rows, expected {len(expected[ref])}"
        )
        out += [
            f"{ours}[{i}]: expected {e!r}, got {a!r}"
            for i, (e, a) in enumerate(zip(expected[ref], got, strict=True))
            if not _same(e, a, tol)
        ]
    return out


def _rows_as_columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {k: [r.get(k) for r in rows] for k in rows[0]} if rows else {}


@pytest.mark.parametrize("path", QIC_CASES, ids=[p.stem for p in QIC_CASES])
def test_qic_matches_qicharts2(path):
    case = load_case(path)
    kwargs = qic_arguments(case)
    tol = 1e-7 if kwargs["chart"] == "t" else 1e-9
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = qic(case.frame, **kwargs)
    points = case.output["points"]
    facet_cols = list(result.facets)
    x_ref = [str(v) for v in points["x"]]
    x_ours = [
        str(v) if not isinstance(v, float) or not v.is_integer() else str(int(v))
        for v in result.points.get_column(result.x).to_list()
    ]
    assert [str(v).removesuffix(".0") for v in x_ref] == x_ours
    if facet_cols:
        assert [str(v) for v in points["facet1"]] == [
            str(v) for v in result.points.get_column(facet_cols[0]).to_list()
        ]
    assert _mismatches(points, result.points, QIC_COLUMNS, tol) == []
    summary = _rows_as_columns(case.output["summary"])
    assert _mismatches(summary, result.summary, QIC_SUMMARY_COLUMNS, tol) == []
    assert result.rules.name == "anhoej"
    assert result.rules.version == "qicharts2-0.8.1"


@pytest.mark.parametrize("path", PTD_CASES, ids=[p.stem for p in PTD_CASES])
def test_mdc_matches_nhsrplotthedots(path):
    case = load_case(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = mdc(case.frame, **mdc_arguments(case))
    out = case.output
    assert _mismatches(out["points"], result.points, MDC_COLUMNS, 1e-9) == []
    flags = {k: [bool(v) for v in vals] for k, vals in out["rule_flags"].items()}
    assert _mismatches(flags, result.points, MDC_RULE_FLAGS, 0) == []
    assert (
        _mismatches(_rows_as_columns(out["summary"]), result.summary, MDC_SUMMARY_COLUMNS, 1e-9)
        == []
    )
    last = result.summary.group_by(result.facet or pl.lit(0), maintain_order=True).last()
    icons = [f"{i}.svg" for i in last.get_column("variation_icon").to_list()]
    assert icons == [i["icon"] for i in out["icons"] if i["type"] == "variation"]
    expected_assurance = [ASSURANCE.get(a["assurance_type"]) for a in out["assurance"]]
    assert last.get_column("assurance_type").to_list() == expected_assurance
    assert bool(out["warnings"]) == bool(result.summary.get_column("short_group_warning").any())


def test_anhoej_limits_match_qicharts2_table():
    table = json.loads((ORACLE_DIR / "qic_anhoej_thresholds_1_100.json").read_text())
    rows = _rows_as_columns(table["output"]["table"])
    longest, crossings = anhoej_limits(pl.Series(rows["n_useful"]).to_numpy())
    assert rows["n_useful"] == list(range(1, 101))
    assert longest.tolist() == rows["longest_run_max"]
    assert crossings.tolist() == rows["n_crossings_min"]
