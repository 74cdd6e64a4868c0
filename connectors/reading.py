r"""Opening an extract: its encoding, header, source, table and schema version.

A file is identified by its header, matched against every layout in
:mod:`connectors.schemas`. Report exports may carry a preamble (report name, run date,
population) above the header: the first 20 lines are searched for it. Files that
cannot be read are refused whole with :class:`FileRefusedError`, whose message says why
and what to do.

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
import itertools
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from connectors.schemas import SPECS, TableSpec

HEADER_SEARCH_LINES = 20
DELIMITERS = (",", "|", "\t", ";")
JOURNAL_HEADER = ("L", "Date", "Details", "Drawing", "Flags", "R")


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
        ``__row``: the line number in the file.
    preamble : int
        Non-blank lines above the header (report exports).
    unknown_columns : tuple of str
        Columns not in the spec (loaded nowhere; worth a warning).
    """

    path: Path
    sha256: str
    encoding: str
    spec: TableSpec
    rows: pl.DataFrame
    preamble: int
    unknown_columns: tuple[str, ...]

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

    The score is the share of the spec's columns present (aliases count). An exact
    match (the same columns, no more) wins over a spec the header merely contains, so
    SystmOne v90 (with ``RemovedData``) and v91 (without) are told apart.
    """
    present = frozenset(_normalise(h) for h in header)
    best = None
    for spec, names, required in _signatures():
        found = [not present.isdisjoint(n) for n in names]
        score = sum(found) / len(names)
        missing = [c for c, ok in zip(spec.columns, found, strict=True) if c in required and not ok]
        exact = score == 1 and len(present) == len(names)
        rank = (not missing, exact, score)
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
        required column, or is a SystmOne journal export.
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
    head = list(itertools.islice(io.StringIO(text), HEADER_SEARCH_LINES))
    i, delimiter, spec, missing, fields = _find_header(head)
    if missing:
        raise FileRefusedError(
            f"it looks like {spec.name} but lacks the required column(s) "
            f"{', '.join(map(repr, missing))}. Export it again with all the columns of "
            "docs/extracts.md."
        )
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
    rows = pl.read_csv(body, separator=delimiter, infer_schema=False, truncate_ragged_lines=True)
    names = _canonical_names(rows.columns, spec)
    present = {names.get(c, c) for c in rows.columns}
    # Every column of every version of this table, so a connector is written once per table.
    known = _table_columns(spec.source, spec.table)
    unknown = tuple(c for c in rows.columns if names.get(c, c) not in known)
    blank = pl.all_horizontal(
        pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in rows.columns
    )
    rows = (
        rows.lazy()
        .with_columns(__row=pl.int_range(i + 2, i + 2 + rows.height))
        .filter(~blank)
        .rename(names)
        .select(
            "__row",
            *(c if c in present else pl.lit(None, pl.String).alias(c) for c in known),
        )
        .collect()
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
    )


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
