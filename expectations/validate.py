"""Running every rule on the warehouse and keeping the results in ``dq_results``.

``dq_results`` holds the latest run: one row per check, table, site, home and month
measured, with the rows tested, the rows failing, their share, the severity reached
(``ERROR``, ``WARN`` or null) and the status (``pass`` or ``fail``), and a message in
plain words saying what is wrong, in which file and lines, and how to fix it.
``dq_details`` keeps the same run file by file. A null site, home or month in a result
means every one: a refused file of unknown layout, a fault in the staged model.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import duckdb
import polars as pl

from expectations.measure import measure
from expectations.rules import SQL, Rule, load_rules
from expectations.suites import judge
from warehouse.connection import registered, transaction

SHOWN_FILES = 3  # files named in a result's message; the rest are counted
# verbs whose singular is not the plural + "s" (singular(); report.py titles rows by them)
IRREGULAR = {"have": "has", "are": "is", "were": "was", "do": "does", "go": "goes"}


@dataclass(frozen=True)
class Validation:
    """One data-quality run.

    Attributes
    ----------
    run_id : str
        Identifier of the run (also in every ``dq_results`` row).
    run_date : datetime.date
        The day the run judged freshness and future dates against.
    results : polars.DataFrame
        The rows written to ``dq_results``.
    details : polars.DataFrame
        The rows written to ``dq_details``: each failing file or unit.
    """

    run_id: str
    run_date: dt.date
    results: pl.DataFrame
    details: pl.DataFrame

    def count(self, severity: str) -> int:
        """Results (check, site, home, month) that reached ``severity``."""
        return self.results.filter(pl.col("severity") == severity).height


def validate(
    con: duckdb.DuckDBPyConnection,
    *,
    run_date: dt.date | None = None,
    rules: tuple[Rule, ...] | None = None,
    run_id: str | None = None,
) -> Validation:
    """Measure and judge every rule; replace ``dq_results`` and ``dq_details``.

    Examples
    --------
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE stg_incident AS SELECT 's' AS site_id, 'h' AS "
    ...                 "home_id, DATE '2030-01-05' AS incident_date")
    >>> rules = tuple(r for r in load_rules() if r.check == "incident_date_plausible")
    >>> v = validate(con, run_date=dt.date(2026, 1, 1), rules=rules, run_id="r1")
    >>> v.results.select("severity", "status", "failing").row(0)
    ('ERROR', 'fail', 1)
    >>> print(v.results["message"][0][:61])
    1 of 1 row has an incident date in the future or before 1900.
    """
    rules = load_rules() if rules is None else rules
    run_date = run_date or dt.date.today()
    run_id = run_id or uuid.uuid4().hex[:12]
    observed = measure(con, rules, run_date=run_date)
    about = pl.DataFrame(
        [(r.check, r.problem, singular(r.problem), r.fix) for r in rules],
        schema=["check", "problem", "problem_one", "fix"],
        orient="row",
    )
    details = _details(con, observed.join(about, on="check", how="left"))
    cell = ["check", "table_name", "site_id", "home_id", "period"]
    cells = (
        details.group_by(cell, maintain_order=True)
        .agg(
            pl.col("rows", "failing").sum(),
            # one cause said once: files or units that failed alike are one sentence
            pl.col("detail")
            .filter(pl.col("failing") > 0)
            .str.strip_chars_end(".")  # a reason given as a sentence ends once
            .unique(maintain_order=True),
            pl.col("fix").first(),
        )
        .with_columns(
            message=pl.when(pl.col("failing") > 0)
            .then(
                pl.format(
                    "{}{}. {}",
                    pl.col("detail").list.head(SHOWN_FILES).list.join("; "),
                    pl.when(pl.col("detail").list.len() > SHOWN_FILES)
                    .then(pl.format("; and {} more", pl.col("detail").list.len() - SHOWN_FILES))
                    .otherwise(pl.lit("")),
                    "fix",
                )
            )
            .otherwise(pl.lit("all pass"))
        )
    )
    judged = judge(cells.drop("detail", "fix"), rules)
    stamp = [
        pl.lit(run_id).alias("run_id"),
        pl.lit(dt.datetime.now(dt.UTC).replace(tzinfo=None)).alias("checked_at"),
        pl.lit(run_date).alias("run_date"),
    ]
    results = judged.select(
        *stamp,
        *cell,
        "severity",
        status=pl.when(pl.col("severity").is_null()).then(pl.lit("pass")).otherwise(pl.lit("fail")),
        rows="rows",
        failing="failing",
        observed=pl.col("failing_share"),
        message="message",
    )
    details = details.filter(pl.col("failing") > 0).select(
        *stamp, *cell, "path", "rows", "failing", "lines", "detail"
    )
    _store(con, results, details)
    return Validation(run_id=run_id, run_date=run_date, results=results, details=details)


def _details(con: duckdb.DuckDBPyConnection, observed: pl.DataFrame) -> pl.DataFrame:
    """Each observation with its file's path and what failed there, in words."""
    paths = _paths(con)
    shown = pl.col("lines").list.eval(pl.element().cast(pl.String)).list.join(", ")
    more = pl.col("failing") - pl.col("lines").list.len()
    lines = (
        pl.when(pl.col("lines").list.len() == 0)
        .then(pl.lit(""))
        .when(more > 0)
        .then(pl.format(" (lines {} and {} more)", shown, more))
        .when(pl.col("lines").list.len() == 1)
        .then(pl.format(" (line {})", shown))
        .otherwise(pl.format(" (lines {})", shown))
    )
    observed = observed.join(paths, on="file_id", how="left")
    # Rows of files the load log does not know (no path to name them by) are one unit of
    # their cell, not several identical sentences; their lines mean nothing without a file.
    pathless = pl.col("path").is_null() & pl.col("detail").is_null()
    merged = (
        observed.filter(pathless)
        .group_by(pl.exclude("file_id", "rows", "failing", "lines"), maintain_order=True)
        .agg(
            pl.col("file_id").first(),
            pl.col("rows", "failing").sum(),
            lines=pl.when(pl.len() == 1)
            .then(pl.col("lines").first())
            .otherwise(pl.lit([], dtype=pl.List(pl.Int64))),
        )
    )
    observed = pl.concat([observed.filter(~pathless), merged.select(observed.columns)])
    return observed.with_columns(
        detail=pl.coalesce(
            "detail",
            pl.format(
                "{} of {} {}{}{} {}",
                "failing",
                "rows",
                pl.when(pl.col("rows") == 1).then(pl.lit("row")).otherwise(pl.lit("rows")),
                pl.when(pl.col("path").is_not_null())
                .then(pl.format(" in {}", "path"))
                .otherwise(pl.lit("")),
                lines,
                pl.when(pl.col("failing") == 1).then("problem_one").otherwise("problem"),
            ),
        )
    )


