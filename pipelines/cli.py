"""The ``m4c`` command line.

``m4c qic`` and ``m4c mdc`` chart a CSV file of your own (:mod:`pipelines.chart_commands`).
``m4c measures`` lists the measures' latest values, verdicts and signals
(:mod:`pipelines.measure_commands`); ``m4c roi`` the return on investment
(:mod:`pipelines.roi_commands`). ``m4c ingest``, ``validate``, ``run`` and ``demo``
run selections of the Dagster asset graph in process, on the project's Dagster
instance (:mod:`pipelines.runner`): what they do is what the UI, the schedule and the
sensor do. Settings come from ``m4c.toml``
(found from the current folder upwards); ``--inbox``, ``--warehouse`` and ``--out``
override its paths.

Exit status: 0 when all went well; 2 for a usage or input error (one line on stderr,
``m4c: error: ...``); 3 when ``ingest``, ``run`` or ``demo`` refused some files (the
others loaded; the reasons are printed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from charts.errors import SpcInputError
from expectations import report
from expectations.rules import RuleError
from expectations.validate import Validation
from pipelines import chart_commands, demo, measure_commands, roi_commands
from pipelines.errors import CliError
from pipelines.runner import materialise, prepare_home, project_instance, selection_of
from pipelines.unchanged import TAG, inputs_fingerprint, last_same_run, outputs_present
from synth import write_extracts
from warehouse.connection import WarehouseBusyError, connect
from warehouse.inbox import InboxError
from warehouse.inbox import check as check_inbox
from warehouse.landing import FileResult, recorded
from warehouse.settings import Settings, SettingsError, load_settings
from warehouse.staging import ReferenceDataError

USER_ERRORS = (
    SpcInputError,
    CliError,
    ReferenceDataError,
    RuleError,
    SettingsError,
    WarehouseBusyError,
    InboxError,
)
REFUSED = 3  # exit status when some files were refused


def _settings(args: argparse.Namespace) -> Settings:
    """The settings file's, with the paths given on the command line."""
    return load_settings().replace(
        inbox=getattr(args, "inbox", None),
        warehouse=getattr(args, "warehouse", None),
        out=getattr(args, "out", None),
    )


def _print_ingest(results: list[FileResult], settings: Settings, *, as_json: bool) -> int:
    """Print what happened to each file and the totals; the exit status they call for."""
    refused = [r for r in results if r.status == "refused"]
    if as_json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
        return REFUSED if refused else 0
    width = max((len(r.file) for r in results), default=4)
    print(f"{'file':{width}}  {'status':9} {'in':>7} {'loaded':>7} {'quarant.':>8} {'skipped':>7}")
    for r in results:
        print(
            f"{r.file:{width}}  {r.status:9} {r.rows_in:7} {r.rows_loaded:7} "
            f"{r.rows_quarantined:8} {r.rows_skipped:7}"
        )
    for r in refused:
        print(f"m4c: refused: {r.message}", file=sys.stderr)
    for r in results:
        if r.warning:
            print(f"m4c: warning: {r.warning}", file=sys.stderr)
    total = sum(r.rows_in for r in results)
    ignored = sum(r.status == "ignored" for r in results)
    print(
        f"{len(results)} files ({len(refused)} refused"
        + (f", {ignored} hidden ignored" if ignored else "")
        + f"), {total:,} rows: {sum(r.rows_loaded for r in results):,} loaded, "
        f"{sum(r.rows_quarantined for r in results):,} quarantined, "
        f"{sum(r.rows_skipped for r in results):,} skipped. Warehouse: {settings.warehouse}"
    )
    if refused:
        print(
            f"m4c: {len(refused)} file{'s were' if len(refused) > 1 else ' was'} refused "
            f"(exit status {REFUSED}): correct or move them and run again.",
            file=sys.stderr,
        )
    return REFUSED if refused else 0


def _ingest_results(settings: Settings) -> list[FileResult]:
    with connect(settings.warehouse, read_only=True) as con:
        return recorded(con)


