"""The intervention's costs: a costs template spread by days, or an estimate from the QI log."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from connectors.schemas import COST_BANDS, QI_ACTIVITIES
from synth import write_extracts
from warehouse.connection import connect
from warehouse.landing import ingest
from warehouse.roi.intervention_costs import (
    ACTIVITY_MINUTES,
    ESTIMATED,
    TEMPLATE,
    cost_items,
    hourly_rate,
    intervention_costs,
    load_activity_minutes,
    rates,
)
from warehouse.roi.unit_costs import load_unit_costs
from warehouse.staging import build_all
from warehouse.tables import table

COSTS = load_unit_costs()
D = dt.date


def warehouse(template: list[tuple], activities: list[tuple]) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse holding only the two staged tables the costs read."""
    con = duckdb.connect()
    for name, rows in (("stg_intervention_cost", template), ("stg_qi_activity", activities)):
        columns = table(name).columns
        con.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns)})")
        if rows:
            width = len(rows[0])
            con.executemany(
                f"INSERT INTO {name} ({', '.join(c for c, _ in columns[:width])}) "
                f"VALUES ({', '.join('?' * width)})",
                rows,
            )
    return con


TEMPLATE_ROWS = [
    # site_id, item, category, role, band, hours, cost_gbp, from_date, to_date
    ("site_a", "Pharmacist sessions", "staff", "pharmacist", "7", 30.0, None,
     D(2024, 1, 29), D(2024, 2, 27)),  # 3 days of 30 in January, 27 in February
    ("site_a", "GP at the MDT", "staff", "gp", None, 2.0, None, D(2024, 2, 15), D(2024, 2, 15)),
    ("site_a", "Falls training", "training", None, None, None, 450.0,
     D(2024, 3, 5), D(2024, 3, 5)),
    ("site_a", "Improvement adviser", "coaching", "other", None, 6.0, 600.0,
     D(2024, 2, 1), D(2024, 3, 31)),  # 29 days of 60 in February, 31 in March
    ("site_a", "Nurse lead", "staff", "nurse", "6", 10.0, 620.0, D(2024, 3, 1), D(2024, 3, 31)),
    ("site_a", "Carers at huddles", "backfill", "care_worker", None, 12.0, None,
     D(2024, 3, 1), D(2024, 3, 31)),
]  # fmt: skip
ACTIVITIES = [
    # site_id, home_id, pseudo_id, activity_date, activity_type
    ("site_a", "1-1", "p1", D(2024, 1, 10), "mdt_review"),  # site_a has a template: no estimate
    ("site_b", "1-2", "p2", D(2024, 1, 10), "mdt_review"),
    ("site_b", "1-2", "p3", D(2024, 1, 10), "mdt_review"),
    ("site_b", "1-2", "p2", D(2024, 1, 20), "pharmacist_medication_review"),
    ("site_b", "1-2", None, D(2024, 2, 3), "pdsa_cycle"),
    ("site_b", "1-2", "p4", D(2024, 2, 10), "triage_tool"),
    ("site_b", "1-2", "p5", D(2024, 2, 10), "triage_tool"),
    ("site_b", "1-2", "p6", D(2024, 2, 11), "triage_tool"),
]
GP_HOUR = 4.47 * 60  # PSSRU 2024 Table 9.4.2, a minute of GP time


@pytest.fixture(scope="module")
def lines():
    return intervention_costs(warehouse(TEMPLATE_ROWS, ACTIVITIES), COSTS)


