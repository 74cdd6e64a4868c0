"""Disclosure control for every commissioner output: hide small counts, round the rest.

One function, :func:`disclose`, runs on every table that leaves the site team (tables,
JSON, pages, spreadsheets), as the domain spec (section 4, "Small-number suppression")
asks: counts of 1 to 7 are hidden, further cells are hidden wherever a hidden count
could be worked out from a total, every published count is rounded to the nearest 5,
and rates are recomputed from the rounded counts or hidden with them. :data:`NOTE` is
the sentence each output prints to say so.

Examples
--------
>>> import polars as pl
>>> sites = pl.DataFrame(
...     {"site": ["A", "B", "C", "All"], "falls": [3, 12, 30, 45], "all": [0, 0, 0, 1]}
... ).with_columns(pl.col("all").cast(pl.Boolean))
>>> disclose(sites, ["falls"], total_rows="all").text()
shape: (4, 3)
┌──────┬───────┬───────┐
│ site ┆ falls ┆ all   │
│ ---  ┆ ---   ┆ ---   │
│ str  ┆ str   ┆ bool  │
╞══════╪═══════╪═══════╡
│ A    ┆ *     ┆ false │
│ B    ┆ *     ┆ false │
│ C    ┆ 30    ┆ false │
│ All  ┆ 45    ┆ true  │
└──────┴───────┴───────┘

Site A's 3 falls are hidden; B is hidden too, or 45 - 30 - 12 would give A away.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

# NHS Digital HES/ECDS disclosure control since Sept 2018: counts 1-7 are suppressed
# ("*"), others rounded to the nearest 5 (domain spec 4); OpenSAFELY's threshold=7, base=5
# (opensafely/medication-reviews analysis/redaction_utils.py, drop_and_round).
THRESHOLD = 7
BASE = 5
HIDDEN = "*"

NOTE = (
    f"Counts of 1 to {THRESHOLD} are hidden ({HIDDEN}) and other counts rounded to the "
    f"nearest {BASE}, with further cells hidden where a hidden count could be worked out "
    "from a total, and rates are worked out from the rounded counts or hidden with them "
    "(NHS Digital's HES/ECDS rule)."
)

_SMALL, _SECONDARY, _RATE = "small", "secondary", "rate"
_TOL = 1e-8  # singular values and null-space entries of small 0/+-1 matrices


@dataclass(frozen=True)
class Disclosed:
    """A table after disclosure control.

    Attributes
    ----------
    frame : polars.DataFrame
        The input, same rows, columns and order. Each count column is Int64, rounded to
        the nearest ``base`` (0 stays 0), or null where hidden; each rate column is null
        where its numerator or denominator is hidden, otherwise recomputed from the
        rounded counts.
    hidden : polars.DataFrame
        One row per hidden cell: ``row`` (Int64, 0-based position in ``frame``),
        ``column`` (str) and ``reason``: ``"small"`` (a count of 1 to ``threshold``),
        ``"secondary"`` (hidden so that another hidden cell cannot be worked out from a
        total) or ``"rate"`` (a rate whose numerator or denominator is hidden).
    counts : tuple of str
        The count columns, in frame order.
    rates : tuple of str
        The rate columns, in frame order.

    Examples
    --------
    >>> out = disclose(pl.DataFrame({"n": [3, 1234]}), ["n"])
    >>> out.frame["n"].to_list(), out.hidden.rows(), out.text()["n"].to_list()
    ([None, 1235], [(0, 'n', 'small')], ['*', '1,235'])
    """

    frame: pl.DataFrame
    hidden: pl.DataFrame
    counts: tuple[str, ...] = ()
    rates: tuple[str, ...] = ()

    def text(self) -> pl.DataFrame:
        """The frame with every count and rate column as text, ``HIDDEN`` where hidden.

        Counts carry thousands separators (``"1,235"``) and rates one decimal place
        (``"12.3"``); a null that was not hidden stays null, and other columns are as
        they were.

        Returns
        -------
        polars.DataFrame

        Examples
        --------
        >>> table = pl.DataFrame({"n": [9, 12, 4], "d": [200, 4001, 50], "r": [0.0, 0, 0]})
        >>> disclose(table, ["n", "d"], rates={"r": ("n", "d", 1000)}).text().rows()
        [('10', '200', '50.0'), ('10', '4,000', '2.5'), ('*', '50', '*')]
        """

        def shown(column: str, text: pl.Expr) -> pl.Expr:
            rows = self.hidden.filter(pl.col("column") == column)["row"]
            return (
                pl.when(pl.int_range(pl.len()).is_in(rows.implode()))
                .then(pl.lit(HIDDEN))
                .otherwise(text)
                .alias(column)
            )

        def one_place(rate: str) -> pl.Expr:
            tenths = (pl.col(rate) * 10 + 0.5).floor().cast(pl.Int64)  # half up
            return pl.concat_str(_thousands(tenths // 10), pl.lit("."), tenths % 10)

        return self.frame.with_columns(
            *(shown(c, _thousands(pl.col(c))) for c in self.counts),
            *(shown(r, one_place(r)) for r in self.rates),
        )


def _thousands(expr: pl.Expr) -> pl.Expr:
    """Non-negative integers as text with a comma every three digits."""
    return (
        expr.cast(pl.String)
        .str.reverse()
        .str.replace_all(r"(\d{3})", "${1},")
        .str.strip_suffix(",")
        .str.reverse()
    )


def disclose(
    frame: pl.DataFrame,
    counts: Sequence[str],
    *,
    totals: Mapping[str, Sequence[str]] = {},
    total_rows: str | None = None,
    groups: Sequence[str] = (),
    rates: Mapping[str, tuple[str, str, float]] = {},
    threshold: int = THRESHOLD,
    base: int = BASE,
) -> Disclosed:
    """Hide small counts, hide what would give them away, round the rest.

    Parameters
    ----------
    frame : polars.DataFrame
        The output table, one row per site, home or period.
    counts : sequence of str
        Columns holding counts (integers, or floats such as expected events).
    totals : mapping of str to sequence of str, optional
        Within a row, total column = sum of its part columns, e.g.
        ``{"total": ["before", "after"]}``. Totals and parts must be counts.
    total_rows : str, optional
        Boolean column marking the row that is the sum of the other rows of its group,
        for every count column (e.g. the collaborative row beneath its sites).
    groups : sequence of str, optional
        Columns that split the frame into independent tables (e.g. ``"resource"``);
        each has at most one total row.
    rates : mapping of str to (str, str, float), optional
        Rate column -> (numerator count, denominator count, multiplier).
    threshold : int
        Counts above 0 and below ``threshold + 0.5`` are hidden (7.4 is, 7.6 is not).
    base : int
        Published counts are rounded to the nearest multiple of this.

    Returns
    -------
    Disclosed

    Raises
    ------
    ValueError
        For a column not in the frame, a total, part or rate count that is not among
        ``counts``, a non-numeric count, a negative count, or a group with two total rows.

    Notes
    -----
    Secondary suppression first repeats the classic rule to a fixed point: a relation
    (a row's total and its parts; a group's total row and its other rows, per column)
    with exactly one hidden cell gets one more, its smallest published non-zero part,
    else a zero part, else its total; ties go to the first row, then the first column.
    That rule alone misses two blocks of hidden cells joined by a single hidden cell,
    which the sums of the relations around one block give away; so, once it is quiet,
    any hidden cell whose value the relations fix (its unit vector lies in their row
    space, read off the null space) gets one more hidden cell from a relation through
    it, and the rule runs again. Nulls count as known and are never hidden.

    Examples
    --------
    >>> table = pl.DataFrame({"before": [3, 40], "after": [20, 50], "total": [23, 90]})
    >>> out = disclose(table, ["before", "after", "total"], totals={"total": ["before", "after"]})
    >>> out.frame.rows(), out.hidden.rows()
    ([(None, None, 25), (40, 50, 90)], [(0, 'before', 'small'), (0, 'after', 'secondary')])

    The total, 23, would give away the 3 if the 20 were shown; 23 itself is published,
    rounded to 25.
    """
    if not counts:
        raise ValueError("disclose: no count columns given.")
    cols, rate_cols = _validate(frame, counts, totals, total_rows, groups, rates)
    values = frame.select(pl.col(cols).cast(pl.Float64)).to_numpy().reshape(frame.height, -1)
    negative = np.argwhere(values < 0)
    if negative.size:
        i, j = negative[0]
        raise ValueError(
            f"disclose: count column {cols[j]!r} has a negative value ({values[i, j]:g}) at "
            f"row {i}; counts are never negative."
        )
    small = (values > 0) & (values < threshold + 0.5)  # HES: 1 to 7 suppressed; NaN is False
    signs = _relations(frame, cols, totals, total_rows, groups)
    signs[:, np.isnan(values).ravel()] = 0  # a null is known to the reader, never hidden
    hidden = _suppress(signs, values.ravel(), small.ravel()).reshape(values.shape)
    reason = np.where(small, _SMALL, np.where(hidden, _SECONDARY, ""))

    mask = pl.DataFrame(hidden, schema=cols, orient="row")
    published = frame.with_columns(
        pl.when(mask[c])
        .then(None)
        .otherwise((pl.col(c) / base + 0.5).floor() * base)  # HES: each cell to nearest 5
        .cast(pl.Int64)
        .alias(c)
        for c in cols
    )
    published = published.with_columns(
        pl.when(pl.col(den) == 0)
        .then(None)
        .otherwise(pl.col(num) / pl.col(den) * multiplier)  # HES: rates from rounded counts
        .cast(pl.Float64)
        .alias(rate)
        for rate, (num, den, multiplier) in rates.items()
    )
    return Disclosed(
        frame=published,
        hidden=_hidden_cells(frame, cols, reason, mask, rates),
        counts=tuple(cols),
        rates=rate_cols,
    )


def _validate(frame, counts, totals, total_rows, groups, rates) -> tuple[list[str], tuple]:
    """The count and rate columns in frame order, once every argument has been checked."""
    named = [
        *((c, "count") for c in counts),
        *((c, "total") for t, parts in totals.items() for c in (t, *parts)),
        *(((total_rows, "total_rows"),) if total_rows is not None else ()),
        *((c, "group") for c in groups),
        *((c, "rate") for r, (num, den, _) in rates.items() for c in (r, num, den)),
    ]
    for column, role in named:
        if column not in frame.columns:
            raise ValueError(
                f"disclose: {role} column {column!r} is not in the frame; its columns are "
                f"{frame.columns}."
            )
    for t, parts in totals.items():
        for column in (t, *parts):
            if column not in counts:
                raise ValueError(f"disclose: total {t!r} uses {column!r}, which is not a count.")
    for r, (num, den, _) in rates.items():
        for column in (num, den):
            if column not in counts:
                raise ValueError(f"disclose: rate {r!r} uses {column!r}, which is not a count.")
    for column in counts:
        if not frame.schema[column].is_numeric():
            raise ValueError(
                f"disclose: count column {column!r} is {frame.schema[column]}, not a number."
            )
    if total_rows is not None and frame.schema[total_rows] != pl.Boolean:
        raise ValueError(f"disclose: total_rows column {total_rows!r} is not Boolean.")
    return (
        [c for c in frame.columns if c in set(counts)],
        tuple(c for c in frame.columns if c in rates),
    )


def _relations(frame, cols, totals, total_rows, groups) -> np.ndarray:
    """Every linear relation as a row of signs over the cells (row-major): +1 total, -1 part.

    Row relations come first (by row, then by total), then total-row relations (by group,
    then by column); a relation's cells sum to zero once signed.
    """
    n, k = frame.height, len(cols)
    at = {c: j for j, c in enumerate(cols)}
    rows = np.arange(n)
    within = np.zeros((n, len(totals), n * k), dtype=np.int8)
    for e, (total, parts) in enumerate(totals.items()):
        within[rows, e, rows * k + at[total]] = 1
        for part in parts:
            within[rows, e, rows * k + at[part]] = -1
    blocks = [within.reshape(n * len(totals), n * k)]
    if total_rows is not None:
        keys = frame.select(
            group=(pl.struct(groups).rank("dense") - 1) if groups else pl.lit(0, pl.UInt32),
            total=pl.col(total_rows).fill_null(value=False),
        )
        group, total = keys["group"].to_numpy(), keys["total"].to_numpy()
        per_group = np.bincount(group, weights=total)
        if (per_group > 1).any():
            first = frame.row(int(np.flatnonzero(group == np.argmax(per_group > 1))[0]), named=True)
            raise ValueError(
                f"disclose: the group { ({g: first[g] for g in groups}) } has "
                f"{int(per_group.max())} total rows ({total_rows!r}); it may have one."
            )
        across = np.zeros((len(per_group) * k, n * k), dtype=np.int8)
        across[group[:, None] * k + np.arange(k), rows[:, None] * k + np.arange(k)] = np.where(
            total, 1, -1
        )[:, None]
        blocks.append(across[np.repeat(per_group == 1, k)])
    return np.vstack(blocks)


def _suppress(signs: np.ndarray, values: np.ndarray, small: np.ndarray) -> np.ndarray:
    """All hidden cells: the small ones and those hidden to keep them from view."""
    hidden = small.copy()
    while True:
        cell = _one_hidden(signs, values, hidden)  # the classic rule, to a fixed point
        if cell is None:
            cell = _worked_out(signs, values, hidden)  # then the net under it
        if cell is None:
            return hidden
        hidden[cell] = True


def _complement(signs: np.ndarray, values: np.ndarray, hidden: np.ndarray):
    """The published cell a relation would hide next, with its sort key, or None.

    The smallest non-zero part, then a zero part, then the total; ties to the first cell.
    """
    cells = np.flatnonzero((signs != 0) & ~hidden)
    if not cells.size:
        return None
    kind = np.where(signs[cells] > 0, 2, np.where(values[cells] == 0, 1, 0))
    best = np.lexsort((cells, values[cells], kind))[0]
    return (kind[best], values[cells[best]], cells[best]), cells[best]


def _one_hidden(signs, values, hidden) -> int | None:
    """A cell to hide for the first relation with exactly one hidden cell, if any."""
    exposed = np.flatnonzero(((signs != 0) & hidden).sum(axis=1) == 1)
    for relation in exposed:
        if (found := _complement(signs[relation], values, hidden)) is not None:
            return int(found[1])
    return None


def _derivable(signs: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Hidden cells whose value the relations fix, given every published cell.

    A hidden cell is fixed iff its unit vector lies in the row space of the relations
    restricted to the hidden cells, i.e. iff every null-space vector is zero there.
    """
    unknown = np.flatnonzero(hidden)
    restricted = signs[:, unknown].astype(float)
    if not restricted.size:
        return unknown[:0]
    _, singular, vt = np.linalg.svd(restricted)
    null = vt[int((singular > _TOL).sum()) :]
    return unknown[np.all(np.abs(null) < _TOL, axis=0)]


