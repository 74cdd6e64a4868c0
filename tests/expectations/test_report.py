"""The per-site data-quality page and the summary lines, from crafted results."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from expectations.report import page, problem_lines, sentence_of_trend, summary_line
from expectations.rules import load_rules

MARCH, APRIL = dt.date(2024, 3, 1), dt.date(2024, 4, 1)


def results(*rows):
    schema = {
        "run_date": pl.Date, "check": pl.String, "table_name": pl.String, "site_id": pl.String,
        "home_id": pl.String, "period": pl.Date, "severity": pl.String, "status": pl.String,
        "message": pl.String,
    }  # fmt: skip
    return pl.DataFrame([(dt.date(2024, 5, 1), *r) for r in rows], schema=schema, orient="row")


SITE_A = results(
    ("weight_kg_plausible", "stg_event", "a", "Oak", MARCH, "WARN", "fail",
     "2 of 40 rows in a/carehome/Oak/observations.csv (lines 3, 9) have a weight <odd>."),
    ("home_month_observed", "stg_event", "a", "Elm", APRIL, "ERROR", "fail",
     "Elm had 12 residents in April 2024 but no care-home observations."),
    ("home_month_observed", "stg_event", "a", "Elm", MARCH, None, "pass", "all pass"),
    ("home_month_observed", "stg_event", "a", "Oak", APRIL, None, "pass", "all pass"),
    ("staged_columns", "stg_event", None, None, None, None, "pass", "all pass"),
)  # fmt: skip


def test_the_page_says_what_is_wrong_where_and_how_to_fix_it():
    html = page(SITE_A, "a", load_rules())
    assert "a: 1 problem stops charts (ERROR), 1 need a look (WARN), 3 passed." in html
    stop, look = html.index("What stops charts"), html.index("What needs a look")
    assert stop < html.index("Elm had 12 residents in April 2024") < look
    assert "Homes had residents but sent no care-home observations for a month (1)" in html
    assert "Rows that have a weight outside 25-250 kg (1)" in html
    assert "<strong>Oak, March 2024</strong>" in html
    assert "have a weight &lt;odd&gt;." in html  # messages are escaped
    assert "<script" not in html  # opens offline: no script, nothing fetched
    assert "http" not in html.split("<h2>What is checked</h2>")[0]


def test_the_month_table_marks_each_home_month():
    html = page(SITE_A, "a", load_rules())
    table = html.split("<h2>Month by month</h2>")[1].split("<h2>")[0]
    elm = table.split("<td class='home'>Elm</td>")[1].split("</tr>")[0]
    assert elm.startswith("<td class='ok'>✓</td><td class='stop'>✖</td>")
    oak = table.split("<td class='home'>Oak</td>")[1].split("</tr>")[0]
    assert oak.startswith("<td class='warn'>!</td><td class='ok'>✓</td>")
    assert "1 of the last 2 months were complete." in elm


def test_a_site_with_nothing_wrong_is_told_so():
    html = page(SITE_A.filter(pl.col("status") == "pass"), "a", load_rules())
    assert "Nothing to fix" in html
    assert "What stops charts" not in html


def test_problem_lines_put_errors_first_and_count_the_rest():
    lines = problem_lines(SITE_A, limit=1)
    assert lines == [
        "ERROR Elm, April 2024: Elm had 12 residents in April 2024 but no care-home observations.",
        "... and 1 more on the site's page",
    ]


@pytest.mark.parametrize(
    ("complete", "sentence"),
    [
        ([True] * 3, "3 of the last 3 months were complete."),
        ([False] * 6 + [True] * 6, "0 of the 6 months before were complete, 6 of the last 6: "
         "more complete than before."),
        ([True] * 8 + [False] + [True] * 5, "6 of the 6 months before were complete, 5 of the "
         "last 6: less complete than before."),
    ],
)  # fmt: skip
def test_trend_sentences(complete, sentence):
    assert sentence_of_trend(complete) == sentence


@given(st.lists(st.booleans(), min_size=1, max_size=40))
def test_trend_counts_are_the_months_given(complete):
    text = sentence_of_trend(complete)
    last = complete[-6:]
    assert f"{sum(last)} of the last {len(last)}" in text


def test_summary_line_counts_passes():
    assert summary_line(SITE_A, "a").endswith("3 passed.")


def test_one_cause_in_several_tables_and_months_is_one_line():
    message = "2 of 9 rows in a/carehome/Oak/incidents.csv (lines 3, 4) have an incident date."
    repeated = results(
        *[("incident_date_plausible", table, "a", "Oak", month, "ERROR", "fail", message)
          for table in ("stg_incident", "stg_event") for month in (MARCH, APRIL)],
        ("home_month_observed", "stg_event", "a", "Elm", APRIL, "ERROR", "fail",
         "Elm had 12 residents in April 2024 but no care-home observations."),
    )  # fmt: skip
    assert problem_lines(repeated) == [
        f"ERROR Oak, March to April 2024: {message}",
        "ERROR Elm, April 2024: Elm had 12 residents in April 2024 but no care-home observations.",
    ]
    html = page(repeated, "a", load_rules())
    assert html.count(message) == 1
    assert "Rows that have an incident date in the future or before 1900 (1)" in html


def test_homes_are_named_as_the_settings_name_them():
    named = SITE_A.with_columns(
        home_name=pl.col("home_id").replace({"Elm": "Elm House"}),
        site_name=pl.lit("North Wolds"),
    )
    assert problem_lines(named, limit=1)[0].startswith("ERROR Elm House, April 2024: ")
    html = page(named, "a", load_rules())
    assert "<h1>Data quality: North Wolds</h1>" in html
    assert "North Wolds: 1 problem stops charts (ERROR)" in html
    assert "<td class='home'>Elm House</td>" in html
    assert "<strong>Oak, March 2024</strong>" in html  # not named in the settings: its id


def test_the_page_says_what_charts_do_with_errors_and_warnings():
    html = page(SITE_A, "a", load_rules())
    stop = html.split("What stops charts</h2>")[1].split("</p>")[0]
    assert "left out of the chart and named under it, never shown as zero" in stop
    look = html.split("What needs a look</h2>")[1].split("</p>")[0]
    assert "open marker, “data needs a look”" in look
    assert "reason when you hover over it" in look
    assert "marked with a warning" not in html


def test_a_stale_source_is_one_warning_about_the_site_not_its_months():
    stale = results(
        ("source_fresh", "extract schedule: hospital", "a", None, None, "WARN", "fail",
         "The newest hospital record is dated 3 March 2024, 59 days before this run; the "
         "extract schedule expects one every 45 days at most."),
    )  # fmt: skip
    (line,) = problem_lines(stale)
    assert line.startswith("WARN  whole site: The newest hospital record is dated 3 March")
    html = page(stale, "a", load_rules())
    assert "not charted until it arrives" in html  # the rule's reason, on the page
    assert "No monthly results yet." in html


def test_names_files_and_messages_are_escaped_and_the_figures_still_shown():
    hostile = SITE_A.with_columns(
        home_name=pl.col("home_id").replace(
            {"Oak": "<script>alert(1)</script>", "Elm": "Elm & Ash"}
        ),
        site_name=pl.lit("North & <Wolds>"),
        message=pl.col("message").str.replace(
            "a/carehome/Oak/", "a/carehome/<b>Oak&Co</b>/", literal=True
        ),
    )
    html = page(hostile, "a", load_rules())
    assert "<script" not in html
    assert "<b>" not in html
    assert "<h1>Data quality: North &amp; &lt;Wolds&gt;</h1>" in html
    assert "North &amp; &lt;Wolds&gt;: 1 problem stops charts (ERROR), 1 need a look (WARN)" in html
    assert "<strong>Elm &amp; Ash, April 2024</strong>" in html
    assert "<strong>&lt;script&gt;alert(1)&lt;/script&gt;, March 2024</strong>" in html
    assert "in a/carehome/&lt;b&gt;Oak&amp;Co&lt;/b&gt;/observations.csv (lines 3, 9)" in html
    # the figures are the ones the page shows for the same results with plain names
    assert "Homes had residents but sent no care-home observations for a month (1)" in html
    assert "Rows that have a weight outside 25-250 kg (1)" in html
    table = html.split("<h2>Month by month</h2>")[1].split("<h2>")[0]
    assert "<th>Mar 24</th><th>Apr 24</th>" in table
    elm = table.split("<td class='home'>Elm &amp; Ash</td>")[1].split("</tr>")[0]
    assert elm == (
        "<td class='ok'>✓</td><td class='stop'>✖</td>"
        "<td class='trend'>1 of the last 2 months were complete.</td>"
    )
    oak = table.split("<td class='home'>&lt;script&gt;alert(1)&lt;/script&gt;</td>")[1]
    assert oak.startswith("<td class='warn'>!</td><td class='ok'>✓</td>")
    rules = html.split("<h2>What is checked</h2>")[1]
    weight = "<tr><td>Rows that have a weight outside 25-250 kg</td><td>any</td><td>over 25%</td>"
    assert weight in rules
    assert "<td>Rows that have no event date</td><td>any</td><td>never</td>" in rules
