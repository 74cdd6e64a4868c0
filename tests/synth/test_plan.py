"""The improvement work the generator plants: a comparison site, a trend, change ideas.

To tell a working SPC signal from a lucky one a test needs to know where the real
changes are. The truth says (sites.csv, planted_effects.csv) and each site's change log
agrees; the comparison site changes nothing; the rates the files show move as planted,
and only where planted, with the secular trend everywhere.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import polars as pl
import pytest

from connectors.schemas import CHANGE_LOG
from synth import write_extracts
from synth.plan import COMPARISON, SECULAR_TREND, make_plan, start_months
from synth.world import draw_site_effects, make_calendar
from tests.synth.reading import expected_counts, expected_files

HEADER = "change_id,title,homes,measures,start_date,cycle,owner"
ROLES = {
    "Home manager",
    "Dietitian",
    "Clinical lead",
    "Care home pharmacist",
    "Care home nurse lead",
}

DEFAULT_PLANTED = [
    ("site_a", "S1", "CI-01", "2023-08-01", 0.65, None, None),
    ("site_a", "S2", "CI-01", "2023-08-01", 0.65, None, None),
    ("site_a", "S3", "CI-02", "2023-08-01", 0.7, None, None),
    ("site_a", "S4", "CI-02", "2023-08-01", 0.7, None, None),
    ("site_a", "P3.1", "CI-02", "2023-08-01", 15.0, None, None),
    ("site_a", "P2.1", "CI-03", "2023-08-01", 1.4282, 0.6302, 0.9),
    ("site_b", "P1.1", "CI-01", "2023-09-01", 1.6597, None, None),
    ("site_b", "P1.2", "CI-01", "2023-09-01", 2.5686, None, None),
    ("site_b", "P1.3", "CI-01", "2023-09-01", 2.5686, None, None),
    ("site_b", "P2.3", "CI-02", "2023-09-01", 3.5, None, None),
    ("site_c", "S1", "CI-01", "2023-10-01", 0.65, None, None),
    ("site_c", "S2", "CI-01", "2023-10-01", 0.65, None, None),
    ("site_c", "P4.1", "CI-02", "2023-10-01", 5.3333, None, None),
]


def planted(summary) -> pl.DataFrame:
    return pl.read_csv(summary.truth / "planted_effects.csv", infer_schema=False).with_columns(
        pl.col("rate_ratio", "before", "after").cast(pl.Float64)
    )


def change_logs(summary) -> pl.DataFrame:
    """Every site's change log, one row per change idea and measure it names."""
    frames = [
        pl.read_csv(path, infer_schema=False).with_columns(site_id=pl.lit(path.parts[-3]))
        for path in sorted(summary.out.glob("site_*/qi_log/change_log.csv"))
    ]
    return pl.concat(frames).with_columns(pl.col("measures").str.split(";")).explode("measures")


def rates(summary, site: str, measure: str, per: str, start: str) -> tuple[float, float, float]:
    """``measure`` per ``per`` before and from ``start`` at ``site``; and the trend between.

    The trend is the secular trend's factor between the two phases, weighted by ``per``.
    """
    c = (
        expected_counts(summary)
        .filter((pl.col("site_id") == site) & pl.col("measure").is_in([measure, per]))
        .group_by("month", "measure")
        .agg(pl.col("value").sum())
        .pivot("measure", index="month", values="value")
        .sort("month")
        .with_columns(
            after=pl.col("month") >= start,
            trend=SECULAR_TREND ** (pl.int_range(pl.len())),
        )
    )
    out = []
    for after in (False, True):
        phase = c.filter(pl.col("after") == after)
        out.append(
            (
                phase[measure].sum() / phase[per].sum(),
                (phase["trend"] * phase[per]).sum() / phase[per].sum(),
            )
        )
    (before, t0), (now, t1) = out
    return before, now, t1 / t0


def test_sites_csv_gives_each_role_its_start_month_and_the_trend(default):
    sites = pl.read_csv(default.truth / "sites.csv", infer_schema=False)
    assert sites.rows() == [
        ("site_a", "intervention", "2023-08-01", "1.005"),
        ("site_b", "intervention", "2023-09-01", "1.005"),
        ("site_c", "intervention", "2023-10-01", "1.005"),
        ("site_d", "comparison", None, "1.005"),  # the last site changes nothing
    ]
    readme = " ".join((default.truth / "README.txt").read_text().split())
    assert "multiplied by 1.005 each month" in readme
    assert "comparison_sites=1" in readme
    assert "planted_effects.csv has one row per" in readme


