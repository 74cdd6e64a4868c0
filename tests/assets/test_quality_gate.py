"""An ERROR stops the affected site-period's measures and no other site's (Dagster run)."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets import ASSETS, CHECKS
from assets.resources import resources_for
from synth import write_extracts
from warehouse.settings import load_settings

START, MONTHS = dt.date(2024, 1, 1), 4


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Two clean sites; site_b's first home sends an empty residents list."""
    tmp = tmp_path_factory.mktemp("gate")
    inbox = tmp / "inbox"
    write_extracts(inbox, sites=2, homes=4, months=MONTHS, seed=5, start=START, quirk_rate=0)
    homes = sorted(p.name for p in (inbox / "site_b" / "carehome").iterdir())
    residents = inbox / "site_b" / "carehome" / homes[0] / "residents.csv"
    residents.write_text(residents.read_text().splitlines()[0] + "\n")
    # site_b's QI log goes quiet after 12 February: its freshness check must warn
    log = inbox / "site_b" / "qi_log" / "qi_activity_log.csv"
    header, *rows = log.read_text().splitlines()
    date = header.split(",").index("activity_date")
    early = [r for r in rows if dt.datetime.strptime(r.split(",")[date], "%d/%m/%Y").date()
             <= dt.date(2024, 2, 12)]  # fmt: skip
    log.write_text("\n".join([header, *early]) + "\n")
    settings = load_settings(tmp, search=False).replace(inbox=inbox)
    warehouse = settings.warehouse
    with pytest.MonkeyPatch.context() as mp, dg.instance_for_test() as instance:
        mp.setenv("M4C_PSEUDO_KEY", "gate-test")
        result = dg.materialize(
            [*ASSETS, *CHECKS],
            instance=instance,
            resources=resources_for(settings),
            run_config={"ops": {"dq_results": {"config": {"as_of": "2024-05-01"}}}},
        )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        points = con.sql(
            "SELECT * FROM measure_values WHERE measure_id = 'S1' AND level <> 'collaborative'"
        ).pl()
    return result, points, homes[0], tmp / "out"


def test_the_run_succeeds_and_checks_report_per_table(run):
    result, *_ = run
    assert result.success
    checks = {e.asset_key.to_user_string(): e for e in result.get_asset_check_evaluations()}
    incident = checks["stg_incident"]
    assert not incident.passed
    assert incident.severity == dg.AssetCheckSeverity.ERROR
    assert incident.metadata["sites_with_errors"].value == ["site_b"]
    assert checks["stg_ae_attendance"].passed
    fresh = checks["raw_extracts"]  # each source's freshness: site_b's QI log is quiet
    assert (fresh.passed, fresh.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert fresh.metadata["errors"].value == 0
    (problem,) = fresh.metadata["first_problems"].value
    assert problem.startswith("The newest QI activity log record is dated 12 February 2024")


def test_an_error_blocks_that_site_and_home_only(run):
    _, points, bad_home, _ = run
    site_a = points.filter(pl.col("site_id") == "site_a")
    assert site_a.height == 3 * MONTHS  # two homes and the site, four months
    assert site_a["data_complete"].all()
    assert site_a["value"].is_not_null().all()
    site_b = points.filter(pl.col("site_id") == "site_b")
    blocked = site_b.filter(~pl.col("data_complete"))
    # the home without residents has its rows set aside and no bed days, so no points of
    # its own: the site's points are the ones it leaves incomplete, with no value rather
    # than a low one
    assert blocked["home_id"].to_list() == [None] * MONTHS
    assert blocked["value"].is_null().all()
    assert blocked["numerator"].is_null().all()
    assert blocked["dq_checks"].to_list() == [["rows_set_aside"]] * MONTHS
    other_home = site_b.filter(pl.col("home_id").is_not_null())
    assert other_home["home_id"].unique().to_list() != [bad_home]
    assert other_home["data_complete"].all()


def test_each_site_gets_its_own_page(run):
    *_, bad_home, out = run
    page_a = (out / "data_quality" / "site_a.html").read_text()
    page_b = (out / "data_quality" / "site_b.html").read_text()
    assert "0 problems stop charts" in page_a
    assert "site_b" not in page_a
    assert "What stops charts" in page_b
    assert f"35 of 35 rows in site_b/carehome/{bad_home}/incidents.csv (lines 2, 3, 4" in page_b
    assert "their resident is in no residents file" in page_b


def test_a_stale_source_is_one_warning_on_the_raw_extracts_check(run):
    *_, out = run
    settings = load_settings(out.parent, search=False).replace(inbox=out.parent / "inbox")
    with dg.instance_for_test() as instance:
        later = dg.materialize(
            [*ASSETS, *CHECKS],
            selection=dg.AssetSelection.assets("dq_results")
            | dg.AssetSelection.checks_for_assets("raw_extracts"),
            instance=instance,
            resources=resources_for(settings),
            run_config={"ops": {"dq_results": {"config": {"as_of": "2025-01-01"}}}},
        )
    (fresh,) = [
        e
        for e in later.get_asset_check_evaluations()
        if e.asset_key.to_user_string() == "raw_extracts"
    ]
    assert not fresh.passed
    assert fresh.severity == dg.AssetCheckSeverity.WARN
    assert fresh.metadata["errors"].value == 0
    # one warning per site and source, none per month: two sites, each with its GP
    # system, care homes, hospital and QI log (site_a's EMIS search reports repeat its
    # bulk extract, whose rows they count as: the same source, docs/extracts.md §8)
    assert fresh.metadata["warnings"].value == 8