def _run_ingest(args: argparse.Namespace) -> int:
    settings = _settings(args)
    check_inbox(settings.inbox)
    materialise(settings, selection_of("ingest"), live=args.live)
    return _print_ingest(_ingest_results(settings), settings, as_json=args.json)


def _run_validate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not settings.warehouse.is_file():
        raise CliError(
            f"there is no warehouse at {str(settings.warehouse)!r}. Load extracts first: "
            "`m4c ingest`, or `m4c demo` for the synthetic set."
        )
    with connect(settings.warehouse, read_only=True) as con:
        if not con.sql("SELECT count(*) FROM load_log").fetchall()[0][0]:
            raise CliError(f"the warehouse {str(settings.warehouse)!r} has no extracts loaded yet.")
    as_of = _as_of(args.as_of)
    result = materialise(settings, selection_of("validate"), as_of=as_of)
    pages = settings.out / "data_quality"
    with connect(settings.warehouse, read_only=True) as con:
        known = report.sites(con)
        if args.site and args.site not in known:
            raise CliError(
                f"no site {args.site!r} in the warehouse; the sites are {', '.join(known)}."
            )
        per_site = report.results_by_site(con, [args.site] if args.site else known)
        stored = con.sql("SELECT * FROM dq_results").pl()
    meta = result.asset_materializations_for_node("dq_results")[0].metadata
    run = Validation(
        run_id=meta["run_id"].value,
        run_date=dt.date.fromisoformat(meta["run_date"].value),
        results=stored,
        details=pl.DataFrame(),
    )
    if args.json:
        print(json.dumps(report.as_json(run, per_site, pages), indent=2, default=str))
        return 0
    print(f"data quality as of {run.run_date:%-d %B %Y} (run {run.run_id}); pages in {pages}")
    for site, results in per_site.items():
        print(report.summary_line(results, site))
        for line in report.problem_lines(results, limit=args.limit):
            print(f"  {line}")
    return 0


