"""Running every rule on the warehouse and keeping the results in ``dq_results``.

``dq_results`` holds the latest run: one row per check, site, home and month measured,
with the rows tested, the rows failing, their share, the severity reached (``ERROR``,
``WARN`` or null) and the status (``pass`` or ``fail``), and a message in plain words
saying what is wrong and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from expectations.measure import measure
from expectations.rules import Rule, load_rules
from expectations.suites import judge

DQ_RESULTS_SQL = Path(__file__).with_name("dq_results.sql")


@dataclass(frozen=True)
class Validation:
    """One data-quality run.

    Attributes
    ----------
    run_id : str
        Identifier of the run (also in every ``dq_results`` row).
    results : polars.DataFrame
        The rows written to ``dq_results``.
    """

    run_id: str
    results: pl.DataFrame

    def count(self, severity: str) -> int:
        """Site-home-months that reached ``severity`` (``ERROR`` or ``WARN``)."""
        return self.results.filter(pl.col("severity") == severity).height


def validate(
    con: duckdb.DuckDBPyConnection,
    *,
    run_date: dt.date | None = None,
    rules: tuple[Rule, ...] | None = None,
    run_id: str | None = None,
) -> Validation:
    """Measure and judge every rule; replace ``dq_results`` with this run's results.

    Examples
    --------
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE stg_incident AS SELECT 's' AS site_id, 'h' AS "
    ...                 "home_id, DATE '2030-01-05' AS incident_date")
    >>> rules = tuple(r for r in load_rules() if r.check == "incident_date_plausible")
    >>> v = validate(con, run_date=dt.date(2026, 1, 1), rules=rules, run_id="r1")
    >>> v.results.select("severity", "status", "failing").row(0)
    ('ERROR', 'fail', 1)
    """
    rules = load_rules() if rules is None else rules
    run_date = run_date or dt.date.today()
    run_id = run_id or uuid.uuid4().hex[:12]
    judged = judge(measure(con, rules, run_date=run_date), rules)
    about = pl.DataFrame(
        [(r.check, r.table, r.reason, r.fix) for r in rules],
        schema=["check", "table_name", "reason", "fix"],
        orient="row",
    )
    results = judged.join(about, on="check", how="left").select(
        run_id=pl.lit(run_id),
        checked_at=pl.lit(dt.datetime.now(dt.UTC).replace(tzinfo=None)),
        check="check",
        table_name="table_name",
        site_id="site_id",
        home_id="home_id",
        period="period",
        severity="severity",
        status=pl.when(pl.col("severity").is_null()).then(pl.lit("pass")).otherwise(pl.lit("fail")),
        rows="rows",
        failing="failing",
        observed=pl.col("failing_share"),
        message=pl.when(pl.col("failing") > 0)
        .then(
            pl.format(
                "{} of {} rows ({}%) fail {}. {} {}",
                "failing",
                "rows",
                (pl.col("failing_share") * 100).round(1),
                "check",
                "reason",
                "fix",
            )
        )
        .otherwise(pl.lit("all rows pass")),
    )
    con.execute(DQ_RESULTS_SQL.read_text())
    con.register("results", results)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM dq_results")
        con.execute("INSERT INTO dq_results BY NAME SELECT * FROM results")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("results")
    return Validation(run_id=run_id, results=results)