def _worked_out(signs, values, hidden) -> int | None:
    """A cell to hide for the first hidden cell the relations give away, if any."""
    for cell in _derivable(signs, hidden):
        found = [
            f
            for relation in np.flatnonzero(signs[:, cell])
            if (f := _complement(signs[relation], values, hidden)) is not None
        ]
        if found:
            return int(min(found, key=lambda f: f[0])[1])
    return None


def _hidden_cells(frame, cols, reason, mask, rates) -> pl.DataFrame:
    """The hidden cells, one row each, by row and then by column order in the frame."""
    rows, at = np.nonzero(reason != "")
    cells = pl.DataFrame(
        {
            "row": rows.astype(np.int64),
            "column": [cols[j] for j in at],
            "reason": reason[rows, at].astype(str),
        },
        schema={"row": pl.Int64, "column": pl.String, "reason": pl.String},
    )
    rated = [
        mask.select(row=pl.int_range(pl.len(), dtype=pl.Int64), column=pl.lit(rate))
        .filter(mask[num] | mask[den])
        .with_columns(reason=pl.lit(_RATE))
        for rate, (num, den, _) in rates.items()
    ]
    order = {c: i for i, c in enumerate(frame.columns)}
    return (
        pl.concat([cells, *rated])
        .sort(pl.col("row"), pl.col("column").replace_strict(order, return_dtype=pl.Int64))
        .select("row", "column", "reason")
    )