def test_planted_effects_of_the_default_run(default):
    effects = planted(default)
    assert effects.columns == [
        "site_id",
        "measure_id",
        "change_id",
        "start_month",
        "rate_ratio",
        "before",
        "after",
    ]
    assert effects.rows() == DEFAULT_PLANTED
    falls = effects.filter(pl.col("measure_id") == "S1")
    assert falls["site_id"].to_list() == ["site_a", "site_c"]
    assert (falls["rate_ratio"] <= 0.75).all()  # falls -25% or more
    assert effects.filter(pl.col("measure_id") == "S3")["site_id"].to_list() == ["site_a"]
    must = effects.filter(pl.col("measure_id") == "P2.1").row(0, named=True)
    assert must["rate_ratio"] == pytest.approx(must["after"] / must["before"], abs=1e-3)
    assert 0.55 <= must["before"] <= 0.65
    assert "site_d" not in effects["site_id"].to_list()


def test_change_logs_are_written_in_the_agreed_format(default):
    assert ",".join(CHANGE_LOG) == HEADER
    qi = default.out / "site_a" / "qi_log"
    assert sorted(p.name for p in qi.iterdir()) == [
        "baselines.csv",
        "change_log.csv",
        "intervention_costs.csv",
        "qi_activity_log.csv",
    ]
    assert (qi / "change_log.csv").read_bytes() == (
        f"{HEADER}\n"
        "CI-01,Falls huddles after every fall,all,S1;S2,01/08/2023,PDSA 1,Home manager\n"
        "CI-02,MDT review of residents at risk of deterioration,all,S3;S4;P3.1,01/08/2023,"
        "PDSA 1,Clinical lead\n"
        "CI-03,MUST screening at every monthly weigh,all,P2.1,01/08/2023,PDSA 1,Dietitian\n"
    ).encode()
    comparison = default.out / "site_d" / "qi_log" / "change_log.csv"
    assert comparison.read_bytes() == f"{HEADER}\n".encode()  # header only: no change
    homes = pl.read_csv(default.truth / "homes.csv")
    for site in ("site_a", "site_b", "site_c"):
        text = (default.out / site / "qi_log" / "change_log.csv").read_text(encoding="utf-8")
        assert text.splitlines()[0] == HEADER
        log = pl.read_csv(default.out / site / "qi_log" / "change_log.csv", infer_schema=False)
        assert log["change_id"].to_list() == [f"CI-{i:02d}" for i in range(1, log.height + 1)]
        assert set(log["cycle"]) == {"PDSA 1"}
        assert set(log["owner"]) <= ROLES  # a role, never a person's name
        assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", d) for d in log["start_date"])
        mine = set(homes.filter(pl.col("site_id") == site)["home_id"])
        for listed in log["homes"]:
            assert listed == "all" or set(listed.split(";")) == mine
    listed = pl.read_csv(default.out / "site_c" / "qi_log" / "change_log.csv")["homes"][1]
    assert listed.split(";") == homes.filter(pl.col("site_id") == "site_c")["home_id"].to_list()


@pytest.mark.parametrize("fixture", ["small", "default", "large"])
def test_change_logs_agree_with_planted_effects(fixture, request):
    summary = request.getfixturevalue(fixture)
    logs = change_logs(summary).select(
        "site_id",
        "change_id",
        measure_id="measures",
        start_month=pl.col("start_date").str.strptime(pl.Date, "%d/%m/%Y").cast(pl.String),
    )
    effects = planted(summary).select("site_id", "change_id", "measure_id", "start_month")
    assert sorted(logs.rows()) == sorted(effects.rows())
    assert effects.height == effects.unique(["site_id", "measure_id"]).height > 0
    assert all(d.endswith("-01") for d in effects["start_month"])  # from a month's first day
    files = expected_files(summary).filter(pl.col("file").str.ends_with("change_log.csv"))
    assert files["file"].to_list() == [f"{s}/qi_log/change_log.csv" for s in sites(summary)]
    per_site = logs.unique(["site_id", "change_id"]).group_by("site_id").len()
    counts = dict(per_site.iter_rows())
    assert [counts.get(s, 0) for s in sites(summary)] == files["rows_in"].to_list()
    assert (files["rows_loaded"] == files["rows_in"]).all()


