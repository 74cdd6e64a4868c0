"""Quirks: format quirks on real rows, and junk rows whose fate is known.

Format quirks must still load: NHS numbers written ``999 123 4567``, ``999-123-4567``
or ``'9991234567``. Junk rows each meet one fate (``FATES``): exact duplicates,
deleted or test records (skipped), NHS numbers that fail modulus 11 or that Excel
damaged, and dates that do not exist or are Excel serial numbers (quarantined).
:func:`assemble` scatters them among the real rows and counts them. Records exported
again (:func:`revised`) load, and the staged model must count them once.

Examples
--------
>>> excel_nhs(np.array([9_991_234_567])).to_list()
['9.99E+09']
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import polars as pl

from synth.ids import id_text, invalid_nhs
from synth.world import Calendar

FATES = (  # what becomes of a junk row: the columns of expected_files.csv that count them
    "skipped_duplicate",
    "skipped_deleted",
    "skipped_test_patient",
    "skipped_preamble",
    "quarantined_nhs_number",
    "quarantined_date",
)


def styled_nhs(rng: np.random.Generator, nhs: np.ndarray, rate: float) -> pl.Series:
    """NHS numbers as text; a share ``rate`` written 999 123 4567, 999-123-4567 or '9991234567."""
    s = pl.Series(nhs.astype(np.int64)).cast(pl.String)
    style = np.where(rng.random(nhs.size) < rate, rng.integers(1, 4, nhs.size), 0)
    spaced = pl.concat_str(
        s.str.slice(0, 3), pl.lit(" "), s.str.slice(3, 3), pl.lit(" "), s.str.slice(6)
    )
    dashed = pl.concat_str(
        s.str.slice(0, 3), pl.lit("-"), s.str.slice(3, 3), pl.lit("-"), s.str.slice(6)
    )
    st = pl.Series(style)
    return pl.select(
        pl.when(st == 1)
        .then(spaced)
        .when(st == 2)
        .then(dashed)
        .when(st == 3)
        .then(pl.concat_str(pl.lit("'"), s))
        .otherwise(s)
    ).to_series()


