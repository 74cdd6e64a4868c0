"""Every measure's values reconcile with the generator's truth, for every home and period.

The generator counts each catalogue measure from its simulated world
(``synth/expected``); the pipeline computes it from the extracts, with their quirks
and junk rows, through the staged model and the measure's SQL.
"""

from __future__ import annotations

import polars as pl
import pytest

from synth import write_extracts
from warehouse.connection import connect
from warehouse.landing import ingest
from warehouse.measures import compute, load_registry
from warehouse.staging import build_all

REGISTRY = load_registry()


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    root = tmp_path_factory.mktemp("measures")
    summary = write_extracts(root / "inbox", sites=4, homes=8, months=15, seed=5, quirk_rate=0.05)
    truth = pl.read_csv(summary.truth / "expected_measures.csv", try_parse_dates=True)
    with connect(root / "w.duckdb") as con:
        ingest(root / "inbox", con, key=b"truth")
        build_all(con)
        compute(con)
        # every home point as its SQL counted it, before the gate (which leaves out, say,
        # the months whose look-back starts before the records do)
        values = con.sql(
            "SELECT p.measure_id, p.site_id, p.home_id, p.period, p.numerator, p.denominator, "
            "v.data_complete FROM measure_points AS p JOIN measure_values AS v "
            "USING (measure_id, site_id, home_id, period)"
        ).pl()
    return truth, values


def test_the_truth_covers_at_least_30_measures(computed):
    truth, _ = computed
    assert truth["measure_id"].n_unique() >= 30


@pytest.mark.parametrize("measure_id", REGISTRY.ids)
def test_measure_matches_the_truth_for_every_home_and_period(computed, measure_id):
    truth, values = computed
    expected = truth.filter(pl.col("measure_id") == measure_id)
    got = values.filter(pl.col("measure_id") == measure_id)
    assert expected.height > 0, f"the generator's truth has no {measure_id}"
    assert got.filter(pl.col("data_complete")).height > 0
    both = expected.join(
        got,
        on=["site_id", "home_id", "period"],
        how="inner",
        suffix="_sql",
    )
    assert both.height >= 0.9 * expected.height
    assert (both["numerator"] != 0).any()
    numerator_wrong = (pl.col("numerator") - pl.col("numerator_sql")).abs() > 1e-6
    denominator_gap = (pl.col("denominator") - pl.col("denominator_sql")).abs()
    denominator_wrong = (denominator_gap > 1e-6).fill_null(
        pl.col("denominator").is_null() != pl.col("denominator_sql").is_null()
    )
    wrong = both.filter(numerator_wrong | denominator_wrong)
    assert wrong.height == 0, wrong.head(8)
