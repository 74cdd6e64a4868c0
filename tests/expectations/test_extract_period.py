"""A site's months run over its extracts: a stray date is one finding, not months missing.

Hand-made extracts (conftest.py): two homes, six months (January to June 2024).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from expectations import report
from expectations.validate import validate
from tests.expectations.conftest import HOMES, MONTHS, NAMES, SITE

RUN_DATE = dt.date(2024, 7, 5)  # eleven days after the last record
TODAY = dt.date(2026, 1, 1)  # a run without --as-of, long after the extract


def obs(date: str, obs_type: str = "weight_kg", value: str = "60") -> dict[str, str]:
    return {"resident_local_id": "R0", "obs_datetime": date, "obs_type": obs_type,
            "value": value}  # fmt: skip


def fall(date: str) -> dict[str, str]:
    return {"resident_local_id": "R0", "incident_datetime": date, "incident_type": "fall",
            "harm_level": "none"}  # fmt: skip


STRAY_2099 = {HOMES[0]: [obs("01/03/2099")]}


def failing(v) -> list[tuple]:
    return (
        v.results.filter(pl.col("status") == "fail")
        .select("check", "home_id", "period", "severity")
        .sort("check", "home_id", "period", nulls_last=True)
        .rows()
    )


def bed_day_months(con) -> list[dt.date]:
    rows = con.sql("SELECT DISTINCT month FROM stg_occupied_bed_days ORDER BY 1").fetchall()
    return [m for (m,) in rows]


def test_one_row_dated_2099_is_one_finding_not_months_of_missing_data(warehouse):
    con = warehouse(extra_observations=STRAY_2099)
    assert bed_day_months(con) == list(MONTHS)
    v = validate(con, run_date=RUN_DATE)
    # Before: bed days ran to March 2099, and with them home_month_observed (1,793 ERRORs)
    # and home_month_weighed (1,793 WARNs): 3,587 failing results (3,627 with freshness
    # judged on 1 January 2026). Now the row is the date check's one finding.
    assert failing(v) == [("event_date_plausible", HOMES[0], dt.date(2099, 3, 1), "ERROR")]
    census = v.results.filter(pl.col("check").is_in(report.CENSUS))
    assert census.group_by("check").len().sort("check").rows() == [
        ("home_month_observed", 12),
        ("home_month_occupancy", 12),
        ("home_month_weighed", 12),
    ]  # two homes, six months: no 2099


def test_judged_long_after_the_extract_staleness_is_one_warning_and_gates_nothing(warehouse):
    con = warehouse(extra_observations=STRAY_2099)
    v = validate(con, run_date=TODAY)
    # Before: one ERROR per month since the last record, per table the source feeds (40)
    assert failing(v) == [
        ("event_date_plausible", HOMES[0], dt.date(2099, 3, 1), "ERROR"),
        ("source_fresh", None, None, "WARN"),
    ]
    fresh = v.results.filter(pl.col("check") == "source_fresh").row(0, named=True)
    assert fresh["site_id"] == SITE
    assert fresh["message"].startswith(
        "The newest care-home record is dated 24 June 2024, 556 days before this run; the "
        "extract schedule expects one every 14 days at most."
    )
    assert "records records" not in fresh["message"]
    # the site's real months stay complete and unmarked in the gate
    points = con.sql(
        "SELECT m, dq_point($site, NULL, m, ['stg_event', 'stg_incident']) AS dq "
        "FROM unnest($months::DATE[]) AS t(m)",
        params={"site": SITE, "months": list(MONTHS)},
    ).pl()
    assert points["dq"].struct.field("data_complete").all()
    assert not points["dq"].struct.field("dq_warning").any()


def test_a_home_that_stops_sending_mid_period_is_still_caught(warehouse):
    con = warehouse(months={HOMES[1]: MONTHS[:3]})
    assert bed_day_months(con) == list(MONTHS)
    v = validate(con, run_date=RUN_DATE)
    missed = [(HOMES[1], m) for m in MONTHS[3:]]
    assert failing(v) == [
        *[("home_month_observed", h, m, "ERROR") for h, m in missed],
        *[("home_month_weighed", h, m, "WARN") for h, m in missed],
    ]


def test_a_home_that_joins_later_does_not_cut_its_sites_period(warehouse):
    con = warehouse(months={HOMES[1]: MONTHS[3:]})
    assert bed_day_months(con) == list(MONTHS)
    v = validate(con, run_date=RUN_DATE)
    assert {(c, h) for c, h, *_ in failing(v)} == {
        ("home_month_observed", HOMES[1]),
        ("home_month_weighed", HOMES[1]),
    }


def test_a_stray_handful_apart_from_the_extract_is_one_finding_and_a_begun_month_none(
    warehouse,
):
    con = warehouse(
        # a fall typed 2014 for 2024, and two weights of 2 July (the extract was taken
        # then: a month barely begun)
        extra_incidents={HOMES[0]: [fall("05/03/2014 09:00")]},
        extra_observations={HOMES[1]: [obs("01/07/2024"), obs("02/07/2024")]},
        homes=NAMES,
    )
    assert bed_day_months(con) == list(MONTHS)
    v = validate(con, run_date=RUN_DATE)
    assert failing(v) == [("home_month_occupancy", HOMES[0], dt.date(2014, 3, 1), "ERROR")]
    (message,) = v.results.filter(pl.col("status") == "fail")["message"]
    assert message.startswith(
        "Elm House has 1 care-home record dated March 2014, apart from the months of its "
        "site's extracts (January 2024 to June 2024), so in no month's rates."
    )


def test_pages_and_messages_name_homes_and_the_site(warehouse):
    con = warehouse(months={home: MONTHS[:3] for home in HOMES}, homes=NAMES)
    con.execute("DELETE FROM stg_event WHERE event_date >= '2024-02-01'")  # Feb, Mar: none
    validate(con, run_date=dt.date(2024, 4, 1))
    (results,) = report.results_by_site(con).values()
    lines = report.problem_lines(results, limit=20)
    assert "ERROR Elm House, February 2024: Elm House had 3 residents in February 2024" in (
        "\n".join(lines)
    )
    # a home the settings do not name is shown by its CQC id
    assert any(line.startswith(f"ERROR {HOMES[1]}, March 2024: {HOMES[1]} had 3") for line in lines)
    assert report.summary_line(results, SITE).startswith("North Wolds: ")
    html = report.page(results, SITE, report.load_rules())
    assert "<title>Data quality: North Wolds</title>" in html
    assert "<td class='home'>Elm House</td>" in html
    assert f"<td class='home'>{HOMES[1]}</td>" in html