def sites(summary) -> list[str]:
    return [s.site_id for s in summary.register]


def test_the_comparison_site_never_changes_its_planted_rates():
    cal = make_calendar(date(2023, 1, 1), months=18, intervention_month=9)
    base = draw_site_effects(np.random.default_rng(3), sites=4)
    plan = make_plan(cal, base, comparison_sites=1, site_of_home=np.arange(4))
    assert plan.roles[3] == COMPARISON
    assert plan.effects[3] == base[3]  # its own levels, before and after alike
    assert plan.start_month[3] is None
    assert plan.start_day[3] == cal.n_days
    days = np.arange(cal.n_days)
    month = cal.month_of_day[days]
    for name in ("falls", "emergency", "ae", "pressure_ulcers"):
        factor = plan.multiplier(name, np.full(days.size, 3), days, month)
        assert np.allclose(factor, SECULAR_TREND**month)  # the trend and nothing else
    falls = plan.multiplier("falls", np.zeros(days.size, dtype=int), days, month)
    after = np.where(days >= cal.month_starts[9], 0.65, 1)
    assert np.allclose(falls, SECULAR_TREND**month * after)
    assert [i.site for i in plan.ideas] == [0, 0, 0, 1, 1, 2, 2]  # none at the comparison site


def test_the_comparison_site_keeps_its_rates_in_the_files(large):
    start = "2023-10-01"  # the first site's start month
    for measure, per, tolerance in (  # noise, and a little drift in the mix of stays
        ("must_screens", "residents_on_roll", 0.06),  # at site_a, +43%
        ("dscr_weights", "residents_on_roll", 0.06),
        ("medication_reviews", "residents_on_roll", 0.2),
        ("qi_triage_tool", "residents_on_roll", 0.5),
        ("qi_admission_mdt_review", "admissions", 0.4),
    ):
        before, after, _ = rates(large, "site_d", measure, per, start)
        assert after / before == pytest.approx(1, abs=tolerance), measure
    for measure in ("falls", "emergency_admissions", "ae_attendances"):
        before, after, trend = rates(large, "site_d", measure, "occupied_bed_days", start)
        assert after / before / trend == pytest.approx(1, abs=0.1), measure
    pdsa = expected_counts(large).filter(
        (pl.col("site_id") == "site_d") & (pl.col("measure") == "qi_pdsa_cycle")
    )
    assert pdsa["value"].mean() < 0.2  # no PDSA cycles beyond the usual odd one


def planted_ratio(summary, site: str, measure_id: str) -> tuple[str, float, float, float]:
    """The start month, rate ratio, before and after of a planted effect."""
    row = planted(summary).filter(
        (pl.col("site_id") == site) & (pl.col("measure_id") == measure_id)
    )
    return row["start_month"].item(), *row.select("rate_ratio", "before", "after").row(0)


def test_realised_rates_follow_the_planted_ratios(large):
    for site, measure_id, measure, tolerance in (
        ("site_a", "S1", "falls", 0.08),
        ("site_c", "S1", "falls", 0.08),
        ("site_a", "S2", "falls_with_harm", 0.15),
        ("site_a", "S3", "emergency_admissions", 0.12),
        ("site_a", "S4", "ae_attendances", 0.12),
    ):
        start, ratio, _, _ = planted_ratio(large, site, measure_id)
        before, after, trend = rates(large, site, measure, "occupied_bed_days", start)
        assert after / before == pytest.approx(ratio * trend, rel=tolerance), (site, measure)
        if measure == "falls":
            assert 6.5 < before * 1000 < 9.5  # about 8 falls per 1,000 occupied bed days
    start, _, share0, share1 = planted_ratio(large, "site_a", "P2.1")
    before, after, _ = rates(large, "site_a", "must_screens", "residents_on_roll", start)
    assert before == pytest.approx(share0, abs=0.04)
    assert after == pytest.approx(share1, abs=0.04)
    for site, measure_id, measure, tolerance in (
        ("site_b", "P1.3", "structured_medication_reviews", 0.25),  # few SMRs before
        ("site_a", "P3.1", "qi_triage_tool", 0.25),
    ):
        start, ratio, _, _ = planted_ratio(large, site, measure_id)
        before, after, _ = rates(large, site, measure, "residents_on_roll", start)
        assert after / before == pytest.approx(ratio, rel=tolerance), (site, measure)


