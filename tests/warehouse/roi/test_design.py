"""The design: arms, periods, the shorter baseline and discounting beyond a year."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from warehouse.roi.design import analysis_rows, home_cells


def _inputs(months: int = 30) -> pl.DataFrame:
    periods = [date(2022 + (m // 12), m % 12 + 1, 1) for m in range(months)]
    rows = [
        ("r", site, home, p, 1.0, 100.0, True)
        for site, home in (("a", "a1"), ("b", "b1"), ("c", "c1"))
        for p in periods
    ]
    return pl.DataFrame(
        rows,
        schema=["resource", "site_id", "home_id", "period", "count", "exposure", "usable"],
        orient="row",
    )


STARTS = pl.DataFrame({"analysis": ["a"], "start": [date(2023, 1, 1)], "role": ["intervention"]})


def test_arms_exclude_homes_aimed_at_the_resource_elsewhere():
    targeted = pl.DataFrame({"resource": ["r"], "home_id": ["c1"]})
    rows = analysis_rows(_inputs(), STARTS, targeted)
    arms = dict(rows.group_by("home_id").agg(pl.col("arm").first()).iter_rows())
    assert arms == {"a1": "treated", "b1": "comparison"}


def test_unusable_months_are_left_out():
    inputs = _inputs().with_columns(usable=pl.col("period") != date(2022, 5, 1))
    rows = analysis_rows(
        inputs, STARTS, pl.DataFrame(schema={"resource": pl.String, "home_id": pl.String})
    )
    assert date(2022, 5, 1) not in rows["period"].to_list()


def test_shorter_baseline_and_discounting_beyond_the_first_year():
    none = pl.DataFrame(schema={"resource": pl.String, "home_id": pl.String})
    cells = home_cells(analysis_rows(_inputs(), STARTS, none, baseline_months=6))
    a1 = cells.filter(pl.col("home_id") == "a1").row(0, named=True)
    assert a1["months0"] == 6  # July to December 2022
    assert a1["months1"] == 18  # January 2023 to June 2024
    # 12 months at full weight, 6 in the second year at 1/1.035 (NICE PMG36)
    assert a1["o1d"] == pytest.approx(12 + 6 / 1.035)
    assert a1["e1d"] == pytest.approx(100 * (12 + 6 / 1.035))
    assert a1["o1"] == 18
