r"""Opening an extract: its encoding, header, source, table and schema version.

A file is identified by its header, matched against every layout in
:mod:`connectors.schemas`. Report exports may carry a preamble (report name, run date,
population) above the header: the first 20 lines are searched for it. Files that
cannot be read are refused whole with :class:`FileRefusedError`, whose message says why
and what to do; so is a file lacking a column its connector reads
(:mod:`connectors.layouts`). Each row's number of fields is counted as the CSV reader
splits it, so a row with more or fewer than the header is quarantined, never re-aligned.

Examples
--------
>>> decode(b"\xef\xbb\xbfa,b\n")
('a,b\n', 'utf-8-sig')
>>> decode("Zo\u00eb".encode("cp1252"))
('Zoë', 'cp1252')
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from connectors import layouts
from connectors.schemas import SPECS, TableSpec

HEADER_SEARCH_LINES = 20
DELIMITERS = (",", "|", "\t", ";")
JOURNAL_HEADER = ("L", "Date", "Details", "Drawing", "Flags", "R")
END = "\x01"  # one more field after every line: where the CSV reader puts it, the width


class FileRefusedError(Exception):
    """A whole file cannot be loaded; the message says why and how to fix it."""


@dataclass(frozen=True)
class RawFile:
    """An identified extract with its data rows as text.

    Attributes
    ----------
    path : Path
        Where it was read from.
    sha256 : str
        Hash of its bytes (a file seen before, unchanged, is not loaded again).
    encoding : str
        utf-8-sig, utf-8 or cp1252.
    spec : TableSpec
        Source, table and version recognised from its header.
    rows : polars.DataFrame
        One row per non-blank line after the header, all text, under the columns of
        every version of the table (null where this version has no such column), with
        ``__row``: the line number in the file; ``__fields``: for a row with more or
        fewer fields than the header, its number of fields (else null), and
        ``__width``: then the header's (:func:`connectors.base.apply` quarantines it).
    preamble : int
        Non-blank lines above the header (report exports).
    unknown_columns : tuple of str
        Columns not in the spec (loaded nowhere; worth a warning).
    missing_unread : tuple of str
        Columns of this version the file lacks, which nothing reads (worth a warning;
        a file lacking a column that is read is refused).
    """

    path: Path
    sha256: str
    encoding: str
    spec: TableSpec
    rows: pl.DataFrame
    preamble: int
    unknown_columns: tuple[str, ...]
    missing_unread: tuple[str, ...] = ()

    @property
    def rows_in(self) -> int:
        """Data rows in the file: the non-blank lines other than the header."""
        return self.rows.height + self.preamble


def decode(data: bytes) -> tuple[str, str]:
    """Decode an extract: BOM means UTF-8, else strict UTF-8, else Windows-1252.

    Latin-1 is never assumed: it reads cp1252's 0x80-0x9F (such as the euro sign)
    as control characters.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise FileRefusedError(
            f"its bytes are neither UTF-8 nor Windows-1252 (byte {exc.start}). Export it "
            "again as CSV, UTF-8 or Windows-1252."
        ) from None


def _fields(line: str, delimiter: str) -> list[str]:
    return [f.strip().strip('"').strip() for f in line.rstrip("\r\n").split(delimiter)]


def _normalise(name: str) -> str:
    return "".join(name.lower().split())


@functools.cache
def _signatures() -> tuple[tuple[TableSpec, tuple[frozenset[str], ...], frozenset[str]], ...]:
    """Each spec with, per column, the normalised names it may appear under."""
    out = []
    for spec in SPECS:
        names = tuple(
            frozenset(_normalise(n) for n in (c, *spec.aliases.get(c, ()))) for c in spec.columns
        )
        required = frozenset(spec.required)
        out.append((spec, names, required))
    return tuple(out)