def test_measures_no_change_idea_touches_keep_their_rates(large):
    for site, measure, per, tolerance in (
        ("site_c", "ae_attendances", "occupied_bed_days", 0.1),  # falls and admissions
        ("site_c", "emergency_admissions", "occupied_bed_days", 0.12),
        ("site_c", "must_screens", "residents_on_roll", 0.04),
        ("site_b", "falls", "occupied_bed_days", 0.08),  # medicines and dietitian
        ("site_b", "ae_attendances", "occupied_bed_days", 0.1),
        ("site_b", "must_screens", "residents_on_roll", 0.04),
        ("site_a", "dscr_weights", "residents_on_roll", 0.03),  # weighing stays as it was
        ("site_a", "structured_medication_reviews", "residents_on_roll", 0.2),
    ):
        start = planted(large).filter(pl.col("site_id") == site)["start_month"][0]
        before, after, trend = rates(large, site, measure, per, start)
        trend = trend if per == "occupied_bed_days" else 1
        assert after / before / trend == pytest.approx(1, abs=tolerance), (site, measure)


def test_falls_drift_with_the_secular_trend_where_nothing_is_done_about_them(large):
    c = (
        expected_counts(large)
        .filter(pl.col("site_id").is_in(["site_b", "site_d"]))
        .filter(pl.col("measure").is_in(["falls", "occupied_bed_days"]))
        .group_by("month", "measure")
        .agg(pl.col("value").sum())
        .pivot("measure", index="month", values="value")
        .sort("month")
    )
    slope = np.polyfit(np.arange(c.height), np.log(c["falls"] / c["occupied_bed_days"]), 1)[0]
    assert slope == pytest.approx(np.log(SECULAR_TREND), abs=0.004)  # +0.5% a month


def test_sites_start_in_turn_inside_the_period():
    assert start_months(4, 1, months=18, intervention_month=9) == (9, 10, 11, None)
    assert start_months(4, 0, months=18, intervention_month=9) == (9, 10, 11, 12)
    assert start_months(4, 2, months=10, intervention_month=8) == (8, 9, None, None)
    assert start_months(3, 0, months=10, intervention_month=9) == (9, 9, 9)  # clipped
    assert start_months(2, 1, months=6, intervention_month=6) == (None, None)  # never


def test_comparison_sites_can_be_chosen(tmp_path):
    one = write_extracts(tmp_path / "one", sites=1, homes=1, months=2, intervention_month=1)
    roles = pl.read_csv(one.truth / "sites.csv")["role"].to_list()
    assert roles == ["intervention"]  # with one site there is no comparison site
    log = pl.read_csv(one.out / "site_a" / "qi_log" / "change_log.csv")
    assert log["start_date"].to_list() == ["01/02/2023"] * 3
    two = write_extracts(
        tmp_path / "two", sites=4, homes=4, months=2, intervention_month=1, comparison_sites=2
    )
    sites = pl.read_csv(two.truth / "sites.csv", infer_schema=False)
    assert sites.select("role", "start_month").rows() == [
        ("intervention", "2023-02-01"),
        ("intervention", "2023-02-01"),  # a month later would be beyond the period
        ("comparison", None),
        ("comparison", None),
    ]
    for site in ("site_c", "site_d"):
        text = (two.out / site / "qi_log" / "change_log.csv").read_text()
        assert text == f"{HEADER}\n"
    never = write_extracts(tmp_path / "never", sites=2, homes=2, months=2, intervention_month=2)
    assert planted(never).height == 0
    assert (
        pl.read_csv(never.truth / "sites.csv", infer_schema=False)["start_month"].null_count() == 2
    )
    for bad in (-1, 4):
        with pytest.raises(ValueError, match="comparison_sites must be 0 to 3"):
            write_extracts(tmp_path / f"bad{bad}", sites=4, homes=4, comparison_sites=bad)