def test_template_rows_are_priced_and_spread_over_their_months_by_days(lines):
    got = lines.filter(pl.col("basis") == TEMPLATE).select(
        "month", "category", "role", "band", "item", "hours", "cost", "unit_cost"
    )
    expected = [
        (D(2024, 1, 1), "staff", "pharmacist", "7", "Pharmacist sessions", 3.0, 3 * 68.0,
         "pharmacist_band_7"),
        (D(2024, 2, 1), "coaching", "other", None, "Improvement adviser", 2.9, 290.0, None),
        (D(2024, 2, 1), "staff", "gp", None, "GP at the MDT", 2.0, 2 * GP_HOUR, "gp_minute"),
        (D(2024, 2, 1), "staff", "pharmacist", "7", "Pharmacist sessions", 27.0, 27 * 68.0,
         "pharmacist_band_7"),
        (D(2024, 3, 1), "backfill", "care_worker", None, "Carers at huddles", 12.0, 12 * 27.0,
         "care_worker_hour"),
        (D(2024, 3, 1), "coaching", "other", None, "Improvement adviser", 3.1, 310.0, None),
        (D(2024, 3, 1), "staff", "nurse", "6", "Nurse lead", 10.0, 620.0, None),
        (D(2024, 3, 1), "training", None, None, "Falls training", None, 450.0, None),
    ]  # fmt: skip
    assert got.height == len(expected)
    for row, want in zip(got.rows(), expected, strict=True):
        assert row[:5] == want[:5]
        assert row[5] == pytest.approx(want[5])
        assert row[6] == pytest.approx(want[6])
        assert row[7] == want[7]
    total = 30 * 68 + 2 * GP_HOUR + 450 + 600 + 620 + 12 * 27
    assert got["cost"].sum() == pytest.approx(total)


def test_a_site_with_only_a_qi_log_is_estimated_from_its_activities(lines):
    got = lines.filter(pl.col("site_id") == "site_b")
    assert set(got["basis"]) == {ESTIMATED}
    by = {
        (r["month"].month, r["item"], r["category"], r["role"]): (r["hours"], r["cost"])
        for r in got.iter_rows(named=True)
    }
    mdt, pharm = "mdt_review (QI activity log)", "pharmacist_medication_review (QI activity log)"
    pdsa, triage = "pdsa_cycle (QI activity log)", "triage_tool (QI activity log)"
    expected = {  # activity_minutes.csv: minutes per activity, at the hourly rates
        (1, mdt, "staff", "gp"): (2 * 10 / 60, 2 * 10 / 60 * GP_HOUR),
        (1, mdt, "staff", "nurse"): (2 * 15 / 60, 2 * 15 / 60 * 75),
        (1, mdt, "staff", "pharmacist"): (2 * 10 / 60, 2 * 10 / 60 * 68),
        (1, mdt, "backfill", "care_worker"): (2 * 20 / 60, 2 * 20 / 60 * 27),
        (1, pharm, "staff", "pharmacist"): (0.75, 0.75 * 68),
        (1, pharm, "backfill", "care_worker"): (0.25, 0.25 * 27),
        (2, pdsa, "coaching", "nurse"): (1.0, 75.0),
        (2, pdsa, "backfill", "care_worker"): (1.0, 27.0),
        (2, triage, "backfill", "care_worker"): (0.5, 0.5 * 27),  # the home's staff only
    }
    assert by.keys() == expected.keys()
    for key, (hours, cost) in expected.items():
        assert by[key] == (pytest.approx(hours), pytest.approx(cost)), key


def test_a_site_with_neither_has_no_rows_and_a_template_site_no_estimate(lines):
    assert lines["site_id"].unique().sort().to_list() == ["site_a", "site_b"]
    assert set(lines.filter(pl.col("site_id") == "site_a")["basis"]) == {TEMPLATE}
    assert lines.columns == [
        "site_id", "month", "category", "role", "band", "item", "hours", "cost", "basis",
        "unit_cost",
    ]  # fmt: skip
    empty = intervention_costs(warehouse([], []), COSTS)
    assert empty.is_empty()
    assert empty.schema == lines.schema


def test_other_unit_costs_reprice_the_hours_but_not_the_pounds():
    con = warehouse(TEMPLATE_ROWS, [])
    low = COSTS.with_values({"pharmacist_band_7": 60.0, "gp_minute": 3.68})
    base, varied = intervention_costs(con, COSTS), intervention_costs(con, low)
    difference = base["cost"].sum() - varied["cost"].sum()
    assert difference == pytest.approx(30 * (68 - 60) + 2 * 60 * (4.47 - 3.68))


def test_cost_items_name_the_unit_cost_of_each_role_and_band():
    assert cost_items("pharmacist", "7") == "pharmacist_band_7"
    assert cost_items("dietitian", "5") == "dietitian_band_5"
    assert cost_items("nurse", "7") == "nurse_band_7"
    assert cost_items("gp") == "gp_minute"
    assert cost_items("care_worker", None) == "care_worker_hour"
    assert hourly_rate(COSTS, "gp") == pytest.approx(268.2)
    assert hourly_rate(COSTS, "dietitian", "6") == 57
    for role, band in (("other", None), ("nurse", "6"), ("gp", "7"), ("pharmacist", None)):
        with pytest.raises(ValueError, match="no hourly unit cost for role"):
            cost_items(role, band)
    priced = rates(COSTS)
    assert priced.height == 2 + sum(len(b) for b in COST_BANDS.values())
    assert set(priced["unit_cost"]) <= set(COSTS.frame["item"])


