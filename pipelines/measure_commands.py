"""``m4c measures``: every measure's latest value, verdict and signals, from the warehouse.

Without options it lists the collaborative's and each site's series; ``--site`` shows
one site (its series and its homes'), ``--home`` one home (by CQC id or name).
``--json`` prints the same as a list of objects.

The verdict is the Making Data Count icons of the chart the pages show
(``spc_results.variation`` and ``assurance``, from :mod:`charts.icons`), so it agrees
with the chart's limits, which the signal sentences printed under it read too. The
JSON also carries ``mdc_variation`` and ``mdc_assurance``, NHSRplotthedots' own XmR
reading (kept for parity, not the verdict; :mod:`warehouse.measures.spc_results`).

Examples
--------
::

    m4c measures --site site_a
    m4c measures --home "Elm House" --json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.errors import CliError
from warehouse.connection import connect
from warehouse.measures.document import CHART
from warehouse.settings import load_settings

VARIATION = {
    "common_cause": "common cause: no change beyond the usual ups and downs",
    "special_cause_improvement": "special cause: improving",
    "special_cause_concern": "special cause: a concern",
    "special_cause_neutral_high": "special cause: higher than usual",
    "special_cause_neutral_low": "special cause: lower than usual",
}
ASSURANCE = {
    "pass": "will meet the target",
    "fail": "will not meet the target without change",
    "inconsistent": "may or may not meet the target",
}
TOO_FEW = "too few points for a verdict"  # variation "none"; assurance "none" says nothing

_LATEST = """
WITH latest AS (
    SELECT * FROM spc_results
    WHERE value IS NOT NULL
    QUALIFY period = max(period) OVER (PARTITION BY series)
),
named AS (
    SELECT l.*, m.title, m.unit, m.position,
           coalesce(h.home_name, l.home_id) AS home_name,
           coalesce(s.site_name, l.site_id) AS site_name
    FROM latest AS l JOIN ref_measure AS m USING (measure_id)
    LEFT JOIN ref_home AS h ON h.site_id = l.site_id AND h.home_id = l.home_id
    LEFT JOIN (SELECT DISTINCT site_id, site_name FROM ref_home) AS s ON s.site_id = l.site_id
)
SELECT n.series, n.measure_id, n.title, n.level, n.site_id, n.site_name, n.home_id,
       n.home_name, n.period, n."value", n.unit, n.chart, n.variation, n.assurance,
       n.mdc_variation, n.mdc_assurance, n.phase, coalesce(g.sentences, []) AS signals, g.summary
FROM named AS n
LEFT JOIN (SELECT concat_ws('|', measure_id, level, coalesce(site_id, ''),
                            coalesce(home_id, '')) AS series,
                  list(sentence ORDER BY kind) AS sentences, any_value(summary) AS summary
           FROM signals GROUP BY ALL) AS g USING (series)
WHERE ($site IS NULL OR n.site_id = $site)
  AND ($home IS NULL OR n.home_id = $home)
  AND (CASE WHEN $home IS NOT NULL THEN n.level = 'home'
            WHEN $site IS NOT NULL THEN n.level IN ('site', 'home')
            ELSE n.level IN ('collaborative', 'site') END)
ORDER BY n.position, n.level = 'home', n.site_id NULLS FIRST, n.home_name
"""


def add_parser(sub: Any) -> None:
    """Add ``m4c measures`` to the command line's sub-commands."""
    m = sub.add_parser(
        "measures", help="every measure's latest value, verdict and signals (after m4c run)"
    )
    m.add_argument("--warehouse", help="DuckDB file (default: m4c.toml, data/warehouse.duckdb)")
    m.add_argument("--site", help="one site (its id, e.g. site_a, or its name)")
    m.add_argument("--home", help="one home (its CQC location id or its name)")
    m.add_argument("--json", action="store_true", help="print the measures as JSON")
    m.set_defaults(func=run)


