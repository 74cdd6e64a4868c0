r"""``m4c qic`` and ``m4c mdc``: chart a CSV file of the user's own.

They write the points table as CSV and a self-contained HTML page with the chart and
its findings in plain words.

Before the chart engine sees the data, the file's values are checked, so that a mistake
in a cell is reported with its line (the header is line 1; a cell's line is its row
number in a spreadsheet), its column and its value, as one ``m4c: error: ...`` line:

* **Missing values.** An empty cell, or one holding only ``NA``, ``N/A``, ``#N/A`` or
  ``NULL`` (any case, spaces around ignored), is a missing value in the x column when it
  holds dates, and in the y and n columns; the engine charts it as missing (and leaves
  out rows without an x, with a warning). Other words (``-``, ``none``, ``unknown``)
  might mean zero, so they are errors.
* **Dates in x.** A text x column is read as dates in the layout of ``DATE_FORMATS``
  that reads the most of its non-missing values, if that layout reads at least half of
  them (:func:`date_format`). Then every value it cannot read (``2023-13-45``,
  ``31/02/2024``) is an error. A column that no layout reads at least half of is not
  dates: it stays text (a categorical x).
* **Numbers in y and n.** When a text y or n column holds any number at all, every other
  non-missing value (``12 falls``, ``7,5``, ``<5``) is an error. A column without a
  single number is left to the engine, which says the column must hold numbers.
* **x values given as arguments.** ``--freeze``, ``--part``, ``--exclude`` and
  ``--rebase`` on a date x column are read in the column's layout, else in any layout of
  ``DATE_FORMATS`` (``YYYY-MM-DD``, day first); a value that none reads is an error.

Up to three bad cells are listed, then how many more there are.

Examples
--------
::

    m4c qic data/samples/falls.csv --x month --y falls --n bed_days --chart u \\
        --multiply 1000 --facet home --freeze 2023-12-01 --out out/falls.html
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import polars as pl

from charts.explain import Finding
from charts.limits import CHARTS
from charts.plot import findings_for, mdc_figure, qic_figure, report_html
from charts.rules import RULE_SETS
from charts.spc import mdc, qic
from pipelines.errors import CliError

# Date layouts seen in NHS and care-home extracts, tried in turn (day first, never US).
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d %B %Y",
    "%b %Y",
    "%B %Y",
    "%Y-%m",
)

# Cell texts (upper-cased, spaces trimmed) that mean "no value" in dates and numbers.
MISSING_WORDS = ("", "NA", "N/A", "#N/A", "NULL")

# The command-line option of each x-value argument of qic() and mdc().
_X_OPTIONS = {"freeze": "--freeze", "parts": "--part", "exclude": "--exclude", "rebase": "--rebase"}

# Bad cells listed in a message before "and N more".
_SHOWN = 3


def _read_csv(path: Path) -> pl.DataFrame:
    if not path.is_file():
        raise CliError(f"cannot find the file {str(path)!r}. Check the path and try again.")
    try:
        return pl.read_csv(
            path, try_parse_dates=True, infer_schema_length=10_000, encoding="utf8-lossy"
        )
    except pl.exceptions.PolarsError as exc:
        first = str(exc).splitlines()[0]
        raise CliError(
            f"cannot read {str(path)!r} as CSV ({first}). Save it as comma-separated text "
            "with one header row."
        ) from None


def _cells(column: str) -> pl.Expr:
    """The text column ``column`` trimmed, with ``MISSING_WORDS`` as null.

    Examples
    --------
    >>> pl.DataFrame({"y": [" 4 ", "n/a", ""]}).select(_cells("y")).get_column("y").to_list()
    ['4', None, None]
    """
    text = pl.col(column).str.strip_chars()
    return (
        pl.when(text.str.to_uppercase().is_in(MISSING_WORDS))
        .then(None)
        .otherwise(text)
        .alias(column)
    )


def date_format(values: pl.Series) -> str | None:
    """The layout of ``DATE_FORMATS`` that reads the most non-missing values, if any.

    Ties go to the earlier layout. None when the best layout reads fewer than half of the
    non-missing values (empty cells and ``MISSING_WORDS``): the column is not dates. The
    values the layout cannot read are then the column's bad dates.

    Parameters
    ----------
    values : polars.Series
        Text values of a column.

    Returns
    -------
    str or None
        A ``strptime`` layout from ``DATE_FORMATS``, or None.

    Examples
    --------
    >>> date_format(pl.Series(["01/03/2024", "13/03/2024"]))
    '%d/%m/%Y'
    >>> date_format(pl.Series(["2024-01-01", "2024-13-45", "NA", "2024-03-01"]))
    '%Y-%m-%d'
    >>> date_format(pl.Series(["Ward A", "Ward B", "2024-01-01"])) is None
    True
    """
    cells = pl.DataFrame({"v": values.cast(pl.String)}).select(_cells("v")).drop_nulls()
    if cells.is_empty():
        return None
    read = cells.select(
        pl.col("v").str.strptime(pl.Date, fmt, strict=False).count().alias(fmt)
        for fmt in DATE_FORMATS
    ).row(0, named=True)
    best = max(DATE_FORMATS, key=read.__getitem__)  # the first of equal counts
    return best if 2 * read[best] >= cells.height else None


def _bad_cells(df: pl.DataFrame, column: str, bad: pl.Expr) -> tuple[list[tuple[int, str]], int]:
    """The first CSV lines and values of the rows where ``bad`` holds, and how many.

    A row's line is its index + 2: the header is line 1 (a quoted cell that spans lines
    is counted as one line, as a spreadsheet counts rows).

    Examples
    --------
    >>> d = pl.DataFrame({"y": ["4", "x", "5", "z"]})
    >>> _bad_cells(d, "y", pl.col("y").is_in(["x", "z"]))
    ([(3, 'x'), (5, 'z')], 2)
    """
    found = df.with_row_index("line", offset=2).filter(bad).select("line", column)
    return found.head(_SHOWN).rows(), found.height


def _listed(cells: list[tuple[int, str]], count: int) -> str:
    """``line 3 ('x'), line 5 ('y') and 2 more``."""
    shown = [f"line {line} ({value!r})" for line, value in cells]
    if count > len(shown):
        return f"{', '.join(shown)} and {count - len(shown)} more"
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


def _bad_cells_error(
    file: str, column: str, cells: list[tuple[int, str]], count: int, one: str, many: str
) -> CliError:
    """The error for a column's bad cells, ``one`` or ``many`` saying what they are not.

    Examples
    --------
    >>> print(_bad_cells_error("d.csv", "'m'", [(4, "x")], 1, "a date.", "dates."))
    d.csv line 4, column 'm': 'x' is not a date.
    >>> print(_bad_cells_error("d.csv", "'m'", [(4, "x"), (6, "y")], 5, "a date.", "dates."))
    d.csv column 'm': line 4 ('x'), line 6 ('y') and 3 more are not dates.
    """
    if count == 1:
        ((line, value),) = cells
        return CliError(f"{file} line {line}, column {column}: {value!r} is not {one}")
    return CliError(f"{file} column {column}: {_listed(cells, count)} are not {many}")


def _dates(df: pl.DataFrame, x: str | None, args: dict[str, Any], file: str) -> pl.DataFrame:
    """Read a text x column of dates (day first), and the x values given as arguments.

    Parameters
    ----------
    df : polars.DataFrame
        The CSV file's rows.
    x : str or None
        The x column.
    args : dict
        ``freeze``, ``parts``, ``exclude`` or ``rebase`` -> value(s) as given, or None;
        on a date column they are replaced by dates in place.
    file : str
        The file's name, for messages.

    Returns
    -------
    polars.DataFrame
        ``df``, with x as dates when it is a text column of dates.

    Raises
    ------
    CliError
        For values of a date column that its layout cannot read (naming their lines),
        and for argument values that are not dates.

    Examples
    --------
    >>> d = pl.DataFrame({"week": ["01 Mar 2024", "NA", "15 Mar 2024"]})
    >>> args = {"freeze": "08/03/2024"}
    >>> _dates(d, "week", args, "d.csv").get_column("week").to_list()
    [datetime.date(2024, 3, 1), None, datetime.date(2024, 3, 15)]
    >>> args
    {'freeze': datetime.date(2024, 3, 8)}
    >>> _dates(pl.DataFrame({"week": ["01 Mar 2024", "31 Feb 2024"]}), "week", {}, "d.csv")
    Traceback (most recent call last):
    pipelines.errors.CliError: d.csv line 3, column 'week': '31 Feb 2024' is not a date \
