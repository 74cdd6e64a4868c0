"""spc_results: each series its chart, governed baselines, phases; one call per chart type."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from charts.icons import ICON_WORDS, assurance_icon, variation_icon
from charts.spc import mdc, qic
from warehouse.connection import connect, registered
from warehouse.measures import load_registry, measure_frame
from warehouse.measures.signals import compute_signals
from warehouse.measures.spc_results import compute_spc

MONTHS = [dt.date(2023 + m // 12, m % 12 + 1, 1) for m in range(20)]
FALLS = [12, 11, 13, 12, 11, 12, 13, 12, 11, 12, 7, 6, 7, 8, 6, 7, 7, 6, 8, 7]


def values(home: str, falls: list[int], months: list[dt.date] = MONTHS) -> pl.DataFrame:
    n = len(falls)
    return pl.DataFrame(
        {
            "measure_id": "S1",
            "version": 1,
            "level": "home",
            "site_id": "site_a",
            "home_id": home,
            "period": months[:n],
            "data_complete": True,
            "numerator": [float(f) for f in falls],
            "denominator": [1000.0] * n,
            "value": [float(f) for f in falls],
            "source": "carehome",
            "dq_warning": False,
            "dq_checks": [[]] * n,
            "files": [[1]] * n,
        },
        schema_overrides={"dq_checks": pl.List(pl.String), "files": pl.List(pl.Int64)},
    )


@pytest.fixture
def warehouse(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        s1 = measure_frame(load_registry()).filter(pl.col("measure_id") == "S1")
        homes = pl.DataFrame(
            {"site_id": ["site_a"] * 2, "site_name": ["Riverside"] * 2, "home_id": ["h1", "h2"],
             "home_name": ["Elm House", "Oak Lodge"], "home_type": ["nursing"] * 2,
             "beds": [30, 30]}
        )  # fmt: skip
        points = pl.concat([values("h1", FALLS), values("h2", FALLS[:8])])
        with registered(con, s1=s1, homes=homes, points=points):
            con.execute("CREATE OR REPLACE TABLE ref_measure AS SELECT * FROM s1")
            con.execute("CREATE OR REPLACE TABLE ref_home AS SELECT * FROM homes")
            con.execute("CREATE OR REPLACE TABLE measure_values AS SELECT * FROM points")
        yield con


def spc(con) -> pl.DataFrame:
    compute_spc(con)
    return con.sql("SELECT * FROM spc_results ORDER BY series, period").pl()


def test_each_series_gets_its_chart_and_the_limits_qic_gives_it_alone(warehouse):
    got = spc(warehouse)
    h1, h2 = (got.filter(pl.col("home_id") == h) for h in ("h1", "h2"))
    assert set(h1["chart"]) == {"u"}
    assert set(h2["chart"]) == {"run"}  # 8 points: a run chart until 12
    alone = qic(values("h1", FALLS), x="period", y="numerator", n="denominator", chart="u")
    assert h1["ucl"].to_list() == pytest.approx((alone.points["ucl"] * 1000).to_list())
    assert h1["runs_signal"].all()
    verdict = mdc(values("h1", FALLS), x="period", y="value", improvement="decrease")
    assert h1["mdc_variation"][0] == verdict.summary["variation_type"][-1]
    assert h1["mdc_point_type"].to_list() == verdict.points["point_type"].to_list()


def test_the_stored_icons_are_those_of_the_charts_the_pages_draw(warehouse):
    # h3: 4 points, too few for an icon (NHSRplotthedots' XmR reading gives one); h4:
    # steady, then 16 falls: above the XmR limits of its small moving ranges, inside its
    # u chart's limits, so the chart shows common cause where the XmR reading says concern
    steady = [12, 12, 12, 13, 12] * 3 + [16]
    more = pl.concat([values("h3", [12, 11, 13, 3]), values("h4", steady)])
    with registered(warehouse, more=more):
        warehouse.execute("INSERT INTO measure_values SELECT * FROM more")
    # lower is better: above h1's upper limit (met every month), within h4's limits
    warehouse.execute("UPDATE ref_measure SET target = 20.0")
    got = spc(warehouse)
    icons = {}
    for (series,), points in got.group_by("series", maintain_order=True):  # as a page reads it
        assert points["variation"].n_unique() == points["assurance"].n_unique() == 1
        icons[series] = (points["variation"][0], points["assurance"][0], points["mdc_variation"][0])
        assert icons[series][:2] == (variation_icon(points), assurance_icon(points)), series
    assert icons == {
        "S1|home|site_a|h1": ("special_cause_improvement", "pass", "special_cause_improvement"),
        "S1|home|site_a|h2": ("common_cause", "none", "common_cause"),  # a run chart: no limits
        "S1|home|site_a|h3": ("none", "none", "common_cause"),
        "S1|home|site_a|h4": ("common_cause", "inconsistent", "special_cause_concern"),
    }  # fmt: skip
    assert set(got["variation"]) | set(got["assurance"]) <= set(ICON_WORDS)


def test_no_baseline_is_frozen_unless_a_decision_says_so(warehouse):
    assert spc(warehouse).filter(pl.col("home_id") == "h1")["baseline"].all()
    decisions = pl.DataFrame(
        {"site_id": ["site_a"], "measure_id": ["S1"], "home_id": ["h1"], "action": ["freeze"],
         "effective_date": [dt.date(2023, 10, 15)], "decided_by": ["QI lead"],
         "decided_on": [dt.date(2023, 11, 1)], "reason": ["baseline year"], "file_id": [9],
         "source_row": [2]}
    )  # fmt: skip
    with registered(warehouse, decisions=decisions):
        warehouse.execute(
            "CREATE OR REPLACE TABLE stg_baseline_decision AS SELECT * FROM decisions"
        )
    got = spc(warehouse)
    h1 = got.filter(pl.col("home_id") == "h1")
    assert h1["baseline"].to_list() == [True] * 10 + [False] * 10
    assert h1["cl"][0] == pytest.approx(sum(FALLS[:10]) / 10)
    assert got.filter(pl.col("home_id") == "h2")["baseline"].all()  # not its decision


def test_a_rebase_decision_starts_a_part_with_its_own_limits(warehouse):
    decisions = pl.DataFrame(
        {"site_id": ["site_a"], "measure_id": ["S1"], "home_id": [None], "action": ["rebase"],
         "effective_date": [dt.date(2023, 11, 1)], "decided_by": ["QI lead"],
         "decided_on": [dt.date(2024, 6, 1)], "reason": ["huddles embedded"], "file_id": [9],
         "source_row": [2]}
    )  # fmt: skip
    with registered(warehouse, decisions=decisions):
        warehouse.execute(
            "CREATE OR REPLACE TABLE stg_baseline_decision AS SELECT * FROM decisions"
        )
    h1 = spc(warehouse).filter(pl.col("home_id") == "h1")
    assert h1["part"].to_list() == [1] * 10 + [2] * 10
    assert h1["cl"][-1] == pytest.approx(sum(FALLS[10:]) / 10)


def test_change_ideas_name_the_phase_of_the_series_they_touch(warehouse):
    ideas = pl.DataFrame(
        {"site_id": ["site_a"], "change_id": ["CI-01"], "title": ["Falls huddles"],
         "home_id": ["h1"], "measure_id": ["S1"], "start_date": [dt.date(2023, 11, 6)],
         "cycle": ["PDSA 1"], "owner": ["Home manager"], "file_id": [8], "source_row": [2]}
    )  # fmt: skip
    with registered(warehouse, ideas=ideas):
        warehouse.execute("CREATE OR REPLACE TABLE stg_change_idea AS SELECT * FROM ideas")
    got = spc(warehouse)
    h1 = got.filter(pl.col("home_id") == "h1")
    assert h1["phase"].to_list() == [None] * 10 + ["Falls huddles"] * 10
    assert got.filter(pl.col("home_id") == "h2")["phase"].is_null().all()
    compute_signals(warehouse, run_at=dt.datetime(2025, 1, 1))
    ((sentence,),) = warehouse.sql("SELECT sentence FROM signals WHERE home_id = 'h1'").fetchall()
    assert sentence == (
        "Falls at Elm House: the last 10 months are all below the average. This looks like "
        "a real improvement since “Falls huddles” began in November 2023."
    )


def test_signals_are_new_once_and_a_sustained_shift_suggests_a_rebase(warehouse):
    compute_spc(warehouse)
    first = compute_signals(warehouse, run_at=dt.datetime(2025, 1, 1))
    again = compute_signals(warehouse, run_at=dt.datetime(2025, 1, 2))
    assert (first["new"], again["new"]) == (first["signals"], 0)
    suggestion = warehouse.sql(
        "SELECT home_id, action, date, status FROM baseline_suggestions"
    ).fetchall()
    assert suggestion == [("h1", "rebase", dt.date(2023, 11, 1), "awaiting a decision")]
