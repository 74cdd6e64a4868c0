"""Reading the generated files back with plain polars (not the connectors)."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import polars as pl

from synth.plan import make_plan
from synth.simulate import World, simulate
from synth.world import (
    DEFAULT_MONTHS,
    DEFAULT_START,
    draw_homes,
    draw_site_effects,
    make_calendar,
    streams,
)

DATES = ("%d/%m/%Y", "%d-%b-%Y", "%d %b %Y", "%d/%b/%Y", "%Y-%m-%d")  # docs/extracts.md
TIMES = ("", " %H:%M", " %H:%M:%S")


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def read(path: Path) -> pl.DataFrame:
    """A generated extract as text columns (report preamble and total line dropped)."""
    lines = decode(path.read_bytes()).splitlines()
    if path.name == "weights_report.csv":
        start = next(i for i, line in enumerate(lines) if line.startswith("NHS Number,"))
        lines = [line for line in lines[start:] if not line.startswith("Total")]
    return pl.read_csv(io.StringIO("\n".join(lines) + "\n"), infer_schema=False)


def expected_files(summary) -> pl.DataFrame:
    return pl.read_csv(summary.truth / "expected_files.csv")


def expected_counts(summary) -> pl.DataFrame:
    return pl.read_csv(summary.truth / "expected_counts.csv")


def nhs_ok(value: str) -> bool:
    digits = value.lstrip("'").replace(" ", "").replace("-", "")
    if not re.fullmatch(r"\d{10}", digits) or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return check != 10 and (0 if check == 11 else check) == int(digits[9])


def parse_day(column: str) -> pl.Expr:
    return pl.coalesce(
        pl.col(column).str.strptime(pl.Datetime, d + t, strict=False) for d in DATES for t in TIMES
    ).dt.date()


def world_of(
    *,
    sites: int = 4,
    homes: int = 29,
    months: int = DEFAULT_MONTHS,
    seed: int = 7,
    intervention_month: int = 7,
    quirk_rate: float = 0.02,
    comparison_sites: int = 1,
    replaced: Mapping[str, np.random.Generator] | None = None,
) -> World:
    """The simulated world behind ``write_extracts`` with these arguments (its defaults).

    ``replaced`` gives some random streams (:func:`synth.world.streams`) other generators.
    """
    rngs = {**streams(seed), **(replaced or {})}
    cal = make_calendar(DEFAULT_START, months, intervention_month)
    table = draw_homes(rngs["homes"], sites, homes, quirk_rate)
    base = draw_site_effects(rngs["homes"], sites)
    plan = make_plan(cal, base, min(comparison_sites, sites - 1), table.site)
    return simulate(rngs, cal, table, plan)