(the other dates are like 01 Mar 2024). Correct it or delete the row.
    """
    if x is None or x not in df.columns:
        return df
    if df.schema[x] == pl.String:
        fmt = date_format(df.get_column(x))
        if fmt is None:
            return df
        cells = _cells(x)
        dates = cells.str.strptime(pl.Date, fmt, strict=False)
        example = df.filter(dates.is_not_null()).item(0, x)
        bad, count = _bad_cells(df, x, cells.is_not_null() & dates.is_null())
        if count:
            like = f"(the other dates are like {example})"
            raise _bad_cells_error(
                file,
                repr(x),
                bad,
                count,
                f"a date {like}. Correct it or delete the row.",
                f"dates {like}. Correct them or delete the rows.",
            )
        df = df.with_columns(dates.alias(x))
        layouts = (fmt, *DATE_FORMATS)
    elif df.schema[x] == pl.Date:
        present = df.get_column(x).drop_nulls()
        example = present[0].isoformat() if len(present) else "2024-01-31"
        layouts = DATE_FORMATS
    else:
        return df
    for name, option in _X_OPTIONS.items():
        if args.get(name) is not None:
            args[name] = _x_dates(args[name], layouts, option, x, example)
    return df


def _x_dates(
    value: str | list[str], layouts: tuple[str, ...], option: str, x: str, example: str
) -> Any:
    """An option's x value(s) as dates, read in the first of ``layouts`` that reads each.

    Examples
    --------
    >>> _x_dates(["1 Mar 2024", "2024-03-08"], ("%d %b %Y", "%Y-%m-%d"), "--part", "w", "")
    [datetime.date(2024, 3, 1), datetime.date(2024, 3, 8)]
    >>> _x_dates("2024-02-30", ("%Y-%m-%d",), "--freeze", "week", "2024-03-01")
    Traceback (most recent call last):
    pipelines.errors.CliError: --freeze '2024-02-30' is not a date. Give it like the dates \
