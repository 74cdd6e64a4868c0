"""Tables as CSV and XLSX files that are safe to open in Excel.

A commissioner opens these in Excel or LibreOffice. A text cell that begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return can be read as a formula there (OWASP,
"CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection), so
:func:`escape_cell` and :func:`escape_frame` put a single quote in front of such text,
as OWASP advises. Numbers, dates and booleans are never touched: a negative number
stays a number.

:func:`write_tables` writes each table as a CSV file (UTF-8 with a byte-order mark, so
Excel reads "£" correctly) and all of them as the sheets of one workbook: header bold,
columns sized to their contents, numbers as numbers, and pounds formatted as pounds in
every numeric column whose name says ``gbp``, ``cost`` or ``£`` (but not a
"cost ratio", which is no sum of money).

Examples
--------
>>> import polars as pl
>>> table = pl.DataFrame({"home": ["=1+1", "Oak Lodge"], "Net benefit (£)": [-250, 1200]})
>>> escape_frame(table).rows()
[("'=1+1", -250), ('Oak Lodge', 1200)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

# OWASP, "CSV Injection": cells beginning with these may be evaluated as formulas.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"  # OWASP: "prepend each cell field with a single quote"

_STARTS_A_FORMULA = "^([" + re.escape("".join(FORMULA_START)) + "])"
_TEXT = (pl.String, pl.Categorical, pl.Enum)
# pounds: a name with gbp, £ or cost, but not a ratio of costs ("Benefit-cost ratio")
_POUNDS = re.compile(r"gbp|£|cost(?!s?[\s_-]*ratio)", re.IGNORECASE)
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ .-]*$")
_SHEET_NAME_MAX = 31  # Excel's limit on a sheet's name

# Column widths in pixels: about 7 px a character in Calibri 11, plus padding.
_PX_PER_CHAR, _PX_PAD, _PX_MIN, _PX_MAX = 7, 16, 56, 420


def escape_cell(value: Any) -> Any:
    """One cell, with a quote in front if it is text that could start a formula.

    Parameters
    ----------
    value : object
        A cell's value.

    Returns
    -------
    object
        ``"'" + value`` for a string beginning with one of :data:`FORMULA_START`;
        otherwise ``value`` itself (numbers, dates, None and other strings).

    Examples
    --------
    >>> [escape_cell(v) for v in ["=SUM(A1:A9)", "@cmd", "-5", -5, "Oak Lodge", None]]
    ["'=SUM(A1:A9)", "'@cmd", "'-5", -5, 'Oak Lodge', None]

    The text "-5" is escaped; the number -5 is not.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return QUOTE + value
    return value