def _as_of(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--as-of {text!r} is not a date: give it as YYYY-MM-DD.") from None


def _run_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    selection = args.select.split(",") if args.select else None
    if selection is None or "raw_extracts" in selection:
        check_inbox(settings.inbox)
    inputs = inputs_fingerprint(settings, live=args.live) if selection is None else None
    same = None
    if inputs is not None and not args.force and outputs_present(settings):
        with project_instance(settings) as instance:
            same = last_same_run(instance, inputs)
    if same is None:
        tags = {TAG: inputs} if inputs is not None else {}
        materialise(settings, selection, live=args.live, progress=True, tags=tags)
    else:
        when = dt.datetime.fromtimestamp(same.start_time or 0, dt.UTC)
        print(
            f"nothing new since run {same.dagster_run.run_id[:8]} ({when:%-d %B %Y %H:%M} UTC): "
            "the inbox, "
            "the settings and the code are as they were, so its outputs stand. --force runs "
            "the graph anyway."
        )
    results = _ingest_results(settings) if settings.warehouse.is_file() else []
    refused = [r for r in results if r.status == "refused"]
    for r in refused:
        print(f"m4c: refused: {r.message}", file=sys.stderr)
    print(f"done: outputs in {settings.out}, warehouse {settings.warehouse}")
    return REFUSED if refused else 0


def _run_synth(args: argparse.Namespace) -> int:
    out = Path(args.out)
    try:
        summary = write_extracts(
            out,
            truth=Path(args.truth) if args.truth else None,
            sites=args.sites,
            homes=args.homes,
            months=args.months,
            seed=args.seed,
            quirk_rate=args.quirk_rate,
            **{
                k: v
                for k in ("intervention_month", "comparison_sites")
                if (v := getattr(args, k)) is not None  # else the generator's default
            },
        )
    except (ValueError, FileExistsError) as exc:
        raise CliError(str(exc)) from None
    print(
        f"wrote {len(summary.paths)} files for {summary.sites} sites, {summary.homes} homes "
        f"and {summary.residents} residents over {summary.months} months to {out} "
        f"(truth in {summary.truth}). The data are synthetic: NHS numbers come from the "
        "999 test range."
    )
    return 0


def _run_demo(args: argparse.Namespace) -> int:
    result = demo.run(_settings(args))
    return REFUSED if result.ingest["files_refused"] else 0


def _run_ui(args: argparse.Namespace) -> int:
    """``dagster dev`` on the project's Dagster home and code location."""
    settings = _settings(args)
    env = {**os.environ, "DAGSTER_HOME": str(prepare_home(settings.dagster_home))}
    command = ["dagster", "dev", "-m", "pipelines.definitions", "-h", args.host, "-p", args.port]
    print(f"DAGSTER_HOME={env['DAGSTER_HOME']} {' '.join(command)}")
    return subprocess.call(command, env=env, cwd=settings.root)


def _paths(s: argparse.ArgumentParser, *, inbox: bool = True, out: bool = True) -> None:
    if inbox:
        s.add_argument("--inbox", help="folder of extracts, one sub-folder per site (m4c.toml)")
    s.add_argument("--warehouse", help="DuckDB file (default: m4c.toml, data/warehouse.duckdb)")
    if out:
        s.add_argument("--out", help="folder for pages and charts (default: m4c.toml, out/)")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="m4c",
        description="Measure for Change: run charts and SPC charts for quality improvement.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    chart_commands.add_parsers(sub)

    i = sub.add_parser("ingest", help="load the inbox's extracts into the warehouse")
    _paths(i, out=False)
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
    y.add_argument(
        "--intervention-month",
        type=int,
        help="month (from 0) the first site's change ideas start; later sites a month later",
    )
    y.add_argument(
        "--comparison-sites",
        type=int,
        help="sites (the last ones) that make no change, to compare with (default 1)",
    )
    y.add_argument("--out", required=True, help="folder to write (must be empty or new)")
    y.add_argument("--truth", help="folder for the truth (default: beside --out, <out>-truth)")
    y.set_defaults(func=_run_synth)

    v = sub.add_parser(
        "validate",
        help="check data quality: rebuild the staged model, run every rule, write a page per site",
    )
    _paths(v, inbox=False)
    v.add_argument("--site", help="only this site (default: every site)")
    v.add_argument("--json", action="store_true", help="print the results as JSON")
    v.add_argument("--as-of", help="judge freshness and future dates against this day")
    v.add_argument("--limit", type=int, default=10, help="problems printed per site")
    v.set_defaults(func=_run_validate)

    r = sub.add_parser("run", help="run the whole graph (or --select assets) on real extracts")
    _paths(r)
    r.add_argument("--select", help="comma-separated asset keys (default: every asset)")
    r.add_argument("--live", action="store_true", help="live data (see m4c ingest --help)")
    r.add_argument(
        "--force", action="store_true",
        help="run the whole graph even if nothing has changed since the last run",
    )  # fmt: skip
    r.set_defaults(func=_run_run)

    d = sub.add_parser(
        "demo", help="the main job on synthetic data: extracts to warehouse to chart"
    )
    _paths(d)
    d.set_defaults(func=_run_demo)

    measure_commands.add_parser(sub)
    roi_commands.add_parser(sub)

    u = sub.add_parser("ui", help="the Dagster UI (dagster dev) on the project's instance")
    u.add_argument("--host", default="127.0.0.1", help="address to serve on")
    u.add_argument("--port", default="3000", help="port to serve on")
    u.set_defaults(func=_run_ui)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``m4c``; return the exit status (0, 2 on a user error, 3 if files were refused)."""
    args = _parser().parse_args(argv)

    def show(message: Warning | str, *_: Any, **__: Any) -> None:
        print(f"m4c: warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        warnings.simplefilter("always")
        try:
            return args.func(args) or 0
        except USER_ERRORS as exc:
            print(f"m4c: error: {exc}", file=sys.stderr)
            return 2


if __name__ == "__main__":
    raise SystemExit(main())