in column 'week' (such as 2024-03-01), or as YYYY-MM-DD.
    """
    values = pl.DataFrame({"value": value if isinstance(value, list) else [value]})
    text = pl.col("value").str.strip_chars()
    read = values.with_columns(
        date=pl.coalesce(text.str.strptime(pl.Date, fmt, strict=False) for fmt in layouts)
    )
    bad = read.filter(pl.col("date").is_null()).get_column("value").to_list()
    if bad:
        shown = " and ".join(map(repr, bad))
        raise CliError(
            f"{option} {shown} {'is not a date' if len(bad) == 1 else 'are not dates'}. "
            f"Give {'it' if len(bad) == 1 else 'them'} like the dates in column {x!r} "
            f"(such as {example}), or as YYYY-MM-DD."
        )
    dates = read.get_column("date").to_list()
    return dates if isinstance(value, list) else dates[0]


def _numbers(df: pl.DataFrame, columns: dict[str, str | None], file: str) -> pl.DataFrame:
    """Text y and n columns as numbers, ``MISSING_WORDS`` as missing.

    A column without a single number is left as it is, for the engine to report.

    Parameters
    ----------
    df : polars.DataFrame
        The CSV file's rows.
    columns : dict
        Role ("y", "n") -> column name, or None when not given.
    file : str
        The file's name, for messages.

    Raises
    ------
    CliError
        For non-missing values that are not numbers, naming up to three lines.

    Examples
    --------
    >>> d = pl.DataFrame({"falls": ["4", " NA", "", "5"]})
    >>> _numbers(d, {"y": "falls"}, "d.csv").get_column("falls").to_list()
    [4.0, None, None, 5.0]
    >>> _numbers(pl.DataFrame({"falls": ["4", "5 falls"]}), {"y": "falls"}, "d.csv")
    Traceback (most recent call last):
    pipelines.errors.CliError: d.csv line 3, column 'falls' (y): '5 falls' is not a number. \