def singular(problem: str) -> str:
    """A rule's ``problem`` said of one row: its first word, the verb, in the singular.

    Problems are written for many rows ("have a weight outside 25-250 kg"); "1 of 33 rows
    has a weight outside 25-250 kg" needs the verb to agree with the one.

    Examples
    --------
    >>> singular("have a weight outside 25-250 kg")
    'has a weight outside 25-250 kg'
    >>> [singular(p).split()[0] for p in ("are dated", "were set aside", "share a key")]
    ['is', 'was', 'shares']
    """
    verb, _, rest = problem.partition(" ")
    one = IRREGULAR.get(verb) or verb + ("es" if verb.endswith(("s", "sh", "ch", "x")) else "s")
    return f"{one} {rest}" if rest else one


def _paths(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Each loaded file's path in the inbox (none before anything was loaded)."""
    has_log = con.sql(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'load_log'"
    ).fetchall()[0][0]
    if not has_log:
        return pl.DataFrame(schema={"file_id": pl.Int64, "path": pl.String})
    return con.sql("SELECT file_id, path FROM load_log").pl().cast({"file_id": pl.Int64})


def _store(con: duckdb.DuckDBPyConnection, results: pl.DataFrame, details: pl.DataFrame) -> None:
    """Replace the latest run in one transaction."""
    con.execute(SQL.joinpath("dq_results.sql").read_text(encoding="utf-8"))
    with registered(con, results=results, details=details), transaction(con):
        con.execute("DELETE FROM dq_results")
        con.execute("INSERT INTO dq_results BY NAME SELECT * FROM results")
        con.execute("DELETE FROM dq_details")
        con.execute("INSERT INTO dq_details BY NAME SELECT * FROM details")
