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

import html
from pathlib import Path

import duckdb
import polars as pl

from expectations.rules import Rule, load_rules
from expectations.validate import Validation

TREND_MONTHS = 6  # the last months compared with the months before them
CENSUS = ("home_month_observed", "home_month_weighed", "home_month_occupancy")
LOOK = {"ERROR": ("stop", "✖"), "WARN": ("warn", "!"), None: ("ok", "✓")}
STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 1.5rem;
       color: #1f2933; max-width: 1100px; line-height: 1.45; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1rem; }
.why { color: #52606d; } .summary { font-size: 1.05rem; }
ul.items > li { margin-bottom: .4rem; }
section.stop { border-left: 4px solid #c62828; padding-left: .8rem; }
section.warn { border-left: 4px solid #e69500; padding-left: .8rem; }
table { border-collapse: collapse; font-size: .85rem; }
th, td { border: 1px solid #d9dee3; padding: .2rem .4rem; text-align: center; }
th.home, td.home { text-align: left; white-space: nowrap; }
td.stop { background: #f8d7da; color: #8a1c1c; } td.warn { background: #fff1cc; color: #7a4d00; }
td.ok { background: #e3f4e6; color: #1e6b34; } td.none { color: #9aa5b1; }
td.trend { text-align: left; min-width: 16rem; }
.rules td, .rules th { text-align: left; vertical-align: top; }
"""


def site_results(con: duckdb.DuckDBPyConnection, site: str | None = None) -> pl.DataFrame:
    """The latest ``dq_results``, for one site (and faults that touch every site) or all."""
    return con.sql(
        """SELECT * FROM dq_results
           WHERE $site IS NULL OR site_id = $site OR site_id IS NULL
           ORDER BY severity NULLS LAST, "check", site_id, home_id, period""",
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

    Examples
    --------
    >>> frame = pl.DataFrame({"severity": ["ERROR", "WARN", "WARN", None]})
    >>> summary_line(frame, "site_a")
    'site_a: 1 problem stops charts (ERROR), 2 need a look (WARN), 1 passed.'
    """
    n = results.get_column("severity").value_counts()
    count = dict(zip(n.get_column("severity"), n.get_column("count"), strict=True))
    errors, warns, passed = count.get("ERROR", 0), count.get("WARN", 0), count.get(None, 0)
    return (
        f"{site}: {errors} problem{'s' if errors != 1 else ''} "
        f"{'stop' if errors != 1 else 'stops'} charts (ERROR), {warns} need a look (WARN), "
        f"{passed:,} passed."
    )


def problem_lines(results: pl.DataFrame, *, limit: int = 10) -> list[str]:
    """The failing results as lines, errors first, at most ``limit`` (then a count).

    Examples
    --------
    >>> frame = pl.DataFrame({"status": ["fail"], "severity": ["WARN"], "home_id": ["h"],
    ...                       "site_id": ["s"], "period": [None], "message": ["3 rows ..."]})
    >>> problem_lines(frame)
    ['WARN  h, all months: 3 rows ...']
    """
    failing = results.filter(pl.col("status") == "fail").sort(
        pl.col("severity") != "ERROR", maintain_order=True
    )
    lines = [
        f"{r['severity']:5} {_where(r)}: {r['message']}"
        for r in failing.head(limit).iter_rows(named=True)
    ]
    if failing.height > limit:
        lines.append(f"... and {failing.height - limit} more on the site's page")
    return lines


def as_json(run: Validation, per_site: dict[str, pl.DataFrame], pages: Path) -> dict:
    """What ``m4c validate --json`` prints: per site, the counts, page and failing results."""
    return {
        "run_id": run.run_id,
        "run_date": run.run_date.isoformat(),
        "sites": {
            site: {
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


def page(results: pl.DataFrame, site: str, rules: tuple[Rule, ...]) -> str:
    """The data-quality page of ``site`` (``results`` from :func:`site_results`)."""
    by_check = {r.check: r for r in rules}
    run_date = results.get_column("run_date").max() if results.height else None
    failing = results.filter(pl.col("status") == "fail")
    sections = []
    for severity, heading, lead in (
        ("ERROR", "What stops charts", "Charts leave these months out until this is fixed."),
        ("WARN", "What needs a look", "Charts still show these months, marked with a warning."),
    ):
        rows = failing.filter(pl.col("severity") == severity)
        if rows.is_empty():
            continue
        parts = [f"<h2>{heading}</h2><p class='why'>{lead}</p>"]
        for (check,), group in rows.group_by("check", maintain_order=True):
            rule = by_check.get(check)
            title = _title(rule) if rule else check
            fix = rule.fix if rule else ""
            items = "".join(
                f"<li><strong>{html.escape(_where(r))}</strong>: "
                f"{html.escape(r['message'].removesuffix(' ' + fix))}</li>"
                for r in group.iter_rows(named=True)
            )
            why = html.escape(rule.reason) if rule else ""
            parts.append(
                f"<section class='{LOOK[severity][0]}'><h3>{html.escape(title)} "
                f"({group.height})</h3><p class='why'>{why}</p><ul class='items'>{items}</ul>"
                f"<p><strong>How to fix it:</strong> {html.escape(fix)}</p></section>"
            )
        sections.append("".join(parts))
    if not sections:
        sections.append("<h2>Nothing to fix</h2><p>Every check passed.</p>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Data quality: {html.escape(site)}</title><style>{STYLE}</style></head><body>
<h1>Data quality: {html.escape(site)}</h1>
<p class="summary">{html.escape(summary_line(results, site))} Checked against
{html.escape(str(run_date))}. Months with a problem that stops charts are left out of
this site's charts (marked as incomplete, never shown as zero); other sites are not
affected.</p>
{"".join(sections)}
<h2>Month by month</h2>
<p class="why">Each home's months: ✓ complete, ! needs a look, ✖ left out of charts.
Problems that concern a whole file or source rather than a month are listed above.</p>
{_months_table(results)}
<h2>What is checked</h2>
{_rules_table(rules)}
</body></html>
"""


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


def _title(rule: Rule) -> str:
    text = rule.problem if rule.kind == "sql" else f"rows that {rule.problem}"
    return text[0].upper() + text[1:]


def _where(row: dict) -> str:
    home = row["home_id"] or ("every site" if row["site_id"] is None else "whole site")
    month = row["period"].strftime("%B %Y") if row["period"] else "all months"
    return f"{home}, {month}"


def _months_table(results: pl.DataFrame) -> str:
    monthly = results.filter(pl.col("period").is_not_null() & pl.col("site_id").is_not_null())
    census = monthly.filter(pl.col("check").is_in(CENSUS)).get_column("period").unique()
    if census.len():  # the months residents lived in the homes, not years of GP history
        monthly = monthly.filter(pl.col("period").is_in(census.implode()))
    if monthly.is_empty():
        return "<p>No monthly results yet.</p>"
    worst = (
        monthly.with_columns(
            home=pl.col("home_id").fill_null("whole site (GP and hospital records)"),
            rank=pl.col("severity").replace_strict({"ERROR": 2, "WARN": 1}, default=0),
        )
        .group_by("home", "period")
        .agg(pl.col("rank").max())
    )
    months = sorted(worst.get_column("period").unique())
    head = "".join(f"<th>{m.strftime('%b %y')}</th>" for m in months)
    body = []
    for (home,), cells in worst.sort("home").group_by("home", maintain_order=True):
        rank = dict(zip(cells.get_column("period"), cells.get_column("rank"), strict=True))
        tds, complete = [], []
        for m in months:
            if m not in rank:
                tds.append("<td class='none'>·</td>")
                continue
            severity = {2: "ERROR", 1: "WARN", 0: None}[rank[m]]
            cls, mark = LOOK[severity]
            tds.append(f"<td class='{cls}'>{mark}</td>")
            complete.append(rank[m] < 2)
        body.append(
            f"<tr><td class='home'>{html.escape(home)}</td>{''.join(tds)}"
            f"<td class='trend'>{html.escape(sentence_of_trend(complete))}</td></tr>"
        )
    return (
        f"<table><tr><th class='home'>home</th>{head}<th class='home'>trend</th></tr>"
        f"{''.join(body)}</table>"
    )


def _rules_table(rules: tuple[Rule, ...]) -> str:
    def share(x: float | None) -> str:
        return "never" if x is None else "any" if x == 0 else f"over {x:.0%}"

    rows = "".join(
        f"<tr><td>{html.escape(_title(r))}</td><td>{share(r.warn_above)}</td>"
        f"<td>{share(r.error_above)}</td><td>{html.escape(r.reason)}</td></tr>"
        for r in rules
    )
    return (
        "<table class='rules'><tr><th>check</th><th>needs a look</th><th>stops charts</th>"
        f"<th>why</th></tr>{rows}</table>"
    )