def _resolve(con: Any, args: argparse.Namespace) -> tuple[str | None, str | None]:
    homes = con.sql("SELECT site_id, site_name, home_id, home_name FROM ref_home").pl()
    sites = {
        s for (s,) in con.sql("SELECT DISTINCT site_id FROM measure_values WHERE site_id "
                              "IS NOT NULL").fetchall()
    }  # fmt: skip
    site = args.site
    if site is not None and site not in sites:
        named = homes.filter(pl.col("site_name").str.to_lowercase() == site.lower())
        if named.is_empty():
            raise CliError(f"no site {site!r}; the sites are {', '.join(sorted(sites))}.")
        site = named.get_column("site_id").first()
    home = args.home
    if home is not None:
        rows = homes.filter(
            (pl.col("home_id") == home) | (pl.col("home_name").str.to_lowercase() == home.lower())
        )
        known = con.sql(
            "SELECT count(*) FROM measure_values WHERE home_id = $h", params={"h": home}
        ).fetchall()[0][0]
        if rows.is_empty() and not known:
            raise CliError(
                f"no home {home!r} (give its CQC location id, e.g. 1-123456789, or its name "
                "as m4c.toml names it)."
            )
        if not rows.is_empty():
            home = rows.get_column("home_id").first()
    return site, home


def latest(con: Any, site: str | None, home: str | None) -> pl.DataFrame:
    """The latest point of each series shown, with its verdict and signal sentences."""
    return con.sql(_LATEST, params={"site": site, "home": home}).pl()


def _place(row: dict[str, Any]) -> str:
    if row["level"] == "home":
        return row["home_name"]
    return row["site_name"] if row["level"] == "site" else "all sites"


def _value(row: dict[str, Any]) -> str:
    v, unit = row["value"], row["unit"]
    if unit.startswith("£"):
        return f"£{v:,.2f}{unit[1:]}"
    text = (
        f"{v:,.0f}" if abs(v) >= 1000 or (unit != "%" and float(v).is_integer()) else (f"{v:,.1f}")
    )
    return f"{text}%" if unit == "%" else f"{text} {unit}"


def _verdict(row: dict[str, Any]) -> str:
    """The chart's icons in words: its variation, and its assurance where it has one.

    >>> _verdict({"variation": "special_cause_improvement", "assurance": "fail"})
    'special cause: improving; will not meet the target without change'
    >>> _verdict({"variation": "none", "assurance": "none"})
    'too few points for a verdict'
    """
    verdict = VARIATION.get(row["variation"] or "", TOO_FEW)
    if row["assurance"] in ASSURANCE:
        verdict += f"; {ASSURANCE[row['assurance']]}"
    return verdict


def run(args: argparse.Namespace) -> int:
    """Print the measures (``m4c measures``)."""
    path = load_settings().warehouse if args.warehouse is None else Path(args.warehouse)
    if not path.is_file():
        raise CliError(f"there is no warehouse at {str(path)!r}; run `m4c demo` or `m4c run`.")
    with connect(path, read_only=True) as con:
        tables = {t for (t,) in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}
        if not {"spc_results", "signals"} <= tables:
            raise CliError(
                f"the warehouse {str(path)!r} has no measures yet: run `m4c run` (or "
                "`m4c demo`) first."
            )
        columns = {
            c for (c,) in con.sql(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'spc_results'"
            ).fetchall()
        }  # fmt: skip
        if not {"variation", "assurance"} <= columns:
            raise CliError(
                f"the warehouse {str(path)!r} was charted by an older version (its "
                "spc_results has no variation icon): run `m4c run` again."
            )
        site, home = _resolve(con, args)
        rows = latest(con, site, home)
    if args.json:
        print(json.dumps(rows.drop("series").to_dicts(), indent=2, default=str))
        return 0
    if rows.is_empty():
        print("no measures to show for that choice.")
        return 0
    for row in rows.iter_rows(named=True):
        verdict = _verdict(row)
        print(
            f"{row['measure_id']:<6} {_place(row)}, {row['period']:%B %Y}: {row['title']}: "
            f"{_value(row)} ({CHART.get(row['chart'], row['chart'])}; {verdict})"
        )
        if row["summary"]:
            print(f"       signal: {row['summary']}")
    return 0
