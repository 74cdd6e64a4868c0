"""Data-quality rules as data: ``expectations/rules.csv``, one row per check.

Each rule says what to measure on a staged table, the shares of failing rows above which
a site-home-month earns a warning and an error, why, and how a site fixes it. Changing a
threshold is an edit to the CSV, reviewed like code.

Examples
--------
>>> rules = load_rules()
>>> weight = next(r for r in rules if r.check == "weight_kg_plausible")
>>> (weight.table, weight.kind, weight.minimum, weight.maximum, weight.error_above)
('stg_event', 'between', '25', '250', 0.25)
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

import polars as pl

RULES = resources.files("expectations").joinpath("rules.csv")
SQL = resources.files("expectations").joinpath("sql")
KINDS = ("not_null", "between", "unique", "in_person", "not_before", "sql")


class RuleError(Exception):
    """``rules.csv`` is malformed; the message names the row and how to fix it."""


@dataclass(frozen=True)
class Rule:
    """One data-quality check.

    Attributes
    ----------
    check : str
        Name of the check (unique).
    table : str
        Staged table it reads.
    kind : str
        ``not_null``, ``between`` (``minimum`` to ``maximum``; ``today`` is the run
        date), ``unique`` (space-separated key columns, within a site), ``in_person``
        (the person is in ``stg_person`` for the site), ``not_before`` (``column`` is
        not before the column named in ``minimum``) or ``sql`` (the query in
        ``expectations/sql/<check>.sql`` measures it: completeness, freshness, files).
    column : str or None
        Column tested (for ``unique``, the key columns; none for ``sql``).
    where_column, where_value : str or None
        Only rows where ``where_column = where_value`` (e.g. weights by SNOMED code).
    minimum, maximum : str or None
        Bounds of ``between``; the other column of ``not_before``.
    warn_above, error_above : float or None
        Share of a site-home-month's rows failing above which it is a warning or an
        error (0 means any failing row; empty means never).
    problem : str
        What the failing rows have, in plain words ("have a weight outside 25-250 kg").
    reason, fix : str
        Why it matters and what a site does about it, in plain words.
    """

    check: str
    table: str
    kind: str
    column: str | None
    where_column: str | None
    where_value: str | None
    minimum: str | None
    maximum: str | None
    warn_above: float | None
    error_above: float | None
    problem: str
    reason: str
    fix: str

    @property
    def sql(self) -> Traversable:
        """The query of a ``sql`` rule."""
        return SQL.joinpath(f"{self.check}.sql")

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the rule reads (none for a ``sql`` rule)."""
        out = (self.column or "").split()
        if self.where_column:
            out.append(self.where_column)
        if self.kind == "not_before" and self.minimum:
            out.append(self.minimum)
        return tuple(out)


def load_rules(path: Traversable = RULES) -> tuple[Rule, ...]:
    """Read and check the rules file."""
    frame = pl.read_csv(path.read_bytes(), infer_schema=False)
    rules = []
    for line, row in enumerate(frame.iter_rows(named=True), start=2):
        where = f"{path.name} line {line} ({row.get('check')})"
        if row["kind"] not in KINDS:
            raise RuleError(f"{where}: kind {row['kind']!r} is not one of {', '.join(KINDS)}.")
        if row["warn_above"] is None and row["error_above"] is None:
            raise RuleError(f"{where}: give warn_above, error_above or both.")
        if not (row["problem"] and row["reason"] and row["fix"]):
            raise RuleError(
                f"{where}: every rule needs a problem, a reason and a fix, in plain words."
            )
        if row["kind"] == "sql" and not SQL.joinpath(f"{row['check']}.sql").is_file():
            raise RuleError(f"{where}: a sql rule needs its query in sql/{row['check']}.sql.")
        if row["kind"] != "sql" and not row["column"]:
            raise RuleError(f"{where}: give the column the rule tests.")
        rules.append(
            Rule(
                **{
                    k: row[k]
                    for k in ("check", "table", "kind", "column", "problem", "reason", "fix")
                },
                where_column=row["where_column"],
                where_value=row["where_value"],
                minimum=row["min"],
                maximum=row["max"],
                warn_above=_share(row["warn_above"], where),
                error_above=_share(row["error_above"], where),
            )
        )
    checks = [r.check for r in rules]
    if len(set(checks)) != len(checks):
        raise RuleError(f"{path.name}: check names must be unique.")
    return tuple(rules)


def _share(text: str | None, where: str) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RuleError(f"{where}: {text!r} is not a share between 0 and 1.") from None
    if not 0 <= value <= 1:
        raise RuleError(f"{where}: {text!r} is not a share between 0 and 1.")
    return value
