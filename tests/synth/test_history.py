"""The GP record before the period, and the preferred place of death, are in the world.

A GP bulk extract carries each patient's whole record, so the residents already in the
homes at the start have the medication reviews of the year before it and the acute
issues of the 84 days before it: the look-back measures (P1.1, P1.2, O1.1, O1.2) are
whole from the first month, and do not climb through the first year where nothing
changes. The preferred place of death is drawn with the stays, so the truth can count
O3.4; the residents files write it.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from synth.codes import ACUTE, CODE, FORMULARY, GP_CODES
from synth.nhs_events import ACUTE_HISTORY_DAYS, REVIEW_HISTORY_DAYS, days_before
from synth.stays import PLACES
from synth.world import RATES
from tests.synth.conftest import SMALL
from tests.synth.reading import nhs_ok, read, world_of

REVIEWS = (CODE["smr"], CODE["medication_review"])


@pytest.fixture(scope="module")
def world():
    return world_of()  # the default run's


def test_reviews_before_the_period_are_those_of_the_residents_then_in_the_homes(world):
    stays = world.stays.select("stay", "person", "start")
    before = world.gp_events.filter(pl.col("code").is_in(REVIEWS) & (pl.col("day") < 0))
    assert before.height > 0
    assert before["day"].min() >= -REVIEW_HISTORY_DAYS
    rows = before.join(stays, on="stay", suffix="_stay")
    assert rows.height == before.height  # each in the home of a stay
    assert (rows["person"] == rows["person_stay"]).all()
    assert (rows["start"] <= rows["day"]).all()  # from the stay's start, never before
    assert (rows["start"] < 0).all()  # only stays under way at the start
    # no day has two: an SMR and a plain review on one day are one review, the SMR
    assert before.select("person", "day").is_unique().all()


def test_reviews_before_the_period_come_at_the_sites_rates_before_any_change(world):
    start = world.stays.filter(pl.col("start") < 0)["start"].to_numpy()
    bounds = days_before(world.cal, REVIEW_HISTORY_DAYS)  # the calendar months of 2022
    months = (bounds[None, 1:] > np.maximum(bounds[None, :-1], start[:, None])).sum()
    chance = [
        1 - (1 - e.medication_review[0]) * (1 - RATES.pharmacist_coded * e.pharmacist[0])
        for e in world.effects
    ]
    reviews = world.gp_events.filter(pl.col("code").is_in(REVIEWS) & (pl.col("day") < 0))
    assert reviews.height / months == pytest.approx(np.mean(chance), rel=0.15)


def test_acute_issues_reach_back_84_days_and_repeats_begin_in_the_period(world):
    issues = world.medication.filter(pl.col("day") < 0)
    assert issues.height > 0
    assert issues["day"].min() >= -ACUTE_HISTORY_DAYS
    assert not issues["repeat"].any()
    assert (issues["drug"] >= len(FORMULARY)).all()
    assert (issues["drug"] < len(FORMULARY) + len(ACUTE)).all()
    assert (issues["template"] == -1).all()
    rows = issues.join(world.stays.select("stay", "start"), on="stay")
    assert rows.height == issues.height
    assert (rows["start"] <= rows["day"]).all()


def test_the_history_and_the_preferences_draw_from_streams_of_their_own(world):
    other = world_of(
        replaced={"history": np.random.default_rng(1), "preferences": np.random.default_rng(2)}
    )
    for frame in ("people", "spells", "absences", "ae", "incidents", "observations", "qi"):
        assert getattr(other, frame).equals(getattr(world, frame)), frame
    assert other.stays.drop("preferred_place").equals(world.stays.drop("preferred_place"))
    assert not other.stays["preferred_place"].equals(world.stays["preferred_place"])
    period = ~(pl.col("code").is_in(REVIEWS) & (pl.col("day") < 0))  # registrations stay
    assert other.gp_events.filter(period).equals(world.gp_events.filter(period))
    assert not other.gp_events.equals(world.gp_events)
    inside = pl.col("day") >= 0
    assert other.medication.filter(inside).equals(world.medication.filter(inside))


def test_the_gp_extracts_write_the_reviews_before_the_period(small):
    codes = {GP_CODES[c].emis_code_id for c in REVIEWS}
    emis = read(next(small.out.glob("site_a/emis/*_CareRecord_Observation_*.csv")))
    reviews = emis.filter(pl.col("CodeId").is_in(codes) & (pl.col("Deleted") == "false"))
    day = reviews["EffectiveDate"].str.to_date("%Y-%m-%d")
    assert (day < date(2023, 1, 1)).any()
    assert day.min() >= date(2022, 1, 1)
    snomed = {GP_CODES[c].snomed for c in REVIEWS}
    srcode = read(next(small.out.glob("site_b/systmone/SRCode_*.csv")))
    day = srcode.filter(pl.col("SNOMEDCode").is_in(snomed))["DateEvent"].str.to_date("%d %b %Y")
    assert (day < date(2023, 1, 1)).any()
    assert day.min() >= date(2022, 1, 1)


def test_medication_review_coverage_is_flat_where_nothing_changes(large):
    measures = pl.read_csv(large.truth / "expected_measures.csv")
    site = (
        measures.filter(
            pl.col("measure_id").is_in(["P1.1", "P1.2"]) & (pl.col("site_id") == "site_d")
        )
        .group_by("measure_id", "period")
        .agg(share=100 * pl.col("numerator").sum() / pl.col("denominator").sum())
        .sort("period")
    )
    for measure in ("P1.1", "P1.2"):
        share = site.filter(pl.col("measure_id") == measure)["share"]
        # a year's reviews from the first month (without the history: about 5% for P1.1)
        assert share.head(3).mean() == pytest.approx(share.tail(6).mean(), abs=4), measure


def test_the_preferred_place_of_death_is_the_worlds_and_the_residents_files_write_it(small):
    w = world_of(**SMALL, quirk_rate=0.05)
    stays = w.stays
    assert stays["preferred_place"].dtype == pl.String
    recorded = stays.filter(pl.col("preferred_place").is_not_null())
    assert set(recorded["preferred_place"]) <= set(PLACES)
    assert (recorded["kind"] == "permanent").all()
    assert 0.3 < recorded.height / (stays["kind"] == "permanent").sum() < 0.6
    for h, home_id in enumerate(w.homes.home_id):
        path = next(small.out.glob(f"*/carehome/{home_id}/residents.csv"))
        rows = read(path).unique(maintain_order=True)
        rows = rows.filter(pl.col("nhs_number").map_elements(nhs_ok, return_dtype=pl.Boolean))
        written = sorted(rows["preferred_place_of_death"].drop_nulls().to_list())
        mine = stays.filter(pl.col("home") == h)["preferred_place"].drop_nulls().to_list()
        assert written == sorted(mine), home_id
