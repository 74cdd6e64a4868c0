"""Landing extracts in the DuckDB warehouse: raw tables, quarantine and the load log.

Each file loads in one transaction: its rows go to the raw table of its source, its
refused rows to ``quarantine`` (file, row, column, raw value, rule, message), and one
row to ``load_log`` with its hash and counts (``rows_in = rows_loaded +
rows_quarantined + rows_skipped``). The same file again changes nothing; a corrected
file at the same path replaces its earlier version's rows; a file that cannot be read
is logged as refused and the others still load.

Events name people by a source key (EMIS ``PatientGuid``, SystmOne ``IDPatient``, a
home's resident id). They are linked here to the pseudonym of the patient or resident
loaded from the same site: patient files load first. Unlinked rows are quarantined;
rows of test patients skip.

Examples
--------
>>> file_order(Path("site_a/emis/1_Admin_Patient_2_3.csv"))[0] < file_order(
...     Path("site_a/emis/1_CareRecord_Observation_2_3.csv"))[0]
True
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import polars as pl

from connectors import parse_file
from connectors.base import Context, Parsed
from connectors.reading import FileRefusedError

SQL = Path(__file__).with_name("sql")
REGISTRY_TABLES = ("raw_emis_patient", "raw_sr_patient", "raw_carehome_resident")
# Registries and code maps load before the files whose rows refer to them.
FIRST = ("Admin_Patient", "SRPatient", "residents", "Coding_ClinicalCode")


@dataclass(frozen=True)
class FileResult:
    """What happened to one file (one ``m4c ingest --json`` object)."""

    file: str
    site_id: str
    source: str | None
    table: str | None
    schema_version: str | None
    encoding: str | None
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    rows_skipped: int
    skip_reasons: dict[str, int]
    status: str
    message: str

    def as_dict(self) -> dict[str, object]:
        """As a JSON-ready dict."""
        return asdict(self)


def file_order(path: Path) -> tuple[int, str]:
    """Sort key: registries and code maps first, then everything else, by path."""
    rank = next((i for i, t in enumerate(FIRST) if t in path.name), len(FIRST))
    return rank, str(path)


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse, with its landing tables."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    con.execute((SQL / "landing_schema.sql").read_text())
    return con


NOT_SITES = ("truth",)  # m4c synth writes its answers beside the sites


def _is_site(name: str) -> bool:
    return not name.startswith((".", "_")) and name not in NOT_SITES


def discover(inbox: Path) -> list[Path]:
    """Every extract under ``inbox/<site>/``, in load order (hidden folders are not sites)."""
    files = [
        p
        for p in inbox.glob("*/**/*")
        if p.is_file()
        and p.suffix.lower() in (".csv", ".txt", ".xlsx")
        and _is_site(p.relative_to(inbox).parts[0])
    ]
    return sorted(files, key=lambda p: (p.relative_to(inbox).parts[0], *file_order(p)))


def ingest(
    inbox: Path, con: duckdb.DuckDBPyConnection, *, key: bytes, live: bool = False
) -> list[FileResult]:
    """Load every file of the inbox; return what happened to each, in load order."""
    return [ingest_file(path, inbox, con, key=key, live=live) for path in discover(inbox)]


def ingest_file(
    path: Path, inbox: Path, con: duckdb.DuckDBPyConnection, *, key: bytes, live: bool = False
) -> FileResult:
    """Load one file in one transaction (or recognise it as already loaded)."""
    rel = str(path.relative_to(inbox))
    parts = path.relative_to(inbox).parts
    site = parts[0]
    home = parts[2] if len(parts) > 3 and parts[1] == "carehome" else None
    ctx = Context(site_id=site, key=key, home_id=home, test_range_is_test=live)
    try:
        parsed = parse_file(path, ctx)
    except FileRefusedError as exc:
        result = FileResult(
            rel,
            site,
            None,
            None,
            None,
            None,
            0,
            0,
            0,
            0,
            {},
            "refused",
            f"{rel} was not loaded: {exc}",
        )
        _log(con, result, sha256=None)
        return result
    previous = con.sql(
        "SELECT file_id, sha256 FROM load_log WHERE path = $1 AND status IN ('loaded', "
        "'replaced') AND NOT superseded",
        params=[rel],
    ).fetchall()
    if previous and previous[0][1] == parsed.file.sha256:
        return _result(rel, site, parsed, "unchanged", f"{rel} is unchanged since it was loaded.")
    parsed = _link(con, parsed, site)
    con.execute("BEGIN TRANSACTION")
    try:
        status = "loaded"
        if previous:
            _retire(con, previous[0][0])
            status = "replaced"
        file_id = _next_file_id(con)
        rows = parsed.rows.with_columns(file_id=pl.lit(file_id, pl.Int64))
        _insert(con, parsed.table, rows)
        quarantine = parsed.quarantine.with_columns(
            file_id=pl.lit(file_id, pl.Int64), path=pl.lit(rel)
        )
        _insert(con, "quarantine", quarantine)
        if parsed.test_keys:
            tests = pl.DataFrame({"site_id": site, "person_key": list(parsed.test_keys)})
            _insert(con, "test_person", tests.with_columns(file_id=pl.lit(file_id, pl.Int64)))
        message = f"{rel}: {parsed.rows.height} rows loaded"
        result = _result(rel, site, parsed, status, message)
        _log(con, result, sha256=parsed.file.sha256, file_id=file_id)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return result


def _result(rel: str, site: str, parsed: Parsed, status: str, message: str) -> FileResult:
    spec = parsed.file.spec
    return FileResult(
        file=rel,
        site_id=site,
        source=spec.source,
        table=spec.table,
        schema_version=spec.version,
        encoding=parsed.file.encoding,
        rows_in=parsed.file.rows_in,
        rows_loaded=parsed.rows.height,
        rows_quarantined=parsed.quarantine.height,
        rows_skipped=parsed.rows_skipped,
        skip_reasons=parsed.skip_reasons,
        status=status,
        message=message,
    )


def _link(con: duckdb.DuckDBPyConnection, parsed: Parsed, site: str) -> Parsed:
    """Swap ``person_key`` for the pseudonym of the site's patient or resident."""
    if "person_key" not in parsed.rows.columns or "pseudo_id" in parsed.rows.columns:
        return parsed
    registry = con.sql(
        " UNION ALL ".join(
            f"SELECT person_key, pseudo_id FROM {t} WHERE site_id = $1" for t in REGISTRY_TABLES
        ),
        params=[site],
    ).pl()
    tests = con.sql("SELECT person_key FROM test_person WHERE site_id = $1", params=[site]).pl()
    rows = parsed.rows.join(registry.unique("person_key"), on="person_key", how="left")
    keyed = pl.col("person_key").is_not_null()
    is_test = keyed & pl.col("person_key").is_in(tests.get_column("person_key").implode())
    unlinked = keyed & pl.col("pseudo_id").is_null() & ~is_test
    skipped = rows.filter(is_test).select("source_row", reason=pl.lit("test patient"))
    refused = rows.filter(unlinked).select(
        "source_row",
        column=pl.lit("person"),
        raw_value=pl.col("person_key"),
        rule=pl.lit("unlinked_person"),
        message=pl.lit(
            "refers to a patient or resident who is not in this site's patient or "
            "residents file. Include them in that file, or check the identifier."
        ),
    )
    return Parsed(
        file=parsed.file,
        table=parsed.table,
        rows=rows.filter(~is_test & ~unlinked).drop("person_key"),
        quarantine=pl.concat([parsed.quarantine, refused]),
        skipped=pl.concat([parsed.skipped, skipped]),
        test_keys=parsed.test_keys,
    )


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    con.register("frame", frame)
    try:
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM frame LIMIT 0")
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame")
    finally:
        con.unregister("frame")


