"""All measures, SPC results and signals for 1,000 care homes x 36 months, against peers.

Builds (once, cached under ``--dir``) a warehouse of 1,000 care homes at 20 sites over 36
months. Synthesising all of them at once does not fit a shared 24 GiB machine
(``write_extracts(sites=20, homes=1000, months=36)`` passed 18 GiB of memory after eight
minutes, with 3.3 GB of files written), so by default (``--copies 10``) it synthesises a
tenth, 100 homes at 2 sites (``synth.write_extracts(..., quirk_rate=0.02)``), ingests it
(``m4c ingest``), then copies every landing table ten times in SQL, each copy with new
site, home, person and file ids (and paths), and builds the staged model and runs the
data-quality checks on the result: 1,000 homes at 20 sites of 50 homes, each staged
table built by its own SQL (the extract period from the raw care-home observations and
incidents, the checks from the load log), ``dq_results`` gating the points as in
production. Copies hold the same events, so their series are alike; the work is not.
``--copies 1`` synthesises everything. The build runs in a child process, so its memory
is not counted below; the staged model and the checks are rebuilt from the cached
landing tables whenever their code, SQL or code lists change (``--restage`` forces it;
``--rebuild`` regenerates and ingests everything, which a change to the synthesis or the
ingest needs).

Then, in one run, on a copy of the cached warehouse, it times:

* ``compute``: every measure of the packaged registry (``load_registry()``) into
  ``measure_values``, with the site and collaborative points and the data-quality gate;
* ``compute_spc``: ``spc_results``, one ``qic`` call per chart type and one ``mdc`` call
  per improvement direction;
* ``compute_signals``: ``signals`` and ``baseline_suggestions``;

each separately and in total, with the measures, points and series, and the peak memory
(max RSS of this process). Target: **all three in under 30 s on 2 cores**. Peers measured
in the same run:

(a) the same SPC results the naive way, one ``qic`` (and one ``mdc``) call per series in a
    Python loop, timed on a random sample of ``--sample`` series and scaled up to all of
    them; the ratio is against the engine's own vectorised ``qic`` and ``mdc`` calls on
    the same points;
(b) DuckDB alone scanning the staged tables the measures read (a ``count(*)`` per site,
    home and month of each): the floor for reading the data at all.

With ``--profile``, or when the total misses the target, it also times the shared
intermediates (worked out once per run, as ``compute`` does), each measure's SQL after
them, ``measure_values.sql`` and each step of ``compute_spc`` on their own. Run:
``uv run python benchmarks/measures_bench.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from expectations.validate import validate
from synth import write_extracts
from warehouse.connection import connect
from warehouse.landing import ingest
from warehouse.measures import compute, load_registry
from warehouse.measures import spc_results as spc
from warehouse.measures.signals import compute_signals
from warehouse.measures.values import shared_intermediates
from warehouse.staging import build_all
from warehouse.tables import table

TARGET_S = 30.0
RUN_AT = dt.datetime(2026, 1, 1, 6, 0)
ROOT = Path(__file__).resolve().parents[1]


def peak_mib() -> float:
    """Max RSS of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def staging_fingerprint() -> str:
    """A hash of the code, SQL, code lists and rules the staged model and checks come from."""
    digest = hashlib.sha256()
    files = [ROOT / "warehouse" / "staging.py", ROOT / "warehouse" / "tables.py"]
    files += sorted((ROOT / "warehouse" / "sql").glob("*.sql"))
    files += sorted((ROOT / "warehouse" / "reference").glob("*.csv"))
    files += sorted((ROOT / "expectations").rglob("*.sql"))
    files += sorted((ROOT / "expectations").glob("*.csv"))
    for f in files:
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


# How each copy k of a landing table gets ids of its own (columns absent are skipped): a
# site, home and person of copy k are new ones, and every file is a new file.
_COPY = {
    "site_id": "site_id || '_r' || k",
    "home_id": "home_id || '-r' || k",
    "home_ids": "list_transform(home_ids, lambda h: h || '-r' || k)",
    "pseudo_id": "pseudo_id || 'r' || k",
    "person_key": "person_key || 'r' || k",
    "file_id": "file_id + k * $offset",
    # <site>/carehome/<home>/file.csv: the checks read the site and home from the path
    "path": "regexp_replace(split_part(path, '/', 1) || '_r' || k || "
    "substr(path, strpos(path, '/')), '^([^/]+/carehome/[^/]+)/', '\\1-r' || k || '/')",
}


