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
from connectors.base import Context, Parsed, site_and_home
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

    @classmethod
    def refused(cls, file: str, site_id: str, message: str) -> FileResult:
        """A file refused whole: nothing loaded, the reason in ``message``."""
        return cls(file, site_id, None, None, None, None, 0, 0, 0, 0, {}, "refused", message)


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
    run = _Run(con, key=key, live=live)
    return [run.ingest_file(path, inbox) for path in discover(inbox)]


class _Run:
    """One ingest, and what it keeps between files.

    The load log's current files, each site's person registry and the next file id are
    read once, not once per file.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, *, key: bytes, live: bool) -> None:
        self.con = con
        self.key = key
        self.live = live
        current = con.sql(
            "SELECT path, file_id, sha256 FROM load_log WHERE status IN ('loaded', 'replaced') "
            "AND NOT superseded"
        ).fetchall()
        self.current = {path: (file_id, sha) for path, file_id, sha in current}
        self.next_id = con.sql("SELECT coalesce(max(file_id), 0) + 1 FROM load_log").fetchall()[0][
            0
        ]
        self.registries: dict[str, tuple[pl.DataFrame, pl.Series]] = {}

    def ingest_file(self, path: Path, inbox: Path) -> FileResult:
        """Load one file in one transaction (or recognise it as already loaded)."""
        rel = str(path.relative_to(inbox))
        site, home = site_and_home(path, inbox)
        ctx = Context(site_id=site, key=self.key, home_id=home, test_range_is_test=self.live)
        try:
            parsed = parse_file(path, ctx)
        except FileRefusedError as exc:
            result = FileResult.refused(rel, site, f"{rel} was not loaded: {exc}")
            self._log(result, sha256=None, file_id=self._take_id())
            return result
        previous = self.current.get(rel)
        if previous and previous[1] == parsed.file.sha256:
            return _result(
                rel, site, parsed, "unchanged", f"{rel} is unchanged since it was loaded."
            )
        if "person_key" in parsed.rows.columns and "pseudo_id" not in parsed.rows.columns:
            parsed = _link(parsed, *self._registry(site))
        file_id = self._take_id()
        status = "replaced" if previous else "loaded"
        result = _result(rel, site, parsed, status, f"{rel}: {parsed.rows.height} rows loaded")
        stamp = pl.lit(file_id, pl.Int64)
        self.con.execute("BEGIN TRANSACTION")
        try:
            if previous:
                _retire(self.con, previous[0])
            self._insert(parsed.table, parsed.rows.with_columns(file_id=stamp))
            self._insert(
                "quarantine", parsed.quarantine.with_columns(file_id=stamp, path=pl.lit(rel))
            )
            if parsed.test_keys:
                tests = pl.DataFrame({"site_id": site, "person_key": list(parsed.test_keys)})
                self._insert("test_person", tests.with_columns(file_id=stamp))
            self._log(result, sha256=parsed.file.sha256, file_id=file_id)
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise
        self.current[rel] = (file_id, parsed.file.sha256)
        if parsed.table in REGISTRY_TABLES or parsed.test_keys or previous:
            self.registries.pop(site, None)
        return result

    def _take_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def _registry(self, site: str) -> tuple[pl.DataFrame, pl.Series]:
        """The site's people (person key -> pseudonym) and its test patients' keys."""
        if site not in self.registries:
            union = " UNION ALL ".join(
                f"SELECT person_key, pseudo_id FROM {t} WHERE site_id = $1" for t in REGISTRY_TABLES
            )
            people = self.con.sql(union, params=[site]).pl().unique("person_key")
            tests = self.con.sql(
                "SELECT person_key FROM test_person WHERE site_id = $1", params=[site]
            ).pl()
            self.registries[site] = (people, tests.get_column("person_key"))
        return self.registries[site]

    def _insert(self, table: str, frame: pl.DataFrame) -> None:
        if frame.is_empty():
            return
        self.con.register("frame", frame)
        try:
            self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame")
        finally:
            self.con.unregister("frame")

    def _log(self, result: FileResult, *, sha256: str | None, file_id: int) -> None:
        r = result
        self.con.execute(
            "INSERT INTO load_log (file_id, path, site_id, sha256, source, table_name, "
            "schema_version, encoding, rows_in, rows_loaded, rows_quarantined, rows_skipped, "
            "skip_reasons, status, message, loaded_at, superseded) VALUES ($1, $2, $3, $4, $5, "
            "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, false)",
            [
                file_id,
                r.file,
                r.site_id,
                sha256,
                r.source,
                r.table,
                r.schema_version,
                r.encoding,
                r.rows_in,
                r.rows_loaded,
                r.rows_quarantined,
                r.rows_skipped,
                json.dumps(r.skip_reasons),
                r.status,
                r.message,
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
            ],
        )


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


def _link(parsed: Parsed, registry: pl.DataFrame, tests: pl.Series) -> Parsed:
    """Swap ``person_key`` for a pseudonym; unlinked rows quarantine, test patients skip."""
    rows = parsed.rows.join(registry, on="person_key", how="left")
    keyed = pl.col("person_key").is_not_null()
    is_test = keyed & pl.col("person_key").is_in(tests.implode())
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


def _retire(con: duckdb.DuckDBPyConnection, file_id: int) -> None:
    """Remove an earlier version's rows, everywhere they went."""
    tables = con.sql(
        "SELECT table_name FROM duckdb_columns() WHERE column_name = 'file_id' "
        "AND NOT internal AND table_name <> 'load_log'"
    ).fetchall()
    for (table,) in tables:
        con.execute(f"DELETE FROM {table} WHERE file_id = $1", [file_id])
    con.execute("UPDATE load_log SET superseded = true WHERE file_id = $1", [file_id])