def _retire(con: duckdb.DuckDBPyConnection, file_id: int) -> None:
    """Remove an earlier version's rows, everywhere they went."""
    tables = [
        r[0]
        for r in con.sql(
            "SELECT table_name FROM duckdb_columns() WHERE column_name = 'file_id' "
            "AND NOT internal AND table_name <> 'load_log'"
        ).fetchall()
    ]
    for table in tables:
        con.execute(f"DELETE FROM {table} WHERE file_id = $1", [file_id])
    con.execute("UPDATE load_log SET superseded = true WHERE file_id = $1", [file_id])


def _next_file_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.sql("SELECT coalesce(max(file_id), 0) + 1 FROM load_log").fetchall()[0][0]


def _log(
    con: duckdb.DuckDBPyConnection,
    result: FileResult,
    *,
    sha256: str | None,
    file_id: int | None = None,
) -> None:
    con.execute(
        "INSERT INTO load_log (file_id, path, site_id, sha256, source, table_name, "
        "schema_version, encoding, rows_in, rows_loaded, rows_quarantined, rows_skipped, "
        "skip_reasons, status, message, loaded_at, superseded) VALUES ($1, $2, $3, $4, $5, $6, "
        "$7, $8, $9, $10, $11, $12, $13, $14, $15, $16, false)",
        [
            file_id if file_id is not None else _next_file_id(con),
            result.file,
            result.site_id,
            sha256,
            result.source,
            result.table,
            result.schema_version,
            result.encoding,
            result.rows_in,
            result.rows_loaded,
            result.rows_quarantined,
            result.rows_skipped,
            json.dumps(result.skip_reasons),
            result.status,
            result.message,
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
        ],
    )
