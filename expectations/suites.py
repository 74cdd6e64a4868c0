"""Great Expectations suites: the thresholds of the rules, judged on the measured counts.

Each rule becomes up to two expectations on the share of failing rows of each site, home
and month (``failing_share``): at or below ``warn_above``, and at or below
``error_above``. Great Expectations runs offline, in memory, on a pandas frame of the
counts (:mod:`expectations.measure` computes them in DuckDB), with progress bars off.
Each expectation carries its check and severity in ``meta``, so the suite can be read,
exported and reported as any other Great Expectations suite.

Examples
--------
>>> from expectations.rules import load_rules
>>> suite = build_suite([r for r in load_rules() if r.check == "weight_kg_plausible"])
>>> [(e.meta["check"], e.meta["severity"], e.max_value) for e in suite.expectations]
[('weight_kg_plausible', 'WARN', 0.0), ('weight_kg_plausible', 'ERROR', 0.25)]
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import warnings
from collections.abc import Iterator, Sequence
from types import SimpleNamespace
from typing import Any

import polars as pl

from expectations.rules import Rule


def build_suite(rules: Sequence[Rule]) -> Any:
    """A Great Expectations suite with each rule's thresholds."""
    gx = _gx()
    expectations = []
    for rule in rules:
        for severity, limit in (("WARN", rule.warn_above), ("ERROR", rule.error_above)):
            if limit is None:
                continue
            expectations.append(
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column="failing_share",
                    max_value=limit,
                    row_condition=gx.row_conditions.Column("check") == rule.check,
                    meta={"check": rule.check, "severity": severity},
                )
            )
    return gx.core.ExpectationSuite(name="m4c_data_quality", expectations=expectations)


def judge(observations: pl.DataFrame, rules: Sequence[Rule]) -> pl.DataFrame:
    """The observations with the ``severity`` each cell reached (null when it passed).

    Great Expectations validates the counts against the suite; the cells it reports as
    unexpected for an expectation reach that expectation's severity.
    """
    cells = observations.with_columns(
        cell=pl.int_range(pl.len()),
        failing_share=pl.col("failing") / pl.col("rows"),
    )
    with _warnings_kept():
        context = _context()
        batch = context.data_sources.pandas_default.read_dataframe(
            cells.select("cell", "check", "failing_share").to_pandas()
        )
        result = batch.validate(
            build_suite(rules),
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["cell"]},
        )
    reached: dict[int, str] = {}
    for outcome in result.results:
        severity = outcome.expectation_config.meta["severity"]
        for hit in outcome.result.get("unexpected_index_list") or []:
            cell = int(hit["cell"])
            if severity == "ERROR" or cell not in reached:
                reached[cell] = severity
    severity = pl.DataFrame(
        {"cell": list(reached), "severity": list(reached.values())},
        schema={"cell": pl.Int64, "severity": pl.String},
    )
    return cells.join(severity, on="cell", how="left").drop("cell")


@contextlib.contextmanager
def _warnings_kept() -> Iterator[None]:
    """Undo what importing Great Expectations does to warnings.

    Several GX modules call ``logging.captureWarnings(True)`` when first imported, which
    sends every later warning (SPC trial limits, for one) to logging instead of to the
    caller's handler: ``m4c`` would print them as log lines, and pytest could not see them.
    """
    shown = warnings.showwarning
    try:
        yield
    finally:
        warnings.showwarning = shown


@functools.cache
def _gx() -> SimpleNamespace:
    """Great Expectations, imported on first use (it takes ~2.5 s), analytics off."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    with _warnings_kept():
        return SimpleNamespace(
            core=importlib.import_module("great_expectations"),
            expectations=importlib.import_module("great_expectations.expectations"),
            row_conditions=importlib.import_module(
                "great_expectations.expectations.row_conditions"
            ),
            config=importlib.import_module("great_expectations.data_context.types.base"),
        )


def _context() -> Any:
    """An ephemeral, file-less context with progress bars off (docs/stack.md §2)."""
    gx = _gx()
    context = gx.core.get_context(mode="ephemeral")
    context.variables.progress_bars = gx.config.ProgressBarsConfig(globally=False)
    return context