def identify(header: list[str]) -> tuple[TableSpec, list[str], float]:
    """The spec a header matches best, the required columns it lacks, and the match score.

    The score is the share of the spec's columns present (aliases count). Specs are
    ranked by their overlap with the header: the columns both have, over the columns
    either has. So an exact match (the same columns, no more) wins over a spec the
    header merely contains, and SystmOne v90 (with ``RemovedData``) and v91 (without)
    are told apart; and a header lacking a column is still matched to its own
    version, not to an older one it contains (SRCode v91 without ``SNOMEDCode`` is
    not v87 with an unknown ``SNOMEDText``), so what it lacks can be named.

    Examples
    --------
    >>> from connectors.schemas import SR_CODE_91
    >>> spec, missing, score = identify([c for c in SR_CODE_91 if c != "SNOMEDCode"])
    >>> spec.name, missing, score
    ('systmone/SRCode v91', [], 0.96)
    """
    present = frozenset(_normalise(h) for h in header)
    best = None
    for spec, names, required in _signatures():
        found = [not present.isdisjoint(n) for n in names]
        score = sum(found) / len(names)
        missing = [c for c, ok in zip(spec.columns, found, strict=True) if c in required and not ok]
        overlap = sum(found) / (len(names) + max(len(present) - sum(found), 0))
        rank = (not missing, overlap)
        if best is None or rank > best[0]:
            best = (rank, spec, missing, score)
    _, spec, missing, score = best
    return spec, missing, score


def _find_header(lines: list[str]) -> tuple[int, str, TableSpec, list[str], list[str]]:
    candidates = []
    for i, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        if not line.strip():
            continue
        for delimiter in DELIMITERS:
            fields = _fields(line, delimiter)
            if len(fields) < 2:
                continue
            if tuple(fields) == JOURNAL_HEADER:
                raise FileRefusedError(
                    "it is a SystmOne patient-record (journal) export: free text, one entry "
                    "per consultation, with no codes or values to measure. Use a Clinical "
                    "Reporting export (Breakdown > Show patients > Table > Open as CSV) or "
                    "the Strategic Reporting Extract instead."
                )
            spec, missing, score = identify(fields)
            if score >= 0.3 and len(missing) <= len(spec.required) / 2:
                candidates.append((not missing, score, i, delimiter, spec, missing, fields))
                if score == 1 and not missing:
                    break
        if candidates and candidates[-1][1] == 1 and candidates[-1][0]:
            break
    if not candidates:
        known = sorted({f"{s.source}/{s.table} (v{s.version})" for s in SPECS})
        raise FileRefusedError(
            "its header matches no known extract. Known sources and versions: "
            + ", ".join(known)
            + ". See docs/extracts.md."
        )
    _, _, i, delimiter, spec, missing, fields = max(candidates, key=lambda c: (c[0], c[1], -c[2]))
    return i, delimiter, spec, missing, fields


def read_extract(path: Path, data: bytes | None = None, *, sha256: str | None = None) -> RawFile:
    """Open, decode and identify one extract file (``data``: its bytes, if already read).

    Only the first lines are split in Python, to find the header; the body goes to the
    CSV reader as one buffer.

    Raises
    ------
    FileRefusedError
        If the file is empty, binary, truncated, of an unknown layout, lacks a
        required column or one its connector reads, has quotes that do not pair up,
        or is a SystmOne journal export.
    """
    data = path.read_bytes() if data is None else data
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    if not data or data.isspace():
        raise FileRefusedError("it is empty. Export it again.")
    if path.suffix.lower() == ".xlsx":
        data = _xlsx_as_csv(path)
    if b"\x00" in data[:65536]:
        raise FileRefusedError(
            "it is binary, not a CSV file (a spreadsheet or a zip?). Save it as CSV."
        )
    text, encoding = decode(data)
    head = _head(text)
    i, delimiter, spec, missing, fields = _find_header(head)
    if missing:
        raise FileRefusedError(
            f"it looks like {spec.name} but lacks the required column(s) "
            f"{', '.join(map(repr, missing))}. Export it again with all the columns of "
            "docs/extracts.md."
        )
    read_missing, unread = _lacking(spec, fields)
    if read_missing:
        raise _refuse_lacking(spec, read_missing)
    if not text.endswith(("\n", "\r")):
        last = text[max(text.rfind("\n"), text.rfind("\r")) + 1 :]
        if len(_fields(last, delimiter)) < len(fields):
            raise FileRefusedError(
                f"it is truncated: the last line (line {len(text.splitlines())}) stops "
                "part-way through a row. Copy or export the file again."
            )
    if i or encoding == "cp1252":  # below a preamble, or not UTF-8: from the header on
        body = text[sum(map(len, head[:i])) :].encode()
    else:  # the bytes themselves
        body = data[3:] if encoding == "utf-8-sig" else data
    rows = _read_rows(body, delimiter, first=i + 2)
    names = _canonical_names(rows.columns, spec)
    present = {names.get(c, c) for c in rows.columns}
    # Every column of every version of this table, so a connector is written once per table.
    known = _table_columns(spec.source, spec.table)
    unknown = tuple(c for c in rows.columns if names.get(c, c) not in known and c[:2] != "__")
    rows = rows.rename(names).select(
        "__row",
        *(c if c in present else pl.lit(None, pl.String).alias(c) for c in known),
        "__fields",
        "__width",
    )
    preamble = sum(1 for line in head[:i] if line.strip())
    return RawFile(
        path=path,
        sha256=sha256,
        encoding=encoding,
        spec=spec,
        rows=rows,
        preamble=preamble,
        unknown_columns=unknown,
        missing_unread=unread,
    )


