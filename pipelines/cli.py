r"""The ``m4c`` command line.

``m4c qic`` and ``m4c mdc`` chart a CSV file: they write the points table as CSV and
a self-contained HTML page with the chart and its findings in plain words.

Examples
--------
::

    m4c qic data/samples/falls.csv --x month --y falls --n bed_days --chart u \\
        --multiply 1000 --facet home --freeze 2023-12-01 --out out/falls.html
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from assets import staging
from assets.landing import connect, ingest
from assets.staging import ReferenceDataError
from charts.errors import SpcInputError
from charts.explain import Finding
from charts.limits import CHARTS
from charts.plot import findings_for, mdc_figure, qic_figure, report_html
from charts.rules import RULE_SETS
from charts.spc import mdc, qic
from connectors.synth import write_extracts
from expectations import report
from expectations.rules import RuleError
from expectations.validate import validate
from pipelines import demo, settings

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


class CliError(Exception):
    """An error to report to the user as one line, without a traceback."""


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


def date_format(values: pl.Series) -> str | None:
    """The first of ``DATE_FORMATS`` that reads every non-empty value, if any.

    Examples
    --------
    >>> date_format(pl.Series(["01/03/2024", "13/03/2024"]))
    '%d/%m/%Y'
    """
    present = values.drop_nulls()
    if present.is_empty():
        return None
    for fmt in DATE_FORMATS:
        parsed = present.str.strptime(pl.Date, fmt, strict=False)
        if parsed.null_count() == 0:
            return fmt
    return None


def _dates(df: pl.DataFrame, x: str | None, args: dict[str, Any]) -> pl.DataFrame:
    """Read a text x column of dates (day first), and the x values given as arguments."""
    if x is None or x not in df.columns or df.schema[x] != pl.String:
        return df
    fmt = date_format(df.get_column(x))
    if fmt is None:
        return df
    for name in ("freeze", "parts", "exclude", "rebase"):
        if args.get(name) is not None:
            values = args[name] if isinstance(args[name], list) else [args[name]]
            parsed = pl.Series(values).str.strptime(pl.Date, fmt, strict=False)
            iso = pl.Series(values).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
            fixed = parsed.fill_null(iso).to_list()
            args[name] = fixed if isinstance(args[name], list) else fixed[0]
    return df.with_columns(pl.col(x).str.strptime(pl.Date, fmt))


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
    kwargs: dict[str, Any] = {"freeze": args.freeze, "parts": args.part, "exclude": args.exclude}
    df = _dates(df, args.x, kwargs)
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
    kwargs: dict[str, Any] = {"rebase": args.rebase}
    df = _dates(df, args.x, kwargs)
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


def _open_warehouse(warehouse: Path) -> duckdb.DuckDBPyConnection:
    try:
        return connect(warehouse)
    except duckdb.IOException as exc:
        raise CliError(
            f"the warehouse {str(warehouse)!r} is in use by another process (only one may "
            f"write at a time: is `dagster dev` running a job?). Wait or stop it. ({exc})"
        ) from None


def _run_ingest(args: argparse.Namespace) -> None:
    inbox = Path(args.inbox)
    if not inbox.is_dir():
        raise CliError(f"cannot find the inbox folder {str(inbox)!r}.")
    warehouse = Path(args.warehouse) if args.warehouse else settings.warehouse_path()
    key = settings.pseudo_key(warehouse)
    con = _open_warehouse(warehouse)
    try:
        results = ingest(inbox, con, key=key, live=args.live)
    finally:
        con.close()
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
        return
    width = max((len(r.file) for r in results), default=4)
    print(f"{'file':{width}}  {'status':9} {'in':>7} {'loaded':>7} {'quarant.':>8} {'skipped':>7}")
    for r in results:
        print(
            f"{r.file:{width}}  {r.status:9} {r.rows_in:7} {r.rows_loaded:7} "
            f"{r.rows_quarantined:8} {r.rows_skipped:7}"
        )
    for r in results:
        if r.status == "refused":
            print(f"m4c: refused: {r.message}", file=sys.stderr)
    total = sum(r.rows_in for r in results)
    print(
        f"{len(results)} files, {total} rows: {sum(r.rows_loaded for r in results)} loaded, "
        f"{sum(r.rows_quarantined for r in results)} quarantined, "
        f"{sum(r.rows_skipped for r in results)} skipped. Warehouse: {warehouse}"
    )


def _run_validate(args: argparse.Namespace) -> None:
    warehouse = Path(args.warehouse) if args.warehouse else settings.warehouse_path()
    if not warehouse.is_file():
        raise CliError(
            f"there is no warehouse at {str(warehouse)!r}. Load extracts first: `m4c ingest "
            "--inbox <folder>`, or `m4c demo` for the synthetic set."
        )
    as_of = _as_of(args.as_of)
    con = _open_warehouse(warehouse)
    try:
        if not con.sql("SELECT count(*) FROM load_log").fetchall()[0][0]:
            raise CliError(f"the warehouse {str(warehouse)!r} has no extracts loaded yet.")
        staging.build_all(con)
        run = validate(con, run_date=as_of)
        known = report.sites(con)
        if args.site and args.site not in known:
            raise CliError(
                f"no site {args.site!r} in the warehouse; the sites are {', '.join(known)}."
            )
        per_site = report.results_by_site(con, [args.site] if args.site else known)
    finally:
        con.close()
    pages = Path(args.out) / "data_quality"
    report.write_pages(per_site, pages)
    if args.json:
        print(json.dumps(report.as_json(run, per_site, pages), indent=2, default=str))
        return
    print(f"data quality as of {run.run_date} (run {run.run_id}); pages in {pages}")
    for site, results in per_site.items():
        print(report.summary_line(results, site))
        for line in report.problem_lines(results, limit=args.limit):
            print(f"  {line}")


def _as_of(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--as-of {text!r} is not a date: give it as YYYY-MM-DD.") from None


def _run_synth(args: argparse.Namespace) -> None:
    out = Path(args.out)
    try:
        summary = write_extracts(
            out,
            sites=args.sites,
            homes=args.homes,
            months=args.months,
            seed=args.seed,
            quirk_rate=args.quirk_rate,
        )
    except (ValueError, FileExistsError) as exc:
        raise CliError(str(exc)) from None
    print(
        f"wrote {len(summary.paths)} files for {summary.sites} sites, {summary.homes} homes "
        f"and {summary.residents} residents over {summary.months} months to {out} "
        f"(truth in {out / 'truth'}). The data are synthetic: NHS numbers come from the "
        "999 test range."
    )


def _run_demo(args: argparse.Namespace) -> None:
    inbox, warehouse, out = demo.default_paths()
    demo.run(
        Path(args.inbox) if args.inbox else inbox,
        Path(args.warehouse) if args.warehouse else warehouse,
        Path(args.out) if args.out else out,
    )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="m4c",
        description="Measure for Change: run charts and SPC charts for quality improvement.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    def common(s: argparse.ArgumentParser) -> None:
        s.add_argument("csv", help="CSV file, one row per observation, with a header row")
        s.add_argument("--x", required=True, help="column along the x axis (e.g. month)")
        s.add_argument("--y", required=True, help="column of the measure (numerator)")
        s.add_argument("--out", help="HTML chart to write (default out/<csv>_<chart>.html)")
        s.add_argument("--points", help="points CSV to write (default: beside --out)")
        s.add_argument("--title", help="chart title")
        s.add_argument("--ylab", help="y axis label")

    q = sub.add_parser("qic", help="run chart or control chart (qicharts2 semantics)")
    common(q)
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
    common(m)
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

    i = sub.add_parser("ingest", help="load an inbox of extracts into the warehouse")
    i.add_argument("--inbox", required=True, help="folder with one sub-folder per site")
    i.add_argument("--warehouse", help="DuckDB file (default data/warehouse.duckdb)")
    i.add_argument("--json", action="store_true", help="print one JSON object per file")
    i.add_argument(
        "--live",
        action="store_true",
        help="live data: treat NHS numbers 999 000 0000-999 999 9999 as test patients",
    )
    i.set_defaults(func=_run_ingest)

    y = sub.add_parser("synth", help="write a synthetic extract set (and its truth)")
    y.add_argument("--sites", type=int, default=4, help="sites (default 4, as in PEACH)")
    y.add_argument("--homes", type=int, default=29, help="care homes in all (default 29)")
    y.add_argument("--months", type=int, default=18, help="months of data (default 18)")
    y.add_argument("--seed", type=int, default=7, help="random seed (same seed, same files)")
    y.add_argument("--quirk-rate", type=float, default=0.02, help="share of junk rows")
    y.add_argument("--out", required=True, help="folder to write (must be empty or new)")
    y.set_defaults(func=_run_synth)

    v = sub.add_parser(
        "validate",
        help="check data quality: rebuild the staged model, run every rule, write a page per site",
    )
    v.add_argument("--warehouse", help="DuckDB file (default data/warehouse.duckdb)")
    v.add_argument("--site", help="only this site (default: every site)")
    v.add_argument("--json", action="store_true", help="print the results as JSON")
    v.add_argument("--as-of", help="judge freshness and future dates against this day")
    v.add_argument("--out", default="out", help="folder for data_quality/<site>.html")
    v.add_argument("--limit", type=int, default=10, help="problems printed per site")
    v.set_defaults(func=_run_validate)

    d = sub.add_parser(
        "demo", help="the main job on synthetic data: extracts to warehouse to chart"
    )
    d.add_argument("--inbox", help="inbox (default data/inbox, written if empty)")
    d.add_argument("--warehouse", help="DuckDB file (default data/warehouse.duckdb)")
    d.add_argument("--out", help="folder for the chart (default out/)")
    d.set_defaults(func=_run_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``m4c``; return the exit status (0 on success, 2 on a user error)."""
    args = _parser().parse_args(argv)

    def show(message: Warning | str, *_: Any, **__: Any) -> None:
        print(f"m4c: warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        warnings.simplefilter("always")
        try:
            args.func(args)
        except (SpcInputError, CliError, ReferenceDataError, RuleError) as exc:
            print(f"m4c: error: {exc}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
