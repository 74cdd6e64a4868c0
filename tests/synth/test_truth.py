"""The truth the generator writes: recoverable from the files, independent of the quirks.

expected_counts.csv must be what the care-home files show, whatever the quirks, and
show real improvement where change ideas ran, from their start month, and none at the
comparison site; homes.csv must name the homes the inbox holds.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from synth import MEASURES, write_extracts
from tests.synth.conftest import SMALL
from tests.synth.reading import expected_counts, expected_files, nhs_ok, parse_day, read


def test_truth_is_recoverable_from_the_care_home_files(small):
    counts = expected_counts(small)
    months = sorted(counts["month"].unique())
    first, last = date.fromisoformat(months[0]), date.fromisoformat(months[-1])
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    found = []
    for home in sorted(small.out.glob("*/carehome/*")):
        res = read(home / "residents.csv").unique(maintain_order=True)
        res = res.filter(pl.col("nhs_number").map_elements(nhs_ok, return_dtype=pl.Boolean))
        res = res.with_columns(
            a=parse_day("admission_date"), d=parse_day("discharge_date").fill_null(end)
        )
        nights = res.with_columns(
            night=pl.date_ranges(pl.max_horizontal("a", pl.lit(first)), "d", closed="left")
        ).explode("night")
        away = (
            read(home / "absences.csv")
            .unique()
            .filter(pl.col("reason") == "hospital_admission")
            .join(res, on="resident_local_id")
            .with_columns(
                night=pl.date_ranges(
                    parse_day("depart_datetime"),
                    parse_day("return_datetime").fill_null(pl.col("d")),
                    closed="left",
                )
            )
            .explode("night")
        )
        obd = nights.join(away, on=["resident_local_id", "night"], how="anti")
        month_end = nights.filter(pl.col("night") == pl.col("night").dt.month_end())
        inc = read(home / "incidents.csv").unique(maintain_order=True)
        obs = read(home / "observations.csv").unique(maintain_order=True)
        parts = {
            "occupied_bed_days": obd.select(day="night"),
            "residents_on_roll": month_end.select(day="night"),
            "admissions": res.filter(pl.col("a") >= first).select(day="a"),
            "deaths": res.filter(pl.col("discharge_reason") == "died").select(day="d"),
            "falls": inc.filter(pl.col("incident_type") == "fall").select(
                day=parse_day("incident_datetime")
            ),
            "must_screens": obs.filter(pl.col("obs_type") == "must_score").select(
                day=parse_day("obs_datetime")
            ),
        }
        for measure, days in parts.items():
            found.append(
                days.drop_nulls()
                .group_by(month=pl.col("day").dt.strftime("%Y-%m-01"))
                .len("value")
                .with_columns(measure=pl.lit(measure), home_id=pl.lit(home.name))
            )
    got = pl.concat(found).select("measure", "home_id", "month", pl.col("value").cast(pl.Int64))
    truth = counts.filter(pl.col("measure").is_in(list(parts)))
    both = truth.join(got, on=["measure", "home_id", "month"], how="left").with_columns(
        pl.col("value_right").fill_null(0)
    )
    assert both.filter(pl.col("value") != pl.col("value_right")).height == 0
    assert got["value"].sum() == truth["value"].sum() > 0


def test_truth_does_not_depend_on_quirks_and_clean_files_load_whole(small, tmp_path):
    clean = write_extracts(tmp_path / "clean", quirk_rate=0.0, **SMALL)
    for name in ("expected_counts.csv", "homes.csv"):
        assert (clean.truth / name).read_bytes() == (small.truth / name).read_bytes()
    exp = expected_files(clean)
    not_loaded = exp.filter(pl.col("rows_in") != pl.col("rows_loaded"))
    assert not_loaded["file"].to_list() == ["site_a/emis/weights_report.csv"]  # its preamble
    assert not any(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in clean.paths)


def test_default_run_shows_improvement_where_change_ideas_ran_and_none_elsewhere(default):
    counts = expected_counts(default)
    assert set(counts["measure"]) == set(MEASURES)
    starts = dict(pl.read_csv(default.truth / "sites.csv").select("site_id", "start_month").rows())
    phase = counts.with_columns(
        after=pl.col("month") >= pl.col("site_id").replace_strict(starts).fill_null("2023-10-01")
    )
    totals = phase.group_by("site_id", "measure", "after").agg(pl.col("value").sum())

    def rate(site: str, measure: str, per: str, after: bool) -> float:
        def total(m: str) -> int:
            row = (pl.col("site_id") == site) & (pl.col("measure") == m)
            return totals.filter(row & (pl.col("after") == after))["value"].item()

        return total(measure) / total(per)

    before_falls = rate("site_a", "falls", "occupied_bed_days", False) * 1000
    after_falls = rate("site_a", "falls", "occupied_bed_days", True) * 1000
    assert 6.5 < before_falls < 9.5  # about 8 falls per 1,000 occupied bed days
    assert after_falls < 0.85 * before_falls  # falls huddles from October 2023
    assert rate("site_c", "falls", "occupied_bed_days", True) < 0.9 * rate(
        "site_c", "falls", "occupied_bed_days", False
    )
    assert rate("site_a", "must_screens", "residents_on_roll", False) < 0.7
    assert rate("site_a", "must_screens", "residents_on_roll", True) > 0.85
    smr = [rate("site_b", "structured_medication_reviews", "residents_on_roll", a) for a in (0, 1)]
    assert smr[1] > 1.8 * smr[0]  # pharmacist medication reviews from November 2023
    for site in ("site_b", "site_c", "site_d"):  # no MUST change idea: no change
        before = rate(site, "must_screens", "residents_on_roll", False)
        assert rate(site, "must_screens", "residents_on_roll", True) == pytest.approx(
            before, abs=0.05
        )
    falls_d = [rate("site_d", "falls", "occupied_bed_days", a) for a in (False, True)]
    assert falls_d[1] / falls_d[0] == pytest.approx(1.03, abs=0.12)  # the trend alone


def test_homes_csv_is_the_register_and_names_the_homes_of_the_inbox(default):
    homes = pl.read_csv(default.truth / "homes.csv", schema_overrides={"beds": pl.Int64})
    assert homes.columns == ["site_id", "site_name", "home_id", "home_name", "home_type", "beds"]
    register = [
        (s.site_id, s.name, h.cqc_id, h.name, h.type, h.beds)
        for s in default.register
        for h in s.homes
    ]
    assert homes.rows() == register
    folders = {(p.parts[-3], p.name) for p in default.out.glob("site_*/carehome/*")}
    assert set(homes.select("site_id", "home_id").rows()) == folders
    counted = expected_counts(default).select("site_id", "home_id").unique()
    assert set(counted.rows()) == folders


def test_costs_files_follow_each_sites_change_ideas_and_the_truth_prices_them(default):
    truth = pl.read_csv(default.truth / "intervention_costs.csv")
    sites = pl.read_csv(default.truth / "sites.csv")
    assert truth["site_id"].unique().sort().to_list() == ["site_a", "site_b", "site_c"]
    assert not (default.out / "site_d" / "qi_log" / "intervention_costs.csv").exists()
    rate = {"pharmacist": {"7": 68.0, "8a": 77.0}, "dietitian": {"5": 44.0, "6": 57.0},
            "nurse": {"5": 53.0, "7": 75.0}}  # PSSRU 2024 Tables 8.2.1 and 9.2.1  # fmt: skip
    for site, start in (
        sites.filter(pl.col("role") == "intervention").select("site_id", "start_month").rows()
    ):
        costs = pl.read_csv(default.out / site / "qi_log" / "intervention_costs.csv",
                            infer_schema=False)  # fmt: skip
        first = costs.with_columns(d=parse_day("from_date"), e=parse_day("to_date"))
        assert first["d"].min().isoformat() == start
        assert first["e"].max() == date(2024, 6, 30)  # the period's last day
        roles = set(costs.filter(pl.col("category") == "staff")["role"])
        titles = pl.read_csv(default.out / site / "qi_log" / "change_log.csv")["title"]
        if "Pharmacist medication reviews" in titles:
            assert "pharmacist" in roles
        if any("MDT" in t for t in titles):
            assert "gp" in roles
        hours = costs.with_columns(pl.col("hours", "cost_gbp").cast(pl.Float64))
        priced = hours.with_columns(
            cost=pl.coalesce(
                "cost_gbp",
                pl.col("hours")
                * pl.struct("role", "band").map_elements(
                    lambda r: (
                        {"gp": 4.47 * 60, "care_worker": 27.0}.get(r["role"])
                        or rate.get(r["role"], {}).get(r["band"])
                    ),
                    return_dtype=pl.Float64,
                ),
            )
        )
        expected = dict(priced.group_by("category").agg(pl.col("cost").sum()).rows())
        written = dict(truth.filter(pl.col("site_id") == site).select("category", "cost").rows())
        assert written == pytest.approx(expected, abs=0.01)
        months = (first["e"].max().year - first["d"].min().year) * 12 + (
            first["e"].max().month - first["d"].min().month + 1
        )
        assert 20_000 <= sum(expected.values()) / months * 12 <= 60_000  # a year of it