def escape_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column with :func:`escape_cell` applied, in one polars expression each.

    Parameters
    ----------
    frame : polars.DataFrame
        Any table. Categorical and Enum columns come back as String.

    Returns
    -------
    polars.DataFrame
        Same rows and columns; only text that could start a formula has changed.

    Examples
    --------
    >>> escape_frame(pl.DataFrame({"a": ["+44 20", "@home", "ok"], "n": [-1.5, 2.0, 3.0]}))
    shape: (3, 2)
    ┌─────────┬──────┐
    │ a       ┆ n    │
    │ ---     ┆ ---  │
    │ str     ┆ f64  │
    ╞═════════╪══════╡
    │ '+44 20 ┆ -1.5 │
    │ '@home  ┆ 2.0  │
    │ ok      ┆ 3.0  │
    └─────────┴──────┘

    The phone number and the handle are text that Excel would read as a formula; the
    negative number is left alone.
    """
    return frame.with_columns(
        pl.col(name).cast(pl.String).str.replace(_STARTS_A_FORMULA, QUOTE + "$1")
        for name, dtype in frame.schema.items()
        if isinstance(dtype, _TEXT)
    )


def write_tables(tables: Mapping[str, pl.DataFrame], folder: Path, *, workbook: str) -> list[Path]:
    r"""Each table as ``<folder>/<name>.csv`` and all as sheets of ``<workbook>.xlsx``.

    Parameters
    ----------
    tables : mapping of str to polars.DataFrame
        Sheet name -> table, in the order the sheets should appear. Names are letters,
        digits, spaces, ``_``, ``.`` and ``-``, at most 31 characters (Excel's limit).
    folder : pathlib.Path
        Where the files go; made if missing.
    workbook : str
        The workbook's file name, without ``.xlsx``.

    Returns
    -------
    list of pathlib.Path
        The CSV files in table order, then the workbook.

    Raises
    ------
    ValueError
        For no tables, or a table or workbook name that cannot be a file or sheet name.

    Notes
    -----
    Every table goes through :func:`escape_frame` first. In the CSV files a null is an
    empty cell; in the workbook, an empty cell. The workbook is written with
    xlsxwriter's ``strings_to_formulas``, ``strings_to_numbers`` and ``strings_to_urls``
    off, so text stays text.

    Examples
    --------
    >>> import tempfile
    >>> tables = {"summary": pl.DataFrame({"Site": ["Hillcrest"], "Cost (£)": [49289]})}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = write_tables(tables, Path(folder), workbook="roi")
    ...     [p.name for p in paths], paths[0].read_bytes()[:3]
    (['summary.csv', 'roi.xlsx'], b'\xef\xbb\xbf')
    """
    if not tables:
        raise ValueError("write_tables: no tables given.")
    for name in (*tables, workbook):
        if not _NAME.match(name):
            raise ValueError(
                f"write_tables: {name!r} cannot be a file or sheet name; use letters, "
                "digits, spaces, '_', '.' and '-'."
            )
    for name in tables:
        if len(name) > _SHEET_NAME_MAX:
            raise ValueError(
                f"write_tables: the sheet name {name!r} is longer than Excel's "
                f"{_SHEET_NAME_MAX} characters."
            )
    folder.mkdir(parents=True, exist_ok=True)
    escaped = {name: escape_frame(table) for name, table in tables.items()}
    paths = []
    for name, table in escaped.items():
        path = folder / f"{name}.csv"
        table.write_csv(path, include_bom=True)  # the BOM tells Excel the file is UTF-8
        paths.append(path)
    book_path = folder / f"{workbook}.xlsx"
    book = xlsxwriter.Workbook(
        book_path,
        {
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
        },
    )
    try:
        for name, table in escaped.items():
            formats, widths = _layout(table)
            table.write_excel(
                workbook=book,
                worksheet=name,
                column_formats=formats,
                column_widths=widths,
                header_format={"bold": True, "text_wrap": True, "valign": "top"},
                freeze_panes=(1, 0),
            )
    finally:
        book.close()
    paths.append(book_path)
    return paths


def _layout(table: pl.DataFrame) -> tuple[dict[str, Any], dict[str, int]]:
    """Each column's Excel format and width in pixels, from its type, name and contents."""
    numeric = [c for c, t in table.schema.items() if t.is_numeric()]
    if table.width:
        longest = table.select(
            pl.col(c).cast(pl.String).str.len_chars().max().fill_null(0) for c in table.columns
        ).row(0)
        # whole numbers in a float column (rounded pounds, rounded counts) show no decimals
        whole = table.select(
            (
                ((pl.col(c) % 1 == 0) | pl.col(c).is_null()).all()
                if c in numeric
                else pl.lit(value=False)
            ).alias(c)
            for c in table.columns
        ).row(0)
    else:
        longest, whole = (), ()
    formats: dict[str, Any] = {}
    widths: dict[str, int] = {}
    for column, chars, is_whole in zip(table.columns, longest, whole, strict=True):
        width = max(chars, min(len(column), 24))
        if column in numeric:
            pounds = bool(_POUNDS.search(column))
            number = "#,##0" if is_whole else "#,##0.0##"
            if pounds:
                number = '"£"#,##0' if is_whole else '"£"#,##0.00'
                formats[column] = f"{number};-{number}"
            else:
                formats[column] = number
            width = max(chars + chars // 3 + int(pounds) + 1, min(len(column), 24))
        elif chars * _PX_PER_CHAR + _PX_PAD > _PX_MAX:
            formats[column] = {"text_wrap": True, "valign": "top"}
        widths[column] = max(_PX_MIN, min(_PX_MAX, width * _PX_PER_CHAR + _PX_PAD))
    return formats, widths
