"""Reading the values of extract columns: NHS numbers, day-first dates, numbers as text.

Each parser is a polars expression over a text column, so a whole file is parsed in
one pass. Parsers return the value and, beside it, the rule a bad value breaks (null
when the value is fine or merely missing): the loader quarantines rows with a rule.

Examples
--------
>>> import polars as pl
>>> d = pl.DataFrame({"nhs": ["943 476 5919", "987 654 4321", "9.99E+09", ""]})
>>> d.select(nhs_number("nhs")).unnest("nhs")["value"].to_list()
['9434765919', None, None, None]
"""

from __future__ import annotations

import polars as pl

MISSING = ("", "n/a", "na", "null", "none", "-", "--", "not recorded", "unknown")
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)  # NHS number modulus 11 (tech_nn_check_digit)
_NUMBER = (
    # thousands separators only in groups of three: "72,5" (a decimal comma) is no number
    r"^\s*(?P<comparator><=|>=|<|>|=)?\s*£?\s*"
    r"(?P<number>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|[-+]?\.\d+)"
    r"\s*(?P<unit>[^\d\s,.].*?)?\s*$"
)
_TIME_SUFFIXES = ("", " %H:%M", " %H:%M:%S", "T%H:%M:%S", " %H:%M:%S%.f")


def text(column: str, *, keep: tuple[str, ...] = ()) -> pl.Expr:
    """The column stripped of surrounding space, with the usual "missing" words as null.

    ``keep`` lists the words of ``MISSING`` that are values in this column: ``none`` is
    a harm level (docs/extracts.md §4), not a missing one.

    Examples
    --------
    >>> d = pl.DataFrame({"harm_level": [" none ", "n/a", "low"]})
    >>> d.select(text("harm_level")).to_series().to_list()
    [None, None, 'low']
    >>> d.select(text("harm_level", keep=("none",))).to_series().to_list()
    ['none', None, 'low']
    """
    c = pl.col(column).str.strip_chars()
    missing = tuple(m for m in MISSING if m not in keep)
    return pl.when(c.str.to_lowercase().is_in(missing)).then(None).otherwise(c)


def _struct(value: pl.Expr, problem: pl.Expr, name: str) -> pl.Expr:
    return pl.struct(value.alias("value"), problem.alias("problem")).alias(name)


def nhs_number(column: str) -> pl.Expr:
    """An NHS number, normalised to 10 digits and checked (modulus 11).

    Spaces, hyphens and a leading apostrophe are removed. The problem says why a
    present value is refused: scientific notation, not 10 digits, all one digit, or a
    failed check digit. The result is a struct of ``value`` and ``problem``.
    """
    raw = text(column)
    s = raw.str.strip_chars_start("'").str.replace_all(r"[\s\-]", "")
    digits = [s.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(10)]
    total = pl.sum_horizontal(d * w for d, w in zip(digits, _WEIGHTS, strict=False))
    check = 11 - total % 11
    check = pl.when(check == 11).then(0).otherwise(check)  # 11 -> 0; 10 has no check digit
    ten = s.str.contains(r"^\d{10}$")
    same = pl.any_horizontal(s == str(d) * 10 for d in range(10))  # 1111111111 passes mod 11
    problem = (
        pl.when(raw.is_null())
        .then(None)
        .when(s.str.contains(r"(?i)^[\d.]+e\+?\d+$"))
        .then(pl.lit("is in scientific notation (Excel): the digits are lost"))
        .when(~ten)
        .then(pl.lit("is not 10 digits"))
        .when(same)
        .then(pl.lit("has all ten digits the same"))
        .when((check == 10) | (check != digits[9]))
        .then(pl.lit("fails the NHS number check digit (modulus 11)"))
    )
    value = pl.when(raw.is_not_null() & problem.is_null()).then(s)
    return _struct(value, problem, column)


def _layouts(formats: tuple[str, ...]) -> list[str]:
    return [f + t for f in formats for t in _TIME_SUFFIXES]


def dates(column: str, formats: tuple[str, ...], present: pl.Series | None = None) -> pl.Expr:
    """A date or date-time read with explicit day-first ``formats`` (each optionally timed).

    Returns a struct of ``value`` (Datetime) and ``problem``: impossible dates
    (31/02/2024), years of fewer than four digits (30/09/23, which ``%Y`` would read as
    the year 23), Excel serial numbers and any other layout are refused. Given the
    column's values (``present``), only the layouts that read at least one of them are
    tried: a file keeps to one or two layouts, and trying thirty on every row is slow.
    """
    layouts = _layouts(formats)
    if present is not None:
        layouts = used_layouts(present, layouts)
    raw = text(column)
    parsed = pl.coalesce(
        [raw.str.strptime(pl.Datetime("us"), f, strict=False, exact=True) for f in layouts]
        or [pl.lit(None, pl.Datetime("us"))]
    )
    short = parsed.dt.year() < 1000  # %Y reads "30/09/23" as the year 23
    problem = (
        pl.when(raw.is_null() | (parsed.is_not_null() & ~short))
        .then(None)
        .when(short)
        .then(pl.lit("has a year of fewer than four digits: write the year in full (2024)"))
        .when(raw.str.contains(r"^\d{5}(\.\d+)?$"))
        .then(pl.lit("looks like an Excel serial number, not a date"))
        .otherwise(pl.lit("is not a date in a known day-first layout"))
    )
    return _struct(pl.when(~short | short.is_null()).then(parsed), problem, column)


def used_layouts(values: pl.Series, layouts: list[str]) -> list[str]:
    """The layouts that read at least one of ``values`` (tested on distinct values only).

    Examples
    --------
    >>> used_layouts(pl.Series(["01/03/2024", "02/03/2024"]), ["%Y-%m-%d", "%d/%m/%Y"])
    ['%d/%m/%Y']
    """
    distinct = pl.DataFrame({"v": values.str.strip_chars().drop_nulls().unique()})
    hits = distinct.select(
        pl.col("v").str.strptime(pl.Datetime("us"), f, strict=False, exact=True).is_not_null().any()
        .alias(str(i))
        for i, f in enumerate(layouts)
    )  # fmt: skip
    return [f for f, hit in zip(layouts, hits.row(0), strict=True) if hit] if hits.width else []


def numbers(column: str) -> pl.Expr:
    """A number stored as text, split into ``value``, ``comparator`` and ``unit``.

    ``"72.5 kg"`` gives 72.5 and ``kg``; ``"<5"`` gives 5 and ``<``; thousands
    separators and a pound sign are dropped. Missing words give null, never 0.
    """
    raw = text(column)
    parts = raw.str.extract_groups(_NUMBER)
    value = parts.struct.field("number").str.replace_all(",", "").cast(pl.Float64, strict=False)
    problem = pl.when(raw.is_not_null() & value.is_null()).then(pl.lit("is not a number"))
    return pl.struct(
        value.alias("value"),
        parts.struct.field("comparator").alias("comparator"),
        parts.struct.field("unit").alias("unit"),
        problem.alias("problem"),
    ).alias(column)


def flag(column: str) -> pl.Expr:
    """A yes/no column (Y, N, Yes, No, true, false, 1, 0) as Boolean; other text is null."""
    c = text(column).str.to_lowercase()
    return (
        pl.when(c.is_in(("y", "yes", "true", "1", "t")))
        .then(True)
        .when(c.is_in(("n", "no", "false", "0", "f")))
        .then(False)
        .alias(column)
    )
