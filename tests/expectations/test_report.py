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