def test_activity_minutes_cover_every_qi_activity(tmp_path):
    minutes = load_activity_minutes()
    assert set(minutes["activity_type"]) == set(QI_ACTIVITIES)
    assert minutes["note"].str.starts_with("Assumption").all()
    bad = tmp_path / "activity_minutes.csv"
    text = ACTIVITY_MINUTES.read_text(encoding="utf-8")
    bad.write_text(text.replace("pdsa_cycle", "pdsa"), encoding="utf-8")
    with pytest.raises(ValueError, match="rows for exactly the QI log's activity types"):
        load_activity_minutes(bad)
    bad.write_text(text.replace(",nurse,7,60,", ",other,,60,"), encoding="utf-8")
    with pytest.raises(ValueError, match="no hourly unit cost for role 'other'"):
        load_activity_minutes(bad)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    root = tmp_path_factory.mktemp("costs")
    summary = write_extracts(
        root / "inbox", sites=3, homes=6, months=9, intervention_month=3, seed=3, quirk_rate=0.02
    )
    with connect(root / "w.duckdb") as con:
        ingest(root / "inbox", con, key=b"costs")
        build_all(con)
        lines = intervention_costs(con, COSTS)
        log = con.sql(
            "SELECT site_id, rows_loaded, rows_quarantined FROM load_log "
            "WHERE table_name = 'intervention_costs' ORDER BY site_id"
        ).fetchall()
    truth = pl.read_csv(summary.truth / "intervention_costs.csv")
    return summary, lines, log, truth


def test_the_pipeline_finds_the_generators_costs_for_each_site_and_category(synthetic):
    summary, lines, log, truth = synthetic
    assert [site for site, _, _ in log] == ["site_a", "site_b"]  # not the comparison site
    assert all(quarantined == 0 for _, _, quarantined in log)
    got = (
        lines.filter(pl.col("basis") == TEMPLATE)
        .group_by("site_id", "category")
        .agg(pl.col("hours").sum(), pl.col("cost").sum())
    )
    both = truth.join(got, on=["site_id", "category"], how="full", suffix="_got")
    assert both.height == truth.height > 10
    assert both["cost_got"].null_count() == 0
    assert (both["cost"] - both["cost_got"]).abs().max() < 0.01
    assert (both["hours"] - both["hours_got"]).abs().max() < 1e-6
    start = dict(pl.read_csv(summary.truth / "sites.csv").select("site_id", "start_month").rows())
    for site in ("site_a", "site_b"):
        months = lines.filter((pl.col("site_id") == site) & (pl.col("basis") == TEMPLATE))
        assert months["month"].min().isoformat() == start[site]
        assert months["month"].max() == D(2023, 9, 1)  # to the period's last month


def test_the_generators_programmes_cost_tens_of_thousands_a_year(synthetic):
    _, lines, _, truth = synthetic
    per_site = dict(truth.group_by("site_id").agg(pl.col("cost").sum()).rows())
    months = dict(
        lines.filter(pl.col("basis") == TEMPLATE)
        .group_by("site_id")
        .agg(pl.col("month").n_unique())
        .rows()
    )
    for site, cost in per_site.items():
        assert 15_000 <= cost / months[site] * 12 <= 70_000, site


def test_the_comparison_site_is_estimated_from_its_qi_log_only(synthetic):
    _, lines, _, _ = synthetic
    comparison = lines.filter(pl.col("site_id") == "site_c")
    assert comparison.height > 0  # its QI log has activities at the baseline rates
    assert set(comparison["basis"]) == {ESTIMATED}


def test_hours_with_no_unit_cost_are_an_error_never_a_zero():
    row = ("site_a", "Physio", "staff", "other", None, 5.0, None, D(2024, 1, 1), D(2024, 1, 31))
    with pytest.raises(ValueError, match=r"1 cost line.* such as 'Physio' of site_a"):
        intervention_costs(warehouse([row], []), COSTS)
