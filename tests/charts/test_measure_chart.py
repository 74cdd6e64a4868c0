"""A measure's chart across sites: baseline from the data, gaps named, warnings ringed."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from charts.measure_chart import baseline_end, incomplete_months, site_chart

# Nine baseline points give trial limits, and qic says so; that warning is tested in
# tests/charts/test_qic.py, and here it is expected.
pytestmark = pytest.mark.filterwarnings("ignore:qic. . series have fewer than 12 baseline")


def months_from(year: int, month: int, n: int) -> list[dt.date]:
    return [dt.date(year + (month - 1 + i) // 12, (month - 1 + i) % 12 + 1, 1) for i in range(n)]


def points(start_month: int, n: int = 18, sites: tuple[str, ...] = ("North", "South")):
    months = months_from(2023, start_month, n)
    rows = [
        {"site": s, "month": m, "numerator": 3 + (i % 4), "denominator": 900,
         "data_complete": True, "dq_warning": False, "dq_checks": []}
        for s in sites for i, m in enumerate(months)
    ]  # fmt: skip
    return pl.DataFrame(rows, schema_overrides={"dq_checks": pl.List(pl.String)})


@pytest.mark.parametrize("start_month", range(1, 13))
def test_the_baseline_is_the_first_half_whatever_month_the_data_start(start_month):
    chart = site_chart(points(start_month), title="Falls", ylab="per 1,000", multiply=1000)
    ninth = months_from(2023, start_month, 18)[8]
    assert chart.baseline_end == ninth
    baseline = chart.points.filter(pl.col("baseline"))
    assert baseline.group_by("site").len().get_column("len").to_list() == [9, 9]


def test_a_long_series_keeps_a_twelve_month_baseline_and_a_short_one_none():
    assert baseline_end(pl.Series(months_from(2022, 5, 40))) == dt.date(2023, 4, 1)
    assert baseline_end(pl.Series(months_from(2022, 5, 11))) is None
    chart = site_chart(points(3, n=6), title="Falls", ylab="per 1,000", multiply=1000)
    assert chart.baseline_end is None
    assert chart.points.get_column("baseline").all()


def test_months_left_out_are_named_and_warned_months_are_ringed():
    data = points(1).with_columns(
        data_complete=~((pl.col("site") == "South") & (pl.col("month") == dt.date(2023, 4, 1))),
        dq_warning=(pl.col("site") == "North") & (pl.col("month") == dt.date(2023, 6, 1)),
        dq_checks=pl.when(pl.col("month").is_in([dt.date(2023, 4, 1), dt.date(2023, 6, 1)]))
        .then(pl.lit(["home_month_weighed"]))
        .otherwise(pl.lit([], dtype=pl.List(pl.String))),
    )
    data = data.with_columns(
        numerator=pl.when(pl.col("data_complete")).then("numerator"),
        denominator=pl.when(pl.col("data_complete")).then("denominator"),
    )
    chart = site_chart(data, title="Falls", ylab="per 1,000", multiply=1000)
    (left_out,) = incomplete_months(data)
    assert left_out.key == {"site": "South"}
    assert left_out.details == ("April 2023: home_month_weighed",)
    assert left_out in chart.findings
    (ring,) = [t for t in chart.figure.data if t.name == "Data needs a look"]
    assert list(ring.x) == [dt.date(2023, 6, 1)]
    assert list(ring.customdata) == ["home_month_weighed"]
    assert ring.marker.symbol == "circle-open"
