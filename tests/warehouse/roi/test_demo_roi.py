"""The ROI of the demo collaborative (4 sites, 29 homes, 18 months) against the truth.

The generator plants a 30% fall in emergency admissions and A&E attendances at site a
(its "MDT review of residents at risk"), and nothing on them elsewhere: every
intervention site's interval must cover its planted ratio, and the comparison site's
placebo interval must cover 1.
"""

from __future__ import annotations

import polars as pl
import pytest

from synth import write_extracts
from warehouse.connection import connect
from warehouse.landing import ingest
from warehouse.measures import compute
from warehouse.roi.tables import read_summary, store_inputs, store_summary
from warehouse.staging import build_all

PLANTED_ON = {"emergency_admissions": "S3", "ae_attendances": "S4"}
FIELDS = (
    "price_year", "intervention_cost", "costs_avoided", "net_benefit", "roi",
    "probability_roi_positive", "break_even_admissions", "rate_ratios", "cash_releasing",
    "capacity", "sensitivity", "assumptions",
)  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("roi")
    summary = write_extracts(root / "inbox")
    planted = pl.read_csv(summary.truth / "planted_effects.csv")
    roles = dict(pl.read_csv(summary.truth / "sites.csv").select("site_id", "role").iter_rows())
    with connect(root / "w.duckdb") as con:
        ingest(root / "inbox", con, key=b"demo")
        build_all(con)
        compute(con)
        counts = store_inputs(con)
        _, items = store_summary(con)
        stored = read_summary(con)
    return planted, roles, counts, {e["site_id"]: e for e in items}, stored


def _ratio(entry, resource):
    return next(r for r in entry["rate_ratios"] if r["resource"] == resource)


@pytest.mark.parametrize("resource", sorted(PLANTED_ON))
def test_each_site_covers_its_planted_ratio(demo, resource):
    planted, roles, _, by_site, _ = demo
    truth = dict(
        planted.filter(pl.col("measure_id") == PLANTED_ON[resource])
        .select("site_id", "rate_ratio")
        .iter_rows()
    )
    assert truth == {"site_a": 0.7}
    for site, role in roles.items():
        r = _ratio(by_site[site], resource)
        expected = truth.get(site, 1.0)
        assert r["controlled"] is True, (site, r["note"])
        assert r["lower"] <= expected <= r["upper"], (site, role, r)


def test_the_comparison_site_is_a_placebo_covering_one(demo):
    _, roles, _, by_site, _ = demo
    (comparison,) = [s for s, role in roles.items() if role == "comparison"]
    entry = by_site[comparison]
    assert entry["role"] == "comparison"
    assert entry["roi"] is None
    r = _ratio(entry, "emergency_admissions")
    assert r["lower"] <= 1.0 <= r["upper"]


def test_every_site_and_the_collaborative_have_the_commissioners_fields(demo):
    _, roles, _, by_site, stored = demo
    assert set(by_site) == {*roles, "collaborative"}
    assert [e["site_id"] for e in stored] == list(by_site)
    for site, entry in by_site.items():
        assert set(FIELDS) <= set(entry), site
        assert entry["price_year"] == "2023/24"
        if entry["role"] != "comparison":
            for key in ("intervention_cost", "costs_avoided", "net_benefit", "roi"):
                x = entry[key]
                assert x["lower"] <= x["estimate"] <= x["upper"], (site, key)
            assert 0 <= entry["probability_roi_positive"] <= 1
            assert entry["break_even_admissions"] > 0
            assert entry["intervention_cost"]["basis"]
            assert {s["parameter"].split(" (")[0] for s in entry["sensitivity"]} >= {
                "Attribution fraction",
                "Emergency admission stay mix",
            }
        for r in entry["rate_ratios"]:
            assert {"resource", "estimate", "lower", "upper", "model", "controlled"} <= set(r)


def test_collaborative_money_is_the_sum_of_its_sites(demo):
    _, roles, _, by_site, _ = demo
    sites = [s for s, role in roles.items() if role == "intervention"]
    for key in ("intervention_cost", "net_benefit"):
        total = sum(by_site[s][key]["estimate"] for s in sites)
        assert by_site["collaborative"][key]["estimate"] == pytest.approx(total, abs=len(sites))


def test_no_published_count_is_small_or_unrounded(demo):
    _, _, _, by_site, _ = demo
    for entry in by_site.values():
        for r in entry["rate_ratios"]:
            if r["unit"] == "£":
                continue
            for key in ("before", "after", "expected"):
                v = r.get(key)
                assert v is None or v == 0 or (v >= 10 and v % 5 == 0), (entry["site_id"], r)


def test_roi_inputs_reconcile(demo):
    _, _, counts, _, _ = demo
    assert counts["rows"] == counts["usable"] + counts["left_out"]
    assert counts["usable"] > 0.9 * counts["rows"]
