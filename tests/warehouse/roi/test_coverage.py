"""The controlled rate ratio's 95% interval covers the planted ratio (docs/roi.md §7).

The short version runs in CI; ``pytest -m simulation`` runs the 200-collaborative study
whose figures docs/roi.md gives (benchmarks/roi_coverage.py prints them).
"""

from __future__ import annotations

import polars as pl
import pytest

from benchmarks.roi_coverage import study


def _rates(table: pl.DataFrame, controlled: bool) -> tuple[float, float]:
    t = table.filter(pl.col("controlled") == controlled)
    runs = t["runs"].sum()
    coverage = float((t["coverage"] * t["runs"]).sum() / runs)
    bias = float((t["mean_log_bias"].abs() * t["runs"]).sum() / runs)
    return coverage, bias


def test_short_study_covers_and_the_controlled_ratio_is_less_biased():
    table = study(range(1, 13))
    coverage, bias = _rates(table, controlled=True)
    _, uncontrolled_bias = _rates(table, controlled=False)
    assert coverage >= 0.85  # 96 intervals: a loose bound on the 93-97% of the full study
    # the secular trend (+0.5% a month) biases the before/after ratio upwards
    assert uncontrolled_bias > bias


@pytest.mark.simulation
def test_full_study_covers_in_93_to_97_percent():
    table = study(range(1, 201))
    coverage, _ = _rates(table, controlled=True)
    assert 0.93 <= coverage <= 0.97