def replicate(con: duckdb.DuckDBPyConnection, copies: int) -> dict[str, int]:
    """Add ``copies - 1`` copies of every landing table, each with new sites, homes, people.

    Every table the ingest writes (``raw_*``, ``load_log``, ``quarantine``, ``withdrawn``,
    ``test_person``) is copied, so that the staged model built from them afterwards is
    that of ``copies`` times the homes, with the real SQL (the extract period reads the
    raw care-home observations and incidents; the checks read the load log). Returns the
    rows per table after copying.
    """
    tables = [
        t
        for (t,) in con.sql(
            "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'raw_%' OR "
            "table_name IN ('load_log', 'quarantine', 'withdrawn', 'test_person') ORDER BY 1"
        ).fetchall()
    ]
    top = con.sql("SELECT coalesce(max(file_id), 0) FROM load_log").fetchall()[0][0]
    offset = 10 ** len(str(top))
    rows = {}
    for name in tables:
        columns = [
            c
            for (c,) in con.sql(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = $1 "
                "ORDER BY column_index",
                params=[name],
            ).fetchall()
        ]
        select = ", ".join(_COPY.get(c, f'"{c}"') for c in columns)
        con.execute(
            f'INSERT INTO "{name}" SELECT {select} FROM "{name}", range(1, $copies) AS r(k)',
            {"copies": copies, **({"offset": offset} if "file_id" in columns else {})},
        )  # table and column names from the warehouse's own catalogue
        rows[name] = con.sql(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]
    return rows


def register(truth: Path, copies: int) -> list[dict[str, Any]]:
    """The register of homes (their names, for the sentences), with each copy's homes."""
    homes = pl.read_csv(truth / "homes.csv", infer_schema=False).with_columns(
        pl.col("beds").cast(pl.Int64)
    )
    copied = [homes] + [
        homes.with_columns(
            site_id=pl.col("site_id") + f"_r{k}",
            site_name=pl.col("site_name") + f" {k + 1}",
            home_id=pl.col("home_id") + f"-r{k}",
            home_name=pl.col("home_name") + f" ({k + 1})",
        )
        for k in range(1, copies)
    ]
    return pl.concat(copied).to_dicts()