Write numbers only (no units, '<' or thousands commas; '.' for decimals), leave the cell \
empty if the value is not known, or delete the row.
    """
    rule = "Write numbers only (no units, '<' or thousands commas; '.' for decimals)"
    for role, column in columns.items():
        if column is None or column not in df.columns or df.schema[column] != pl.String:
            continue
        cells = _cells(column)
        number = cells.cast(pl.Float64, strict=False)
        if df.select(number.is_not_null().any()).item():
            bad, count = _bad_cells(df, column, cells.is_not_null() & number.is_null())
            if count:
                raise _bad_cells_error(
                    file,
                    f"{column!r} ({role})",
                    bad,
                    count,
                    f"a number. {rule}, leave the cell empty if the value is not known, "
                    "or delete the row.",
                    f"numbers. {rule}, leave a cell empty if its value is not known, or "
                    "delete the rows.",
                )
            df = df.with_columns(number.alias(column))
    return df


def _outputs(args: argparse.Namespace, kind: str) -> tuple[Path, Path]:
    out = Path(args.out) if args.out else Path("out") / f"{Path(args.csv).stem}_{kind}.html"
    points = Path(args.points) if args.points else out.with_suffix(".csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    points.parent.mkdir(parents=True, exist_ok=True)
    return out, points


def _print_findings(findings: list[Finding]) -> None:
    for f in findings:
        print(f"{f.label + ': ' if f.label else ''}{f.headline}")
        for d in f.details:
            print(f"  - {d}")


def _run_qic(args: argparse.Namespace) -> None:
    df = _read_csv(Path(args.csv))
    file = Path(args.csv).name
    kwargs: dict[str, Any] = {"freeze": args.freeze, "parts": args.part, "exclude": args.exclude}
    df = _numbers(_dates(df, args.x, kwargs, file), {"y": args.y, "n": args.n}, file)
    result = qic(
        df,
        x=args.x,
        y=args.y,
        n=args.n,
        chart=args.chart,
        facets=args.facet,
        multiply=args.multiply,
        screen_mr=not args.no_screen_mr,
        rules=args.rules,
        target=args.target,
        **kwargs,
    )
    fig = qic_figure(result, title=args.title, ylab=args.ylab)
    _write(args, result, fig, "qic")


def _run_mdc(args: argparse.Namespace) -> None:
    df = _read_csv(Path(args.csv))
    file = Path(args.csv).name
    kwargs: dict[str, Any] = {"rebase": args.rebase}
    df = _numbers(_dates(df, args.x, kwargs, file), {"y": args.y}, file)
    result = mdc(
        df,
        x=args.x,
        y=args.y,
        facet=args.facet,
        improvement=args.improvement,
        target=args.target,
        fix_after_n_points=args.fix_after,
        screen_outliers=not args.no_screen_outliers,
        rules=args.rules,
        **kwargs,
    )
    fig = mdc_figure(result, title=args.title, ylab=args.ylab)
    _write(args, result, fig, "mdc")


def _write(args: argparse.Namespace, result: Any, fig: Any, kind: str) -> None:
    out, points = _outputs(args, kind)
    findings = findings_for(result)
    title = fig.layout.title.text
    out.write_text(report_html(fig, findings, result.rules, title=title), encoding="utf-8")
    result.points.write_csv(points)
    print(f"{title}  [{result.rules.name} {result.rules.version}]")
    _print_findings(findings)
    print(f"chart:  {out}\npoints: {points}")


def _common(s: argparse.ArgumentParser) -> None:
    s.add_argument("csv", help="CSV file, one row per observation, with a header row")
    s.add_argument("--x", required=True, help="column along the x axis (e.g. month)")
    s.add_argument("--y", required=True, help="column of the measure (numerator)")
    s.add_argument("--out", help="HTML chart to write (default out/<csv>_<chart>.html)")
    s.add_argument("--points", help="points CSV to write (default: beside --out)")
    s.add_argument("--title", help="chart title")
    s.add_argument("--ylab", help="y axis label")


def add_parsers(sub: Any) -> None:
    """Add the ``qic`` and ``mdc`` commands to the ``m4c`` sub-parsers."""
    q = sub.add_parser("qic", help="run chart or control chart (qicharts2 semantics)")
    _common(q)
    q.add_argument("--n", help="column of the denominator (e.g. bed_days)")
    q.add_argument("--chart", default="run", choices=list(CHARTS), help="chart type")
    q.add_argument("--facet", action="append", help="column to split into panels (repeatable)")
    q.add_argument("--freeze", help="x value of the last baseline point")
    q.add_argument("--part", action="append", help="x value where a new part begins (repeatable)")
    q.add_argument("--exclude", action="append", help="x value to leave out (repeatable)")
    q.add_argument("--multiply", type=float, default=1.0, help="scale, e.g. 1000 per 1,000")
    q.add_argument("--no-screen-mr", action="store_true", help="do not screen moving ranges")
    q.add_argument("--rules", default="anhoej", choices=["anhoej", "ihi"], help="rule set")
    q.add_argument("--target", type=float, help="target line, on the chart's scale")
    q.set_defaults(func=_run_qic)

    m = sub.add_parser("mdc", help="Making Data Count XmR chart (NHSRplotthedots semantics)")
    _common(m)
    m.add_argument("--facet", help="column to split into panels")
    m.add_argument(
        "--improvement",
        default="increase",
        choices=["increase", "decrease", "neutral"],
        help="which way is better",
    )
    m.add_argument("--target", type=float, help="target value (gives the assurance icon)")
    m.add_argument("--rebase", action="append", help="x value where limits restart (repeatable)")
    m.add_argument("--fix-after", type=int, help="fix the limits after this many points (>= 12)")
    m.add_argument(
        "--no-screen-outliers",
        action="store_true",
        help="do not screen moving ranges (as the MDC Excel tool)",
    )
    m.add_argument("--rules", default="mdc", choices=[r for r in RULE_SETS if r.startswith("mdc")])
    m.set_defaults(func=_run_mdc)
