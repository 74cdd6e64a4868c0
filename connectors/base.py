"""What every connector shares: layouts, the parsed result, row fates, pseudonymisation.

A connector is a :class:`Layout`: it says how a :class:`~connectors.reading.RawFile`
becomes a :class:`Parsed` (by :func:`apply`): the rows to load (typed, minimised, NHS
numbers already replaced by a keyed pseudonym), the rows to quarantine (with the column,
rule and a message saying how to fix it) and the rows to skip (with the reason). Every
data row lands in exactly one of the three. The columns a layout reads are derived from
its expressions (:attr:`Layout.reads`), so a file lacking one is refused whole.

Examples
--------
>>> key = b"demo-key"
>>> pseudonymise(pl.Series(["9434765919", None]), key).to_list()[1] is None
True
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from connectors.values import MISSING, dates

if TYPE_CHECKING:  # reading needs the layouts (to refuse a file lacking a column they read)
    from connectors.reading import RawFile

SUMMARY_ROW = r"(?i)^\s*(total|grand total|count|end of report)\b"
SKIPPED_SCHEMA = {"__row": pl.Int64, "reason": pl.String}
TEST_KEY_SCHEMA = {"source_row": pl.Int64, "person_key": pl.String}
WITHDRAWN_SCHEMA = {"source_row": pl.Int64, "source_record_id": pl.String}
DELETED = "deleted at source"
ROW_BASE = 10**9  # files parsed together number their rows file_index * ROW_BASE + line


def file_index() -> pl.Expr:
    """Which file of a batch parsed together a ``source_row`` belongs to."""
    return pl.col("source_row") // ROW_BASE


WITHHELD = "(withheld: an NHS number is never copied into logs)"


@dataclass(frozen=True)
class Context:
    """What a connector needs beyond the file: where it came from and the project key.

    Attributes
    ----------
    site_id : str
        Site the file belongs to (its folder in the inbox).
    key : bytes
        Pseudonymisation key (HMAC-SHA256).
    home_id : str or None
        Care home, for care-home files (their folder in the inbox).
    test_range_is_test : bool
        Treat NHS numbers 999 000 0000-999 999 9999 as test patients (live data). Off
        for the synthetic extracts, which use only that range.
    """

    site_id: str
    key: bytes
    home_id: str | None = None
    test_range_is_test: bool = False


@dataclass(frozen=True)
class Parsed:
    """The fate of every data row of one file.

    Attributes
    ----------
    file : RawFile
        The file read.
    table : str
        Raw warehouse table the rows go to (e.g. ``raw_emis_observation``).
    rows : polars.DataFrame
        Rows to load, with ``source_row`` (line number in the file).
    quarantine : polars.DataFrame
        ``source_row, column, raw_value, rule, message``: rows refused, one per row.
    skipped : polars.DataFrame
        ``source_row, reason``: preamble and total lines, test patients, rows deleted at
        source, exact duplicates.
    test_keys : polars.DataFrame
        ``source_row, person_key``: source keys of the test patients skipped, so that
        their events skip too.
    withdrawn : polars.DataFrame
        ``source_row, source_record_id``: records the file says were deleted at source.
        A delta extract withdraws records an earlier file loaded; the staged model
        drops them.
    """

    file: RawFile
    table: str
    rows: pl.DataFrame
    quarantine: pl.DataFrame
    skipped: pl.DataFrame
    test_keys: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=TEST_KEY_SCHEMA))
    withdrawn: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=WITHDRAWN_SCHEMA))

    @property
    def skip_reasons(self) -> dict[str, int]:
        """Skipped rows counted by reason (preamble lines included)."""
        return self.counts_by_file([self.file.preamble])[0][2]

    @property
    def rows_skipped(self) -> int:
        """Skipped rows, preamble lines included."""
        return self.skipped.height + self.file.preamble

    def counts_by_file(self, preambles: Sequence[int]) -> list[tuple[int, int, dict[str, int]]]:
        """Rows loaded, rows quarantined and skip reasons of each file parsed together.

        ``preambles`` are the files' preamble lines, counted as skipped.
        """
        n = len(preambles)

        def per_file(frame: pl.DataFrame) -> list[int]:
            return np.bincount(frame.select(file_index()).to_series(), minlength=n).tolist()

        reasons: list[dict[str, int]] = [
            {"preamble": lines} if lines else {} for lines in preambles
        ]
        skips = self.skipped.group_by(file_index().alias("i"), "reason").len()
        for i, reason, count in skips.iter_rows():  # one row per file and reason
            reasons[i][reason] = reasons[i].get(reason, 0) + count
        ordered = [dict(sorted(r.items())) for r in reasons]
        return list(zip(per_file(self.rows), per_file(self.quarantine), ordered, strict=True))


def pseudonymise(nhs_numbers: pl.Series, key: bytes) -> pl.Series:
    """Keyed HMAC-SHA256 pseudonyms of validated NHS numbers (hex; null stays null).

    The key is what makes this pseudonymisation rather than a hash: there are only
    about 10^9 valid NHS numbers, so unkeyed hashes could be reversed by listing them
    all (docs/domain.md §4.2). Each distinct number is hashed once.
    """
    uniq = nhs_numbers.drop_nulls().unique()
    digests = [hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for v in uniq.to_list()]
    mapping = dict(zip(uniq.to_list(), digests, strict=True))
    return nhs_numbers.replace_strict(mapping, default=None, return_dtype=pl.String)


Parser = pl.Expr | Callable[["RawFile"], pl.Expr]


@dataclass(frozen=True)
class Layout:
    """How one table's text columns become typed rows: a connector.

    Attributes
    ----------
    table : str
        Raw warehouse table.
    parse : dict
        Column -> (rule, parser): the rule a bad value breaks (``nhs_number``, ``date``,
        ``number``) and a parser from :mod:`connectors.values` returning a struct with
        ``value`` and ``problem``. A parser may instead be a function of the file giving
        that expression (:func:`date`: it looks at the values first); it reads only its
        own column.
    select : dict
        Output column -> expression over the parsed columns (``<col>`` is the
        parsed struct's ``value``; ``<col>__comparator`` and ``<col>__unit`` for
        numbers). ``source_row`` and ``site_id`` come first, always.
    required : tuple of str
        Columns whose value must be present (after parsing).
    skip : dict
        Reason -> boolean expression over the text columns, tested in order.
    allowed : dict
        Column -> the values it may take (after lower-casing).
    dedupe : bool
        Skip exact duplicate rows.
    unique : tuple of str
        Columns that name a row within its file (a change idea's ``change_id``): of the
        rows of one file with the same values (exact duplicates skip first), the first
        that passes every other check loads and the others are quarantined (rule
        ``duplicate_key``).
    pseudonymise : bool
        ``select`` has an ``nhs`` column, replaced by ``pseudo_id``
        (:func:`with_pseudonyms`): the NHS number goes no further.
    test_key : str or None
        Raw column of the person key, recorded for the test patients skipped.
    """

    table: str
    parse: Mapping[str, tuple[str, Parser]]
    select: Mapping[str, pl.Expr]
    required: tuple[str, ...] = ()
    skip: Mapping[str, pl.Expr] = field(default_factory=dict)
    allowed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    dedupe: bool = True
    unique: tuple[str, ...] = ()
    pseudonymise: bool = False
    test_key: str | None = None

    @property
    def reads(self) -> dict[str, tuple[str, ...]]:
        """Every text column the layout reads, with what for (in order of first use).

        Derived from the expressions themselves (polars' ``meta.root_names``), never
        from a list kept beside them. Internal columns (``__home``) are not columns of
        a file; a parsed part (``Value__unit``) counts as its column (``Value``).

        Examples
        --------
        >>> from connectors.values import numbers
        >>> Layout(
        ...     "t",
        ...     parse={"v": ("number", numbers("v"))},
        ...     select={"value_num": pl.col("v"), "unit": pl.coalesce("u", "v__unit")},
        ...     skip={"deleted at source": pl.col("gone") == "1"},
        ... ).reads
        {'v': ('value_num', 'unit'), 'u': ('unit',), 'gone': ("skip rule 'deleted at source'",)}
        """
        uses: dict[str, list[str]] = {}

        def read(expr: pl.Expr | str, label: str, *, only_use: bool = False) -> None:
            for name in [expr] if isinstance(expr, str) else expr.meta.root_names():
                column = name.split("__")[0] if name.split("__")[0] in self.parse else name
                if column.startswith("__") or (only_use and uses.get(column)):
                    continue
                if label not in uses.setdefault(column, []):
                    uses[column].append(label)

        for out, expr in self.select.items():
            read(expr, "pseudo_id" if out == "nhs" and self.pseudonymise else out)
        for why, cond in self.skip.items():
            read(cond, f"skip rule {why!r}")
        if self.test_key:
            read(self.test_key, "test patients' keys")
        for column, (rule, parser) in self.parse.items():  # read only to be checked
            read(column, f"its {rule} check", only_use=True)
            others = parser.meta.root_names() if isinstance(parser, pl.Expr) else []
            for name in dict.fromkeys(n for n in others if n != column):
                read(name, f"parsing {column}")
        for column in self.required:
            read(column, "a required value", only_use=True)
        for column in self.allowed:
            read(column, "its allowed values", only_use=True)
        for column in self.unique:
            read(column, "its check that no two rows share it", only_use=True)
        return {c: tuple(labels) for c, labels in uses.items()}


def apply(raw: RawFile, layout: Layout, ctx: Context) -> Parsed:
    """Sort every row of ``raw`` into loaded, quarantined or skipped, by ``layout``.

    A handful of whole-file polars operations, whatever the number of checks: each check
    gives a problem or null, and a row's first problem (if any) quarantines it. The
    first check is the field count: a row with more or fewer fields than the header
    (``__fields``, from :func:`connectors.reading.read_extract`) is never re-aligned,
    and none of its values decides anything, not even a skip.
    """
    text_cols = [c for c in raw.rows.columns if c != "__row"]
    reason = pl.lit(None, pl.String)
    for why, cond in reversed(list(layout.skip.items())):
        reason = pl.when(cond.fill_null(False)).then(pl.lit(why)).otherwise(reason)
    if layout.dedupe:
        row = pl.struct(text_cols)
        reason = pl.coalesce(reason, pl.when(~row.is_first_distinct()).then(pl.lit("duplicate")))
    df = raw.rows.with_columns(__skip=pl.when(pl.col("__fields").is_null()).then(reason))
    skipped = df.filter(pl.col("__skip").is_not_null()).select(source_row="__row", reason="__skip")
    live = df.filter(pl.col("__skip").is_null())
    widths = None  # the first check, on its own: it needs none of the values
    if raw.rows.get_column("__fields").null_count() < raw.rows.height:
        uneven = pl.col("__fields").is_not_null()
        widths = live.filter(uneven).select(source_row="__row", problem=_field_count())
        live = live.filter(~uneven)
    parsers = {c: (p if isinstance(p, pl.Expr) else p(raw)) for c, (_, p) in layout.parse.items()}
    parsed = live.with_columns(*(pl.col(c).alias(f"__raw_{c}") for c in layout.parse), **parsers)
    checks = _checks(layout)
    parsed = parsed.with_columns(
        __problem=pl.coalesce(checks) if checks else pl.lit(None, pl.Struct(QUARANTINE_STRUCT))
    )
    if layout.unique:  # among the rows that pass every other check
        per_file = "__file" in parsed.columns
        parsed = parsed.with_columns(
            __problem=pl.coalesce("__problem", _repeated(layout, per_file))
        )
    problems = parsed.filter(pl.col("__problem").is_not_null()).select(
        source_row="__row", problem="__problem"
    )
    if widths is not None:
        problems = pl.concat([widths, problems]).sort("source_row")
    problems = problems.unnest("problem")
    ok = parsed.filter(pl.col("__problem").is_null())
    unpacked = []
    for c in layout.parse:
        fields = [f.name for f in ok.schema[c].fields]
        unpacked += [pl.col(c).struct.field(f).alias(f"{c}__{f}") for f in fields if f != "value"]
        unpacked.append(pl.col(c).struct.field("value").alias(c))
    rows = ok.with_columns(unpacked).select(
        pl.col("__row").alias("source_row"), site_id=pl.lit(ctx.site_id), **layout.select
    )
    withdrawn = pl.DataFrame(schema=WITHDRAWN_SCHEMA)
    if "source_record_id" in layout.select and DELETED in layout.skip:
        withdrawn = df.filter(pl.col("__skip") == DELETED).select(
            source_row="__row", source_record_id=layout.select["source_record_id"]
        )
    result = Parsed(raw, layout.table, rows, problems, skipped, withdrawn=withdrawn)
    if layout.pseudonymise:
        return with_pseudonyms(result, ctx, key_column=layout.test_key)
    return result


QUARANTINE_STRUCT = {
    "column": pl.String,
    "raw_value": pl.String,
    "rule": pl.String,
    "message": pl.String,
}


def _problem(column: str, raw: pl.Expr, rule: str, message: pl.Expr) -> pl.Expr:
    return pl.struct(
        column=pl.lit(column),
        raw_value=raw.cast(pl.String),
        rule=pl.lit(rule),
        message=message,
    )


FIELD_COUNT_COLUMN = "(field count)"  # the quarantine's column for a row of the wrong width


def _field_count() -> pl.Expr:
    """The first check's problem: a row has more or fewer fields than the header.

    For the rows with a ``__fields`` only (the header's is ``__width``).
    """
    fields, width = pl.col("__fields"), pl.col("__width")
    said = pl.format(
        "line {} has {} {} but the header has {}",
        pl.col("__row") % ROW_BASE,
        fields,
        pl.when(fields == 1).then(pl.lit("field")).otherwise(pl.lit("fields")),
        width,
    )
    more = (  # not "quote it" for a decimal comma: "72,5" in quotes reads as 725
        " (a separator inside a value that is not in quotes, such as a decimal comma?). "
        "Write decimals with a point, put other values holding a separator in quotes, "
        "or correct the row, and export the file again."
    )
    fewer = (
        " (a value left out, or a line break inside a value that is not in quotes?). "
        "Correct the row, and export the file again."
    )
    message = pl.concat_str(
        said, pl.when(fields > width).then(pl.lit(more)).otherwise(pl.lit(fewer))
    )
    return _problem(FIELD_COUNT_COLUMN, fields, "field_count", message)


def _checks(layout: Layout) -> list[pl.Expr]:
    """One expression per check: a problem struct where the row fails it, else null."""
    out = []
    for column, (rule, _) in layout.parse.items():
        problem = pl.col(column).struct.field("problem")
        shown = pl.lit(WITHHELD) if rule == "nhs_number" else pl.col(f"__raw_{column}")
        message = pl.format(
            "{} {}. Correct it in the source system and export the file again.",
            pl.lit(column),
            problem,
        )
        out.append(pl.when(problem.is_not_null()).then(_problem(column, shown, rule, message)))
    for column in layout.required:
        if column in layout.parse:
            missing = pl.col(column).struct.field("value").is_null()
        else:
            value = pl.col(column).str.strip_chars()
            missing = value.is_null() | value.str.to_lowercase().is_in(MISSING)
        message = pl.lit(f"{column} is empty, but every row needs one. Fill it in.")
        out.append(pl.when(missing).then(_problem(column, pl.lit(None), "required", message)))
    for column, values in layout.allowed.items():
        v = pl.col(column).str.strip_chars().str.to_lowercase()
        message = pl.lit(f"{column} must be one of: {', '.join(values)}.")
        out.append(
            pl.when(v.is_not_null() & ~v.is_in(values)).then(
                _problem(column, pl.col(column), "allowed_values", message)
            )
        )
    return out


def _repeated(layout: Layout, per_file: bool) -> pl.Expr:
    """The ``unique`` check's problem: a row that repeats the key of an earlier good row.

    Only rows with no other problem count (``__problem`` null), so the row loaded is the
    first good one; ``per_file``: the rows carry ``__file`` (files parsed together), and
    rows are compared within their own file.
    """
    ok = pl.col("__problem").is_null()
    keys = [
        pl.col(c).struct.field("value") if c in layout.parse else pl.col(c).str.strip_chars()
        for c in layout.unique
    ]
    first = pl.col("__row").filter(ok).min().over(*keys, *(["__file"] if per_file else []))
    names = " and ".join(layout.unique)
    message = pl.lit(
        f"{names} is the same as on an earlier row of this file, which was loaded instead: "
        f"each row needs its own {names}. Give this row another one, or merge the two rows."
    )
    column = layout.unique[0]
    shown = pl.col(f"__raw_{column}" if column in layout.parse else column)
    return pl.when(ok & (pl.col("__row") != first)).then(
        _problem(column, shown, "duplicate_key", message)
    )


def site_and_home(path: Path, inbox: Path) -> tuple[str, str | None]:
    """Site (first folder under the inbox) and, for care-home files, the home folder."""
    parts = path.relative_to(inbox).parts
    home = parts[2] if len(parts) > 3 and parts[1] == "carehome" else None
    return parts[0], home


def is_set(column: str) -> pl.Expr:
    """A flag column that holds something other than a "no" (EMIS ``DummyType``)."""
    c = pl.col(column).str.strip_chars().str.to_lowercase()
    return c.is_not_null() & ~c.is_in(("", "0", "false", "n", "no"))


def with_pseudonyms(parsed: Parsed, ctx: Context, key_column: str | None = None) -> Parsed:
    """Replace the ``nhs`` column by ``pseudo_id``: the NHS number goes no further.

    With ``ctx.test_range_is_test`` (live data), NHS numbers in the 999 test range are
    test patients and skip. ``key_column`` names the raw column of the person key, so
    the keys of skipped test patients can be recorded.
    """
    rows = parsed.rows
    skipped = parsed.skipped
    if ctx.test_range_is_test:
        test = pl.col("nhs").str.starts_with("999")
        skipped = pl.concat(
            [skipped, rows.filter(test).select("source_row", reason=pl.lit("test patient"))]
        )
        rows = rows.filter(~test)
    rows = rows.with_columns(pseudo_id=pseudonymise(rows.get_column("nhs"), ctx.key)).drop("nhs")
    keys = parsed.test_keys
    if key_column is not None:
        tested = skipped.filter(pl.col("reason") == "test patient").get_column("source_row")
        keys = parsed.file.rows.filter(pl.col("__row").is_in(tested.implode())).select(
            source_row="__row", person_key=pl.col(key_column).str.strip_chars()
        )
    return dataclasses.replace(parsed, rows=rows, skipped=skipped, test_keys=keys)


def home() -> pl.Expr:
    """The care home a row belongs to: the folder its file came from (``__home``)."""
    return pl.col("__home")


def line() -> pl.Expr:
    """The line number within its own file of a batched ``source_row``."""
    return pl.col("source_row") % ROW_BASE


def date(column: str) -> tuple[str, Parser]:
    """A ``Layout.parse`` entry for a date column, in the layouts its file uses.

    The file's source gives the day-first formats; its values, the few of them worth
    trying (:func:`connectors.values.dates`).

    Examples
    --------
    >>> date("DateOfBirth")[0]
    'date'
    """
    return "date", functools.partial(_dates_of, column)


def _dates_of(column: str, raw: RawFile) -> pl.Expr:
    return dates(column, raw.spec.date_formats, raw.rows.get_column(column))


def month(column: str) -> pl.Expr:
    """The first day of a parsed date's month (all that is kept of a date of birth)."""
    return pl.col(column).dt.truncate("1mo").dt.date()