def _head(text: str) -> list[str]:
    r"""The first lines of ``text``, with their line ends: where the header may be.

    Only they are copied (a reader over the whole text would copy all of it).

    Examples
    --------
    >>> _head("a,b\n1,2\n")
    ['a,b\n', '1,2\n']
    """
    end = 0
    for _ in range(HEADER_SEARCH_LINES):
        end = text.find("\n", end) + 1
        if not end:
            end = len(text)
            break
    return list(io.StringIO(text[:end]))


def _lacking(spec: TableSpec, header: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """The columns of ``spec`` a header lacks: those its connector reads, and the others.

    Aliases count (report exports); a column only another version has is not lacking.
    """
    names = _canonical_names(header, spec)
    present = {names.get(h, h) for h in header}
    reads = layouts.reads(spec)
    lacking = [c for c in spec.columns if c not in present]
    return [c for c in lacking if c in reads], tuple(c for c in lacking if c not in reads)


def _refuse_lacking(spec: TableSpec, missing: list[str]) -> FileRefusedError:
    """Why a file lacking columns that are read is refused, and what each is read for."""
    reads = layouts.reads(spec)
    named = [f"{c!r} (for {', '.join(reads[c])})" for c in missing]
    if len(named) == 1:
        what = f"the column {missing[0]!r}, which Measure for Change reads (for "
        what += f"{', '.join(reads[missing[0]])})"
    else:
        what = f"the columns {', '.join(named[:-1])} and {named[-1]}, which Measure for "
        what += "Change reads"
    return FileRefusedError(
        f"it looks like {spec.name} but lacks {what}. Export it again with all the "
        "columns of docs/extracts.md."
    )


def _read_rows(body: bytes, delimiter: str, first: int) -> pl.DataFrame:
    r"""The rows of a CSV body (its header first) as text, numbered, with their widths.

    Every line gets one more field, ``END``, before it is read: in a row with as many
    fields as the header it lands in the last column; in a shorter row, in the column
    after its last field; a longer row's is cut off (its fields are then counted on its
    line, quotes respected). So the CSV reader itself counts each row's fields, quotes
    and all, in the pass that reads it. Blank lines are dropped; ``__row`` numbers the
    others from ``first`` (the line after the header), counting the line breaks inside
    quoted values.

    Examples
    --------
    >>> _read_rows(b'a,b\n1,"2,5"\n\n3\n4,5,6\n', ",", first=2).rows()
    [(2, '1', '2,5', None, None), (4, '3', None, 1, 2), (5, '4', '5', 3, 2)]
    """
    sep, end = delimiter.encode(), END.encode()
    body = body if body.endswith(b"\n") else body + b"\n"
    marked = body.replace(b"\n", sep + end + b"\n")
    if b"\r" in body:  # keep CRLF whole: the reader drops a \r only just before the \n
        marked = marked.replace(b"\r" + sep + end + b"\n", sep + end + b"\r\n")
    try:
        frame = pl.read_csv(
            marked, separator=delimiter, infer_schema=False, truncate_ragged_lines=True
        )
    except pl.exceptions.PolarsError:  # not its message: that would quote the file's values
        raise FileRefusedError(
            "its quotes do not pair up, so its rows cannot be told apart (a double quote "
            "inside a value is written twice, and a value in quotes ends in one). Export "
            "it again."
        ) from None
    del marked  # the copy goes before the frame is worked on
    *columns, last = frame.columns
    frame = frame.rename({last: "__end"})
    row, breaks = pl.int_range(first, first + pl.len(), dtype=pl.Int64), pl.lit(0)
    if b'"' in body and frame.height != body.count(b"\n") - 1:  # values spanning lines
        frame = frame.with_columns(
            pl.col(c)
            .str.replace_all(delimiter + END + "\r\n", "\r\n", literal=True)
            .str.replace_all(delimiter + END + "\n", "\n", literal=True)
            for c in columns
        )
        breaks = pl.sum_horizontal(
            pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in columns
        )
        row = row + breaks.cum_sum() - breaks
    frame = _without_blank_lines(frame.with_columns(__row=row, __breaks=breaks), columns)
    ragged = (pl.col("__end") != END).fill_null(value=True)
    if not frame.select(ragged.any()).item():
        none = pl.lit(None, pl.Int32)
        return frame.select("__row", *columns, __fields=none, __width=none)
    shorter = pl.coalesce(
        pl.when(pl.col(c) == END).then(pl.lit(k, pl.Int32)) for k, c in enumerate(columns)
    )
    bad = frame.filter(ragged).select("__row", "__breaks", __fields=shorter)
    longs = bad.filter(pl.col("__fields").is_null())
    longer = _longer(body, delimiter, longs, first=first, width=len(columns))
    shorts = bad.filter(pl.col("__fields").is_not_null()).drop("__breaks")
    widths = pl.concat([shorts, longer])
    return frame.join(widths, on="__row", how="left", maintain_order="left").select(
        "__row",
        *(pl.when(pl.col(c) != END).then(pl.col(c)).alias(c) for c in columns),
        "__fields",
        __width=pl.when(pl.col("__fields").is_not_null()).then(pl.lit(len(columns), pl.Int32)),
    )


def _without_blank_lines(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """``frame`` without its blank lines: every field empty or blank.

    Only the rows whose first field is empty are looked at whole: testing every
    field of every row would cost more than reading them.
    """
    first = pl.col(columns[0])
    maybe = frame.filter(first.is_null() | (first.str.strip_chars() == ""))
    empty = (
        pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") | (pl.col(c) == END)
        for c in columns
    )
    blank = maybe.filter(pl.all_horizontal(empty)).get_column("__row")
    return frame.filter(~pl.col("__row").is_in(blank.implode())) if blank.len() else frame


def _longer(
    body: bytes, delimiter: str, rows: pl.DataFrame, *, first: int, width: int
) -> pl.DataFrame:
    r"""The number of fields of rows longer than the header, counted on their lines.

    ``rows`` has ``__row`` and ``__breaks`` (line breaks inside its quoted values). A
    delimiter between double quotes separates nothing. At least one more than the
    header's ``width``, whatever the count says: the reader found the row longer.

    Examples
    --------
    >>> rows = pl.DataFrame({"__row": [3], "__breaks": [0]})
    >>> _longer(b'a,b\n1,2\n"x,y",2,3\n', ",", rows, first=2, width=2).rows()
    [(3, 3)]
    """
    schema = {"__row": pl.Int64, "__fields": pl.Int32}
    if rows.is_empty():
        return pl.DataFrame(schema=schema)
    lines = pl.Series([body.decode()]).str.split("\n").explode()  # [0]: the header
    start = pl.col("__row") - first + 1
    at = rows.select("__row", line=pl.int_ranges(start, start + pl.col("__breaks") + 1)).explode(
        "line"
    )
    counted = (
        at.with_columns(text=lines.gather(at.get_column("line")))
        .group_by("__row", maintain_order=True)
        .agg(pl.col("text").str.join("\n"))
        .select(
            "__row",
            __fields=pl.max_horizontal(
                pl.col("text")
                .str.replace_all('"[^"]*"', "")
                .str.count_matches(delimiter, literal=True)
                + 1,
                width + 1,
            ),
        )
    )
    return counted.cast(schema)


@functools.cache
def _table_columns(source: str, table: str) -> tuple[str, ...]:
    """Every column of every version of one table, in order of first appearance."""
    return tuple(
        dict.fromkeys(c for s in SPECS if (s.source, s.table) == (source, table) for c in s.columns)
    )


def _xlsx_as_csv(path: Path) -> bytes:
    """The first sheet of a spreadsheet (such as the QI log template) as CSV text."""
    try:
        sheet = pl.read_excel(path, sheet_id=1, infer_schema_length=0)
    except Exception as exc:  # fastexcel raises its own types for damaged workbooks
        raise FileRefusedError(
            f"it is not a readable .xlsx workbook ({type(exc).__name__}). Save it again "
            "from Excel, or as CSV."
        ) from None
    return sheet.write_csv().encode()


def _canonical_names(header: list[str], spec: TableSpec) -> dict[str, str]:
    lookup = {}
    for col in spec.columns:
        for name in (col, *spec.aliases.get(col, ())):
            lookup[_normalise(name)] = col
    return {h: lookup[_normalise(h)] for h in header if _normalise(h) in lookup}
