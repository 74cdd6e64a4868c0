"""The data-quality page of each site, in plain words, and the summary ``m4c validate`` prints.

A page says what stops charts (ERROR) and what needs a look (WARN), in which file and
lines, and how to fix it; then, home by home, which months were complete, so a site can
see whether its data is getting more complete. It is one self-contained HTML file with
no script and no web fonts: it opens offline, from a shared drive or an email. A page
holds its own site's results only, plus faults that touch every site.

Examples
--------
>>> sentence_of_trend([True, False, True, True, True, True, True, True])
'1 of the 2 months before were complete, 6 of the last 6: more complete than before.'
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from expectations.rules import Rule, load_rules
from expectations.validate import IRREGULAR, Validation
from warehouse.pages.render import render_text
from warehouse.tables import STAGED

TREND_MONTHS = 6  # the last months compared with the months before them
# the census checks: the first two run over the months with bed days
CENSUS = ("home_month_observed", "home_month_weighed", "home_month_occupancy")
LOOK = {"ERROR": ("stop", "✖"), "WARN": ("warn", "!"), None: ("ok", "✓")}


def site_results(con: duckdb.DuckDBPyConnection, site: str | None = None) -> pl.DataFrame:
    """The latest ``dq_results``, for one site (and faults that touch every site) or all.

    Each result also has ``home_name`` (the home's name in the settings, ``ref_home``, or
    its CQC id) and ``site_name`` (the site's name there, or null), the names a page shows.
    ``ref_home`` is in every warehouse (``warehouse/sql/landing_schema.sql``), maybe empty.
    """
    return con.sql(
        """WITH home_names AS (
               SELECT site_id, home_id, any_value(nullif(trim(home_name), '')) AS home_name
               FROM ref_home GROUP BY ALL),
           site_names AS (
               SELECT site_id, any_value(nullif(trim(site_name), '')) AS site_name
               FROM ref_home GROUP BY ALL)
           SELECT r.*, coalesce(h.home_name, r.home_id) AS home_name, s.site_name
           FROM dq_results AS r
           LEFT JOIN home_names AS h ON h.site_id = r.site_id AND h.home_id = r.home_id
           LEFT JOIN site_names AS s ON s.site_id = r.site_id
           WHERE $site IS NULL OR r.site_id = $site OR r.site_id IS NULL
           ORDER BY r.severity NULLS LAST, r."check", r.site_id, r.home_id, r.period""",
        params={"site": site},
    ).pl()


def sites(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The sites with results."""
    rows = con.sql(
        "SELECT DISTINCT site_id FROM dq_results WHERE site_id IS NOT NULL ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def summary_line(results: pl.DataFrame, site: str) -> str:
    """One line: how many results stop charts and how many need a look.

    The site is named as the settings name it (``site_name``), else by its id.

    Examples
    --------
    >>> frame = pl.DataFrame({"severity": ["ERROR", "WARN", "WARN", None]})
    >>> summary_line(frame, "site_a")
    'site_a: 1 problem stops charts (ERROR), 2 need a look (WARN), 1 passed.'
    >>> summary_line(frame.with_columns(site_id=pl.lit("site_a"),
    ...                                 site_name=pl.lit("North Wolds")), "site_a")[:26]
    'North Wolds: 1 problem sto'
    """
    n = results.get_column("severity").value_counts()
    count = dict(zip(n.get_column("severity"), n.get_column("count"), strict=True))
    errors, warns, passed = count.get("ERROR", 0), count.get("WARN", 0), count.get(None, 0)
    return (
        f"{site_name(results, site)}: {errors} problem{'s' if errors != 1 else ''} "
        f"{'stop' if errors != 1 else 'stops'} charts (ERROR), {warns} need a look (WARN), "
        f"{passed:,} passed."
    )


def site_name(results: pl.DataFrame, site: str) -> str:
    """The name of ``site`` in the settings (``site_name`` of its results), else its id.

    Examples
    --------
    >>> site_name(pl.DataFrame({"severity": [None]}), "site_a")
    'site_a'
    """
    if not {"site_id", "site_name"} <= set(results.columns):
        return site
    names = results.filter(pl.col("site_id") == site).get_column("site_name").drop_nulls()
    return names[0] if names.len() else site


def findings(results: pl.DataFrame) -> pl.DataFrame:
    """The failing results, one row per cause, errors first, each with where it is.

    Results of one check and home with the same message (a cause that fails in several
    tables or months) are one finding; ``where`` names the home by its name (the CQC id
    when the settings do not name it) and the months it covers, collapsed into a range.

    Examples
    --------
    >>> import datetime as dt
    >>> frame = pl.DataFrame({
    ...     "check": "c", "table_name": ["stg_event", "stg_incident", "stg_event"],
    ...     "site_id": "s", "home_id": "1-466839495", "home_name": "Elm House",
    ...     "period": [dt.date(2024, 3, 1), dt.date(2024, 3, 1), dt.date(2024, 4, 1)],
    ...     "severity": "WARN", "status": "fail", "message": "Check the dates."})
    >>> findings(frame).select("where", "message").rows()
    [('Elm House, March to April 2024', 'Check the dates.')]
    """
    failing = _named(results).filter(pl.col("status") == "fail")
    grouped = (
        failing.with_columns(
            # a result about a staged table (or every one) gates its months; one about a
            # source (freshness: 'extract schedule: emis') gates none, so names no month
            monthly=pl.col("table_name").is_null() | pl.col("table_name").is_in(STAGED)
        )
        .group_by("severity", "check", "site_id", "home_id", "message", maintain_order=True)
        .agg(
            pl.col("home_name").first(),
            pl.col("period").drop_nulls().unique().sort().alias("periods"),
            undated=pl.col("period").null_count() > 0,
            monthly=pl.col("monthly").any(),
        )
        .sort(pl.col("severity") != "ERROR", maintain_order=True)
    )
    home = pl.coalesce(
        "home_name",
        pl.when(pl.col("site_id").is_null())
        .then(pl.lit("every site"))
        .otherwise(pl.lit("whole site")),
    )
    month = (
        pl.when(pl.col("undated") & pl.col("monthly"))
        .then(pl.lit("all months"))
        .when(pl.col("undated"))
        .then(pl.lit(None, pl.String))
        .otherwise(_months(pl.col("periods")))
    )
    return grouped.with_columns(
        where=pl.when(month.is_null()).then(home).otherwise(pl.format("{}, {}", home, month))
    ).drop("undated", "monthly")


def problem_lines(results: pl.DataFrame, *, limit: int = 10) -> list[str]:
    """The failing results as lines, one per cause (:func:`findings`), at most ``limit``.

    Examples
    --------
    >>> frame = pl.DataFrame({"status": ["fail"], "severity": ["WARN"], "home_id": ["h"],
    ...                       "site_id": ["s"], "period": [None], "message": ["3 rows ..."]})
    >>> problem_lines(frame)
    ['WARN  h, all months: 3 rows ...']
    """
    found = findings(results)
    lines = (
        found.head(limit)
        .select(pl.format("{} {}: {}", pl.col("severity").str.pad_end(5), "where", "message"))
        .to_series()
        .to_list()
    )
    if found.height > limit:
        lines.append(f"... and {found.height - limit} more on the site's page")
    return lines


def as_json(run: Validation, per_site: dict[str, pl.DataFrame], pages: Path) -> dict:
    """What ``m4c validate --json`` prints: per site, the counts, page and failing results.

    Each site carries its name (``name``: the settings' name, else its id).
    """
    return {
        "run_id": run.run_id,
        "run_date": run.run_date.isoformat(),
        "sites": {
            site: {
                "name": site_name(results, site),
                "errors": results.filter(pl.col("severity") == "ERROR").height,
                "warnings": results.filter(pl.col("severity") == "WARN").height,
                "passed": results.filter(pl.col("status") == "pass").height,
                "page": str(pages / f"{site}.html"),
                "problems": results.filter(pl.col("status") == "fail")
                .select(
                    "check",
                    "table_name",
                    "site_id",
                    "home_id",
                    *[c for c in ("home_name",) if c in results.columns],
                    "period",
                    "severity",
                    "rows",
                    "failing",
                    "observed",
                    "message",
                )
                .to_dicts(),
            }
            for site, results in per_site.items()
        },
    }


def sentence_of_trend(complete: list[bool]) -> str:
    """Whether a home's months are getting more complete: the last months against before."""
    last, before = complete[-TREND_MONTHS:], complete[:-TREND_MONTHS][-TREND_MONTHS:]
    if not before:
        return f"{sum(last)} of the last {len(last)} months were complete."
    share_last, share_before = sum(last) / len(last), sum(before) / len(before)
    verdict = (
        "more complete than before"
        if share_last > share_before
        else "less complete than before"
        if share_last < share_before
        else "as complete as before"
    )
    return (
        f"{sum(before)} of the {len(before)} months before were complete, "
        f"{sum(last)} of the last {len(last)}: {verdict}."
    )


ERROR_LEAD = (
    "Charts leave these months out until this is fixed: each is left out of the chart and "
    "named under it, never shown as zero."
)
WARN_LEAD = (
    "Charts still show these months, with an open marker, “data needs a look”, that gives "
    "the reason when you hover over it."
)


def page(results: pl.DataFrame, site: str, rules: tuple[Rule, ...]) -> str:
    """The data-quality page of ``site`` (``results`` from :func:`site_results`).

    Homes are named by their names in the settings (``home_name``), the site too
    (``site_name``); where the settings name none, by their ids. The page is
    ``templates/data_quality.html.j2`` rendered from plain values, which the template
    escapes (autoescape): a name or message cannot add markup to the page.

    Examples
    --------
    >>> frame = pl.DataFrame({"run_date": [None], "severity": [None], "status": ["pass"]})
    >>> "Every check passed" in page(frame, "site_a", load_rules())
    True
    >>> named = frame.with_columns(site_id=pl.lit("site_a"), site_name=pl.lit("<b>&</b>"))
    >>> "<h1>Data quality: &lt;b&gt;&amp;&lt;/b&gt;</h1>" in page(named, "site_a", load_rules())
    True
    """
    run_date = results.get_column("run_date").max() if results.height else None
    name = site_name(results, site)
    return render_text(
        "data_quality.html.j2",
        title=f"Data quality: {name}",
        heading=f"Data quality: {name}",
        crumbs=[("All sites", "../index.html")],
        plotly=None,
        summary=summary_line(results, site),
        checked=f"{run_date:%-d %B %Y}" if run_date else "no run yet",
        sections=page_sections(results, rules),
        months=month_table(results),
        rules=rule_rows(rules),
    )


def page_sections(results: pl.DataFrame, rules: tuple[Rule, ...]) -> list[dict]:
    """The page's sections of findings: what stops charts, then what needs a look.

    Each section is a ``heading``, a ``lead`` (what charts do with these months) and its
    ``checks``: per check, its ``look`` (the CSS class: ``stop``, ``warn``), ``title``,
    ``reason``, ``fix`` and ``findings`` (each finding's ``where`` and ``message``, the
    message without the fix the page gives once). A severity with no finding has no
    section; a check not in ``rules`` is titled by its name, with no reason nor fix.

    Examples
    --------
    >>> frame = pl.DataFrame({"status": ["fail"], "severity": ["WARN"], "check": ["odd"],
    ...                       "site_id": ["s"], "home_id": ["h"], "message": ["3 rows."]})
    >>> (section,) = page_sections(frame, ())
    >>> section["heading"], section["checks"][0]["findings"]
    ('What needs a look', [{'where': 'h, all months', 'message': '3 rows.'}])
    """
    by_check = {r.check: r for r in rules}
    found = findings(results)
    sections = []
    for severity, heading, lead in (
        ("ERROR", "What stops charts", ERROR_LEAD),
        ("WARN", "What needs a look", WARN_LEAD),
    ):
        rows = found.filter(pl.col("severity") == severity)
        if rows.is_empty():
            continue
        checks = []
        for (check,), group in rows.group_by("check", maintain_order=True):
            rule = by_check.get(check)
            fix = rule.fix if rule else ""
            items = group.select(
                "where", message=pl.col("message").str.strip_suffix(" " + fix)
            ).to_dicts()
            checks.append(
                {
                    "look": LOOK[severity][0],
                    "title": check_title(rule) if rule else check,
                    "reason": rule.reason if rule else "",
                    "fix": fix,
                    "findings": items,
                }
            )
        sections.append({"heading": heading, "lead": lead, "checks": checks})
    return sections


def results_by_site(
    con: duckdb.DuckDBPyConnection, only: list[str] | None = None
) -> dict[str, pl.DataFrame]:
    """Each site's results (:func:`site_results`), for every site or those in ``only``."""
    return {site: site_results(con, site) for site in (only if only is not None else sites(con))}


def write_pages(per_site: dict[str, pl.DataFrame], out: Path) -> list[Path]:
    """Write ``<site>.html`` for each site of ``per_site`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    rules = load_rules()
    paths = []
    for site, results in per_site.items():
        path = out / f"{site}.html"
        path.write_text(page(results, site, rules), encoding="utf-8")
        paths.append(path)
    return paths


def check_title(rule: Rule) -> str:
    """A check as a title: "Rows that have no event date"."""
    # a sql rule's problem names its unit ("homes had..."), unless it is said of rows
    # ("have an NHS number...", "were set aside...") as a row rule's always is
    of_rows = rule.kind != "sql" or rule.problem.split()[0] in IRREGULAR
    text = f"rows that {rule.problem}" if of_rows else rule.problem
    return text[0].upper() + text[1:]


def _named(results: pl.DataFrame) -> pl.DataFrame:
    """``results`` with the columns names are read from (null where a frame lacks them)."""
    wanted = {"check": pl.String, "table_name": pl.String, "site_id": pl.String,
              "home_id": pl.String, "home_name": pl.String, "site_name": pl.String,
              "period": pl.Date, "message": pl.String}  # fmt: skip
    absent = [pl.lit(None, kind).alias(c) for c, kind in wanted.items() if c not in results]
    return results.with_columns(*absent).with_columns(
        pl.col("period").cast(pl.Date), home_name=pl.coalesce("home_name", "home_id")
    )


def _months(periods: pl.Expr) -> pl.Expr:
    """A sorted list of months in words: one month, a run of months, or a count of them.

    Examples
    --------
    >>> import datetime as dt
    >>> runs = [[dt.date(2023, 11, 1), dt.date(2023, 12, 1), dt.date(2024, 1, 1)],
    ...         [dt.date(2024, 1, 1), dt.date(2024, 5, 1)]]
    >>> pl.select(_months(pl.lit(pl.Series(runs)))).to_series().to_list()
    ['November 2023 to January 2024', '2 months from January 2024 to May 2024']
    """
    first, last, n = periods.list.first(), periods.list.last(), periods.list.len()
    span = (last.dt.year() - first.dt.year()) * 12 + last.dt.month() - first.dt.month() + 1
    return (
        pl.when(n == 0)
        .then(pl.lit(None, pl.String))
        .when(n == 1)
        .then(first.dt.strftime("%B %Y"))
        .when((span == n) & (first.dt.year() == last.dt.year()))
        .then(pl.format("{} to {}", first.dt.strftime("%B"), last.dt.strftime("%B %Y")))
        .when(span == n)
        .then(pl.format("{} to {}", first.dt.strftime("%B %Y"), last.dt.strftime("%B %Y")))
        .otherwise(
            pl.format(
                "{} months from {} to {}", n, first.dt.strftime("%B %Y"), last.dt.strftime("%B %Y")
            )
        )
    )


def month_table(results: pl.DataFrame) -> dict | None:
    """Home by home, the worst result of each month, and the home's trend (or ``None``).

    The months are those residents lived in the homes (the census checks' months). The
    table has ``months`` (their headings: ``Mar 24``) and ``homes``: per home, its
    ``name``, its ``cells`` (per month, the ``look`` and ``mark`` of :data:`LOOK`, or
    ``none`` and ``·`` where the home has no result) and its ``trend``
    (:func:`sentence_of_trend`). ``None`` when there is no monthly result.

    Examples
    --------
    >>> import datetime as dt
    >>> frame = pl.DataFrame({"check": "home_month_observed", "site_id": "s",
    ...     "home_id": "h", "period": [dt.date(2024, 3, 1), dt.date(2024, 4, 1)],
    ...     "severity": [None, "ERROR"]})
    >>> table = month_table(frame)
    >>> table["months"], [c["mark"] for c in table["homes"][0]["cells"]]
    (['Mar 24', 'Apr 24'], ['✓', '✖'])
    """
    monthly = _named(results).filter(
        pl.col("period").is_not_null() & pl.col("site_id").is_not_null()
    )
    # the months residents lived in the homes (the months with bed days: the site's extract
    # period), not years of GP history nor a month a mistyped date points to
    for checks in (CENSUS[:2], CENSUS):
        census = monthly.filter(pl.col("check").is_in(checks)).get_column("period").unique()
        if census.len():
            monthly = monthly.filter(pl.col("period").is_in(census.implode()))
            break
    if monthly.is_empty():
        return None
    worst = (
        monthly.with_columns(
            home=pl.col("home_name").fill_null("whole site (GP and hospital records)"),
            rank=pl.col("severity").replace_strict({"ERROR": 2, "WARN": 1}, default=0),
        )
        .group_by("home_id", "home", "period")
        .agg(pl.col("rank").max())
    )
    months = sorted(worst.get_column("period").unique())
    homes = []
    for (_, home), group in worst.sort("home", "home_id", nulls_last=True).group_by(
        "home_id", "home", maintain_order=True
    ):
        rank = dict(zip(group.get_column("period"), group.get_column("rank"), strict=True))
        cells, complete = [], []
        for m in months:
            if m not in rank:
                cells.append({"look": "none", "mark": "·"})
                continue
            look, mark = LOOK[{2: "ERROR", 1: "WARN", 0: None}[rank[m]]]
            cells.append({"look": look, "mark": mark})
            complete.append(rank[m] < 2)
        homes.append({"name": home, "cells": cells, "trend": sentence_of_trend(complete)})
    return {"months": [m.strftime("%b %y") for m in months], "homes": homes}


def rule_rows(rules: tuple[Rule, ...]) -> list[dict[str, str]]:
    """What is checked: per rule, its ``title``, when it ``warns`` and ``stops``, and why.

    Examples
    --------
    >>> rows = rule_rows(load_rules())
    >>> weight = next(r for r in rows if r["title"].startswith("Rows that have a weight"))
    >>> weight["warns"], weight["stops"]
    ('any', 'over 25%')
    """

    def share(x: float | None) -> str:
        return "never" if x is None else "any" if x == 0 else f"over {x:.0%}"

    return [
        {
            "title": check_title(r),
            "warns": share(r.warn_above),
            "stops": share(r.error_above),
            "reason": r.reason,
        }
        for r in rules
    ]