def _build(folder: Path, spec: dict[str, Any], restage_only: bool) -> None:
    """Generate, ingest, copy, stage and check (in a child process); write ``built.json``."""
    inbox, truth = folder / "inbox", folder / "inbox-truth"
    warehouse, meta = folder / "warehouse.duckdb", folder / "built.json"
    copies = spec["copies"]
    steps: dict[str, float] = {}
    if restage_only:  # until it is done the landing tables stay cached, the staging not
        built = json.loads(meta.read_text())
        meta.write_text(json.dumps({**built, "staging": "restaging"}, indent=1))
        steps = {k: v for k, v in built["steps"].items() if k in ("generate", "ingest", "copy")}
    else:
        meta.unlink(missing_ok=True)
        shutil.rmtree(inbox, ignore_errors=True)
        shutil.rmtree(truth, ignore_errors=True)
        warehouse.unlink(missing_ok=True)
        t0 = time.perf_counter()
        write_extracts(
            inbox, truth=truth, sites=spec["sites"] // copies, homes=spec["homes"] // copies,
            months=spec["months"], seed=spec["seed"], quirk_rate=0.02,
        )  # fmt: skip
        steps["generate"] = time.perf_counter() - t0
    with connect(warehouse) as con:
        if not restage_only:
            t0 = time.perf_counter()
            ingest(inbox, con, key=b"benchmark-key")
            steps["ingest"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            if copies > 1:
                replicate(con, copies)
            steps["copy"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        build_all(con, homes=register(truth, copies))
        steps["stage"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        validate(con)
        steps["validate"] = time.perf_counter() - t0
        con.execute("CHECKPOINT")
    steps["peak_mib"] = peak_mib()
    meta.write_text(
        json.dumps({"spec": spec, "staging": staging_fingerprint(), "steps": steps}, indent=1)
    )


def ensure_warehouse(folder: Path, spec: dict[str, Any], *, rebuild: bool, restage: bool) -> dict:
    """The cached warehouse's description, building or restaging it first if needed."""
    meta = folder / "built.json"
    built = json.loads(meta.read_text()) if meta.is_file() else None
    fresh = built is not None and built["spec"] == spec and not rebuild
    if fresh and not restage and built["staging"] == staging_fingerprint():
        return built
    restage_only = fresh and (folder / "warehouse.duckdb").is_file()
    what = "restaging (staged model or checks changed)" if restage_only else "building"
    print(f"{what} the warehouse in {folder} (a child process; minutes)...", flush=True)
    child = multiprocessing.get_context("spawn").Process(
        target=_build, args=(folder, spec, restage_only)
    )
    child.start()
    child.join()
    if child.exitcode != 0 or not meta.is_file():
        raise SystemExit(f"building the warehouse failed (exit code {child.exitcode})")
    built = json.loads(meta.read_text())
    steps = ", ".join(f"{k} {v:.0f} s" for k, v in built["steps"].items() if k != "peak_mib")
    print(f"built: {steps}; peak RSS {built['steps']['peak_mib']:,.0f} MiB")
    return built


def staged_sizes(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Sites, homes and months of the staged model: what the measures run over."""
    homes, months = con.sql(
        "SELECT count(DISTINCT (site_id, home_id)), count(DISTINCT month) "
        "FROM stg_occupied_bed_days"
    ).fetchall()[0]
    sites = con.sql("SELECT count(DISTINCT site_id) FROM stg_occupied_bed_days").fetchall()[0][0]
    return {"sites": sites, "homes": homes, "months": months}


def time_engine(con: duckdb.DuckDBPyConnection, registry: Any) -> dict[str, Any]:
    """Time the three steps, with their counts and the peak RSS after each."""
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    out["compute"] = compute(con, registry)
    out["t_compute"], out["rss_compute"] = time.perf_counter() - t0, peak_mib()
    t0 = time.perf_counter()
    out["spc"] = spc.compute_spc(con)
    out["t_spc"], out["rss_spc"] = time.perf_counter() - t0, peak_mib()
    t0 = time.perf_counter()
    out["signals"] = compute_signals(con, run_at=RUN_AT)
    out["t_signals"], out["rss_signals"] = time.perf_counter() - t0, peak_mib()
    out["total"] = out["t_compute"] + out["t_spc"] + out["t_signals"]
    return out


def naive_spc(
    points: pl.DataFrame, governed: pl.DataFrame, sample: list[str]
) -> tuple[float, float]:
    """Seconds for one qic call, and for one mdc call, per sampled series, in a Python loop.

    Each series goes through the engine's own wrappers (``_qic``, ``_mdc``) alone, so it
    gets exactly the chart, y, n, x, frozen baseline, parts, direction and target the
    engine gives it, but one call per series. The series and their baseline decisions are
    split out before the clock starts, which favours the loop.
    """
    chosen = points.filter(pl.col("series").is_in(sample))
    parts = chosen.partition_by("series", as_dict=True)
    rules = {name: governed.filter(pl.col("series") == name) for (name,) in parts}
    t_qic = t_mdc = 0.0
    for (name,), rows in parts.items():
        t0 = time.perf_counter()
        spc._qic(rows, rows.get_column("chart").first(), rules[name])
        t1 = time.perf_counter()
        spc._mdc(rows, rules[name])
        t_qic, t_mdc = t_qic + t1 - t0, t_mdc + time.perf_counter() - t1
    return t_qic, t_mdc


def vectorised_spc(points: pl.DataFrame, governed: pl.DataFrame) -> tuple[float, float]:
    """Seconds for the engine's own calls: one qic per chart type; one mdc per direction."""
    t0 = time.perf_counter()
    for chart in points.get_column("chart").unique().sort():
        spc._qic(points, chart, governed)
    t1 = time.perf_counter()
    spc._mdc(points, governed)
    return t1 - t0, time.perf_counter() - t1


def measure_tables(registry: Any) -> list[str]:
    """The staged tables the registry's measures read."""
    return sorted({t for m in registry for t in m.tables})


def duckdb_floor(con: duckdb.DuckDBPyConnection, tables: list[str]) -> tuple[float, int]:
    """Best of three: DuckDB counting each table's rows per site, home and month; rows read."""
    queries = []
    for name in tables:
        period = table(name).period or "month"
        queries.append(
            f"CREATE OR REPLACE TEMP TABLE bench_floor AS SELECT site_id, home_id, "
            f"CAST(date_trunc('month', \"{period}\") AS DATE) AS month, count(*) AS n "
            f'FROM "{name}" GROUP BY ALL'
        )  # identifiers from the declarations (warehouse/tables.py)
    rows = sum(con.sql(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in tables)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        for q in queries:
            con.execute(q)
        times.append(time.perf_counter() - t0)
    return min(times), rows


def profile_measures(
    con: duckdb.DuckDBPyConnection, registry: Any
) -> tuple[float, list[tuple[str, float]]]:
    """Seconds for the shared intermediates, then for each measure's SQL alone (materialised).

    As in ``compute``: the intermediates the measures share are worked out once
    (``shared_intermediates``), then each measure reads them.
    """
    timings = []
    t0 = time.perf_counter()
    with shared_intermediates(con, registry):
        shared = time.perf_counter() - t0
        for m in registry:
            t0 = time.perf_counter()
            con.execute(f"CREATE OR REPLACE TEMP TABLE bench_p AS SELECT * FROM ({m.sql}\n) AS q",
                        m.bound())  # fmt: skip
            if m.events_sql is not None:
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE bench_e AS SELECT * FROM "
                    f"({m.events_sql}\n) AS q",
                    m.bound(m.events_sql),
                )
            timings.append((m.id, time.perf_counter() - t0))
    return shared, timings


def profile_values_sql(con: duckdb.DuckDBPyConnection) -> float:
    """Seconds for ``measure_values.sql`` alone (its inputs are still in this connection)."""
    from warehouse.measures.values import HERE, _staged_files_sql

    t0 = time.perf_counter()
    con.execute(_staged_files_sql())
    con.execute(HERE.joinpath("measure_values.sql").read_text(encoding="utf-8"))
    return time.perf_counter() - t0


def profile_spc(con: duckdb.DuckDBPyConnection) -> list[tuple[str, float]]:
    """Seconds for each step of ``compute_spc`` on its own."""
    out: list[tuple[str, float]] = []

    def step(name: str, f: Any) -> Any:
        t0 = time.perf_counter()
        result = f()
        out.append((name, time.perf_counter() - t0))
        return result

    points = step("load_points (measure_values to polars)", lambda: spc.load_points(con))
    governed = step("decisions", lambda: spc.decisions(con))
    for chart in points.get_column("chart").unique().sort():
        step(f"qic chart={chart}", lambda c=chart: spc._qic(points, c, governed))
    step("mdc (one call per direction)", lambda: spc._mdc(points, governed))
    step("phases", lambda: spc.phases(con, points))
    return out


def main() -> None:
    """Build or reuse the warehouse, time the engine and its peers, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "m4c_measures_bench"
    )
    parser.add_argument("--homes", type=int, default=1_000, help="care homes to generate")
    parser.add_argument("--sites", type=int, default=20, help="sites the homes are spread over")
    parser.add_argument("--months", type=int, default=36, help="months of extracts")
    parser.add_argument("--seed", type=int, default=7, help="synth seed")
    parser.add_argument(
        "--copies", type=int, default=10,
        help="generate homes/copies homes at sites/copies sites, then copy them (1: all)",
    )  # fmt: skip
    parser.add_argument("--sample", type=int, default=300, help="series in the naive loop")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the warehouse")
    parser.add_argument("--restage", action="store_true", help="rebuild staged model + checks")
    parser.add_argument("--profile", action="store_true", help="time each measure and step")
    parser.add_argument(
        "--registry", type=Path, default=None, help="a registry folder (default: the catalogue)"
    )
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    if args.homes % args.copies or args.sites % args.copies:
        parser.error("--homes and --sites must be multiples of --copies")
    spec = {"sites": args.sites, "homes": args.homes, "months": args.months, "seed": args.seed,
            "copies": args.copies}  # fmt: skip
    ensure_warehouse(args.dir, spec, rebuild=args.rebuild, restage=args.restage)
    registry = load_registry(args.registry)
    run = args.dir / "run.duckdb"
    run.unlink(missing_ok=True)
    Path(f"{run}.wal").unlink(missing_ok=True)
    shutil.copyfile(args.dir / "warehouse.duckdb", run)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    before = peak_mib()
    with connect(run) as con:
        threads = con.sql("SELECT current_setting('threads')").fetchall()[0][0]
        size = staged_sizes(con)
        print(f"warehouse: {size['homes']:,} homes at {size['sites']} sites x {size['months']} "
              f"months; {len(registry)} measures; {cores} cores, DuckDB threads {threads}; "
              f"RSS before the engine {before:,.0f} MiB")  # fmt: skip
        e = time_engine(con, registry)
        n_points = e["compute"]["rows"]
        n_series, spc_rows = e["spc"]["series"], e["spc"]["rows"]
        hotspots = args.profile or e["total"] > TARGET_S
        shared_s, measures_profile = profile_measures(con, registry) if hotspots else (0.0, [])
        values_sql = profile_values_sql(con) if hotspots else 0.0
        spc_profile = profile_spc(con) if hotspots else []
        points = spc.load_points(con)
        governed = spc.decisions(con)
        names = points.get_column("series").unique().sort().to_list()
        sample = random.Random(args.seed).sample(names, min(args.sample, len(names)))
        scale = len(names) / len(sample)
        naive = [t * scale for t in naive_spc(points, governed, sample)]
        vectorised = vectorised_spc(points, governed)
        tables = measure_tables(registry)
        floor, floor_rows = duckdb_floor(con, tables)
    run.unlink(missing_ok=True)

    print(f"\n{'step':44s} {'time s':>8s} {'peak RSS MiB':>13s}  what")
    print(f"{'compute (measure_values)':44s} {e['t_compute']:8.2f} {e['rss_compute']:13,.0f}  "
          f"{e['compute']['measures']} measures, {n_points:,} points "
          f"({e['compute']['points_incomplete']:,} incomplete)")  # fmt: skip
    charts = ", ".join(
        f"{k.removeprefix('series_')} {v:,}" for k, v in sorted(e["spc"].items())
        if k.startswith("series_") and k != "series_with_signal"
    )  # fmt: skip
    print(f"{'compute_spc (spc_results)':44s} {e['t_spc']:8.2f} {e['rss_spc']:13,.0f}  "
          f"{n_series:,} series, {spc_rows:,} rows ({charts})")  # fmt: skip
    print(f"{'compute_signals (signals)':44s} {e['t_signals']:8.2f} {e['rss_signals']:13,.0f}  "
          f"{e['signals']['signals']:,} signals, {e['signals']['suggested_rebases']:,} "
          "suggested rebases")  # fmt: skip
    print(f"{'total':44s} {e['total']:8.2f} {e['rss_signals']:13,.0f}")
    print(f"\n{'SPC: the engine against a loop (same run)':44s} {'engine s':>8s} "
          f"{'loop s':>8s} {'loop/eng':>9s}")  # fmt: skip
    n_charts = points.get_column("chart").n_unique()
    rows = [
        (f"qic: {n_charts} calls (one per chart type)", vectorised[0], naive[0]),
        ("mdc: one call per improvement direction", vectorised[1], naive[1]),
        ("qic + mdc", sum(vectorised), sum(naive)),
    ]
    for name, ours, loop in rows:
        print(f"{name:44s} {ours:8.2f} {loop:8.1f} {loop / ours:9.0f}")
    print(f"  (the loop: one call per series, timed on {len(sample)} of {len(names):,} "
          f"series, x {scale:.1f}; its calls alone take {sum(naive) / e['t_spc']:.0f}x "
          f"the whole compute_spc, {e['t_spc']:.2f} s)")  # fmt: skip
    print(f"\n{'DuckDB floor (same run)':44s} {'time s':>8s}")
    print(f"{'count(*) by site, home, month, best of 3':44s} {floor:8.2f}  {len(tables)} "
          f"staged tables the measures read, {floor_rows:,} rows")  # fmt: skip
    print(f"engine total / DuckDB floor = {e['total'] / floor:,.0f}x")
    verdict = "meets" if e["total"] < TARGET_S else "MISSES"
    print(
        f"all measures, SPC results and signals in {e['total']:.1f} s on {cores} cores: "
        f"{verdict} the {TARGET_S:.0f} s target; peak RSS {e['rss_signals']:,.0f} MiB"
    )
    if hotspots:
        print(f"\nhotspots ({'--profile' if args.profile else 'over the target'}):")
        total_sql = sum(t for _, t in measures_profile)
        print(
            f"  shared intermediates (once per run) {shared_s:.2f} s; measure SQL alone: "
            f"{total_sql:.2f} s over {len(measures_profile)} measures; measure_values.sql "
            f"(+ staged files) {values_sql:.2f} s"
        )
        top = sorted(measures_profile, key=lambda r: -r[1])
        for mid, t in top[:8]:
            print(f"    {mid:8s} {t:7.2f} s")
        if len(top) > 8:
            rest = statistics.fmean(t for _, t in top[8:])
            print(f"    the other {len(top) - 8}: {rest:.2f} s each on average")
        for name, t in spc_profile:
            print(f"  compute_spc {name:56s} {t:7.2f} s")


if __name__ == "__main__":
    main()