def excel_nhs(nhs: np.ndarray) -> pl.Series:
    """NHS numbers as Excel shows a long number in a General cell: 9.99E+09 (or 1.00E+10)."""
    three = np.round(np.asarray(nhs, dtype=np.int64) / 10**7).astype(np.int64)  # 3 digits
    carry = three >= 1000
    three, power = np.where(carry, three // 10, three), np.where(carry, 10, 9)
    return (
        id_text("", three // 100) + "." + id_text("", three % 100, 2) + "E+" + id_text("", power, 2)
    )


def assemble(
    rng: np.random.Generator,
    real: pl.DataFrame,
    junk: Sequence[tuple[str, pl.DataFrame]],
    dup_rate: float,
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Real rows in order, junk rows scattered, exact duplicates after their original.

    A junk row equal to a real row or to another junk row is dropped: it would be
    skipped as a duplicate, not meet the fate it was made for.
    """
    if real.is_duplicated().any():
        raise RuntimeError("the simulation wrote two identical real rows; their fate is unclear")
    n = real.height
    n_dup = int(rng.binomial(n, dup_rate)) if n else 0
    src = np.sort(rng.choice(n, n_dup, replace=False)) if n_dup else np.zeros(0, dtype=np.int64)
    fates = dict.fromkeys(FATES, 0)
    fates["skipped_duplicate"] = n_dup
    extra = [f.select(real.columns).with_columns(__fate=pl.lit(k)) for k, f in junk if f.height]
    if extra:
        made = pl.concat(extra)
        first = pl.concat([real, made.drop("__fate")]).select(
            pl.struct(pl.all()).is_first_distinct()
        )
        made = made.filter(first.to_series()[n:])
        for fate, count in made.group_by("__fate").len().rows():
            fates[fate] += count
        extra = [made.drop("__fate")]
    parts = [real, real[src], *extra]
    keys = [np.arange(n, dtype=float), src + 0.01 + rng.random(n_dup) * (n - src - 0.02)]
    keys += [rng.random(f.height) * max(n, 1) for f in extra]
    order = np.argsort(np.concatenate(keys), kind="stable")
    return pl.concat(parts).select(pl.all().gather(order)), fates


def junk_count(rng: np.random.Generator, n: int, rate: float) -> int:
    """How many junk rows of a kind to add to ``n`` real rows, at ``rate`` (none at 0)."""
    return int(rng.binomial(n, rate)) if n and rate > 0 else 0


def pick(rng: np.random.Generator, frame: pl.DataFrame, k: int) -> pl.DataFrame:
    """``k`` rows of ``frame`` chosen at random (with replacement), to be altered into junk."""
    if k == 0 or frame.height == 0:
        return frame.clear()
    return frame[np.sort(rng.integers(0, frame.height, k))]


_MON = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def impossible_dates(rng: np.random.Generator, cal: Calendar, n: int, fmt: str) -> pl.Series:
    """Dates that do not exist (31/02, 31/04...), in the home's layout, with a time."""
    if n == 0:
        return pl.Series([], dtype=pl.String)
    bad = np.array([(31, 2), (30, 2), (31, 4), (31, 6), (31, 9), (31, 11)])
    day, month = bad[rng.integers(0, len(bad), n)].T
    year = cal.start.year + rng.integers(0, cal.months // 12 + 1, n)
    parts = {
        "%d": id_text("", day, 2),
        "%m": id_text("", month, 2),
        "%b": pl.Series(np.array(_MON)[month - 1]),
        "%Y": id_text("", year),
    }
    pieces = [p for p in re.split(r"(%[dmbY])", fmt) if p]  # e.g. %d, /, %m, /, %Y
    columns = [parts.get(p, pl.repeat(p, n, eager=True)) for p in pieces]
    return pl.select(pl.concat_str([*columns, pl.lit(" 10:15")])).to_series()


def bad_nhs_rows(
    rng: np.random.Generator,
    real: pl.DataFrame,
    id_column: str,
    nhs_column: str,
    nhs: np.ndarray,
    junk_ids: pl.Series,
    rate: float,
) -> list[tuple[str, pl.DataFrame]]:
    """Rows copied from ``real`` with new ids and NHS numbers that fail or were damaged."""
    n_bad = junk_count(rng, real.height, rate / 2)
    n_excel = junk_count(rng, real.height, rate / 2)
    n_bad, n_excel = min(n_bad, junk_ids.len() // 2), min(n_excel, junk_ids.len() // 2)
    source = np.resize(nhs, n_bad + n_excel) if nhs.size else np.zeros(0, dtype=np.int64)
    bad = pick(rng, real, n_bad).with_columns(
        pl.Series(id_column, junk_ids[:n_bad]),
        pl.Series(nhs_column, invalid_nhs(rng, source[:n_bad]).astype(str), dtype=pl.String),
    )
    excel = pick(rng, real, n_excel).with_columns(
        pl.Series(id_column, junk_ids[n_bad : n_bad + n_excel]),
        excel_nhs(source[n_bad:]).alias(nhs_column),
    )
    return [("quarantined_nhs_number", bad), ("quarantined_nhs_number", excel)]


# A harm level revised within its class: with harm (moderate or worse) or not, so that a
# revision never moves a fall in or out of S2 (docs/domain.md §2.7 S2).
HARM_REVISIONS = {"none": "low", "low": "none", "moderate": "severe", "severe": "moderate"}


def revised(
    rng: np.random.Generator,
    rows: pl.DataFrame,
    retimed: pl.Series,
    *,
    harm_rate: float,
    time_rate: float,
) -> pl.DataFrame:
    """Incidents exported again: some with another harm level, some with another time layout.

    A share ``harm_rate`` of ``rows`` (incidents.csv rows) gets its harm level revised
    within its class (``HARM_REVISIONS``); a share ``time_rate`` gets its time as
    ``retimed`` has it: the same minute written with seconds, or without them. Each is
    still one incident: the staged model counts it once, as the file loaded last has it
    (docs/extracts.md §8).

    Examples
    --------
    >>> rows = pl.DataFrame({"incident_datetime": ["01/03/2024 09:57"], "harm_level": ["low"]})
    >>> again = revised(np.random.default_rng(1), rows, pl.Series(["01/03/2024 09:57:41"]),
    ...                 harm_rate=1.0, time_rate=1.0)
    >>> again.row(0)
    ('01/03/2024 09:57:41', 'none')
    """
    n = rows.height
    harm = pl.Series(rng.random(n) < harm_rate)
    time = pl.Series(rng.random(n) < time_rate)
    level = rows.get_column("harm_level")
    return rows.with_columns(
        incident_datetime=pl.select(
            pl.when(time).then(retimed).otherwise(rows.get_column("incident_datetime"))
        ).to_series(),
        harm_level=pl.select(
            pl.when(harm).then(level.replace(HARM_REVISIONS)).otherwise(level)
        ).to_series(),
    )
