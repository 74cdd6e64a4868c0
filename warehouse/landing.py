"""Landing extracts in the DuckDB warehouse: raw tables, quarantine and the load log.

Each file loads whole or not at all, in one transaction (files of one table from one
site, a file per care home, are parsed and landed together): its rows go to the raw
table of its source, its refused rows to ``quarantine`` (file, row, column, raw value,
rule, message), and one row to ``load_log`` with its hash and counts
(``rows_in = rows_loaded + rows_quarantined + rows_skipped``). The same file again
changes nothing; a corrected file at the same path replaces its earlier version's rows;
a file that cannot be read is logged as refused and the others still load.

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

import dataclasses
import datetime as dt
import functools
import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import polars as pl

from connectors import parse_batch
from connectors.base import Context, Parsed, file_index, line, site_and_home
from connectors.reading import FileRefusedError, RawFile, read_extract
from warehouse import inbox as inbox_layout
from warehouse.connection import registered, transaction

REGISTRY_TABLES = ("raw_emis_patient", "raw_sr_patient", "raw_carehome_resident")
# Registries and code maps load before the files whose rows refer to them.
FIRST = ("Admin_Patient", "SRPatient", "residents", "Coding_ClinicalCode")
INGEST_RESULTS = {
    "file": pl.String,
    "site_id": pl.String,
    "source": pl.String,
    "table": pl.String,
    "schema_version": pl.String,
    "encoding": pl.String,
    "rows_in": pl.Int64,
    "rows_loaded": pl.Int64,
    "rows_quarantined": pl.Int64,
    "rows_skipped": pl.Int64,
    "skip_reasons": pl.String,
    "status": pl.String,
    "message": pl.String,
    "warning": pl.String,
}


@dataclass(frozen=True)
class FileResult:
    """What happened to one file (one ``m4c ingest --json`` object)."""

    file: str
    site_id: str | None
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
    warning: str | None = None

    def as_dict(self) -> dict[str, object]:
        """As a JSON-ready dict."""
        return asdict(self)

    @classmethod
    def refused(cls, file: str, site_id: str | None, message: str) -> FileResult:
        """A file refused whole: nothing loaded, the reason in ``message``."""
        return cls(file, site_id, None, None, None, None, 0, 0, 0, 0, {}, "refused", message)

    @classmethod
    def ignored(cls, file: str) -> FileResult:
        """A hidden file (``.DS_Store``, ``.gitkeep``): not an extract, said so."""
        message = f"{file} is hidden (its name or folder starts with a dot), so it was ignored."
        return cls(file, None, None, None, None, None, 0, 0, 0, 0, {}, "ignored", message)


def file_order(path: Path) -> tuple[int, str, str]:
    """Sort key: registries and code maps first, then by name, then by path.

    Sorting by name puts each home's file of one table next to the others, to be
    parsed together.
    """
    rank = next((i for i, t in enumerate(FIRST) if t in path.name), len(FIRST))
    return rank, path.name, str(path)


def discover(inbox: Path) -> list[Path]:
    """Every file under ``inbox`` but hidden ones, in load order (site, then file order)."""
    return _listed(inbox)[0]


def _listed(inbox: Path) -> tuple[list[Path], list[Path]]:
    """The files under ``inbox`` in load order, and the hidden ones."""
    shown, hidden = [], []
    for p in inbox_layout.discover(inbox):
        (hidden if inbox_layout.is_hidden(p.relative_to(inbox).parts) else shown).append(p)
    shown.sort(key=lambda p: (p.relative_to(inbox).parts[0], *file_order(p)))
    return shown, hidden


def ingest(
    inbox: Path, con: duckdb.DuckDBPyConnection, *, key: bytes, live: bool = False
) -> list[FileResult]:
    """Load every file of the inbox; return what happened to each, in load order.

    Hidden files come last, as ``ignored``; files out of place are ``refused`` with
    where they belong.

    Raises
    ------
    InboxError
        If ``inbox`` is missing or is one site's folder.
    """
    inbox_layout.check(inbox)
    files, hidden = _listed(inbox)
    loaded = _Run(con, key=key, live=live).ingest(files, inbox)
    return loaded + [FileResult.ignored(str(p.relative_to(inbox))) for p in hidden]


def summarise(results: list[FileResult]) -> dict[str, int]:
    """Files and rows of an ingest, by fate (``rows_in`` = loaded + quarantined + skipped)."""
    statuses = [r.status for r in results]
    return {
        "files": len(results),
        "files_loaded": statuses.count("loaded") + statuses.count("replaced"),
        "files_unchanged": statuses.count("unchanged"),
        "files_refused": statuses.count("refused"),
        "files_ignored": statuses.count("ignored"),
        "rows_in": sum(r.rows_in for r in results),
        "rows_loaded": sum(r.rows_loaded for r in results),
        "rows_quarantined": sum(r.rows_quarantined for r in results),
        "rows_skipped": sum(r.rows_skipped for r in results),
    }


def record(con: duckdb.DuckDBPyConnection, results: list[FileResult], *, run_id: str) -> None:
    """Keep what the latest ingest did with each file in ``ingest_results``."""
    frame = pl.DataFrame(
        [{**r.as_dict(), "skip_reasons": json.dumps(r.skip_reasons)} for r in results],
        schema=INGEST_RESULTS,
    ).with_columns(run_id=pl.lit(run_id), position=pl.int_range(pl.len()))
    with transaction(con):
        con.execute("DELETE FROM ingest_results")
        with registered(con, frame=frame):
            con.execute("INSERT INTO ingest_results BY NAME SELECT * FROM frame")


def recorded(con: duckdb.DuckDBPyConnection) -> list[FileResult]:
    """The results :func:`record` kept, in their order."""
    rows = con.sql("SELECT * EXCLUDE (run_id, position) FROM ingest_results ORDER BY position").pl()
    return [
        FileResult(**{**r, "skip_reasons": json.loads(r["skip_reasons"] or "{}")})
        for r in rows.iter_rows(named=True)
    ]


BATCH_ROWS = 1_000_000  # rows parsed and landed together at most
READ_AHEAD = 16  # files read ahead of the one being landed


@dataclass(frozen=True)
class _Pending:
    """A file read and identified, waiting to be parsed and landed with its batch."""

    rel: str
    raw: RawFile
    ctx: Context
    previous: int | None

    def joins(self, batch: list[_Pending]) -> bool:
        """Whether this file can be parsed with ``batch``: same site, layout and version."""
        first = batch[0]
        rows = sum(p.raw.rows.height for p in batch) + self.raw.rows.height
        same = (self.ctx.site_id, self.raw.spec) == (first.ctx.site_id, first.raw.spec)
        return same and rows <= BATCH_ROWS


class _Run:
    """One ingest, and what it keeps between files.

    The load log's current files, each site's person registry and the next file id are
    read once, not once per file. Files of one table from one site (a file per care
    home) are parsed together and landed in one transaction, which holds every one of
    them whole or none of them.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, *, key: bytes, live: bool) -> None:
        self.con = con
        self.key = key
        self.live = live
        current = con.sql(
            "SELECT * EXCLUDE (loaded_at, superseded) FROM load_log "
            "WHERE status IN ('loaded', 'replaced') AND NOT superseded"
        ).pl()
        self.current = {row["path"]: row for row in current.iter_rows(named=True)}
        self.next_id = con.sql("SELECT coalesce(max(file_id), 0) + 1 FROM load_log").fetchall()[0][
            0
        ]
        self.registries: dict[str, tuple[pl.DataFrame, pl.Series]] = {}

    def ingest(self, paths: list[Path], inbox: Path) -> list[FileResult]:
        """Load ``paths`` in order, batching files that can be parsed together."""
        results: dict[str, FileResult] = {}
        batch: list[_Pending] = []
        for opened in _read_ahead(functools.partial(self._open, inbox=inbox), paths):
            if isinstance(opened, FileResult):
                if opened.status == "refused" and opened.site_id is not None:
                    self._log([opened], [None], self._take_ids(1))
                results[opened.file] = opened
                continue
            if batch and not opened.joins(batch):
                results.update((r.file, r) for r in self._land(batch))
                batch = []
            batch.append(opened)
        if batch:
            results.update((r.file, r) for r in self._land(batch))
        return [results["/".join(p.relative_to(inbox).parts)] for p in paths]

    def _open(self, path: Path, inbox: Path) -> FileResult | _Pending:
        """Read and identify a file; unchanged and unreadable files are settled here.

        Runs in a reading thread: it must not touch the warehouse.
        """
        parts = path.relative_to(inbox).parts
        rel = "/".join(parts)
        site, home = site_and_home(path, inbox) if len(parts) > 1 else (None, None)
        problem = inbox_layout.unplaced(parts)
        if problem:
            return FileResult.refused(rel, site, f"{rel} was not loaded: {problem}")
        data = path.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        previous = self.current.get(rel)
        if previous and previous["sha256"] == sha256:
            return _unchanged(rel, previous)
        try:
            raw = read_extract(path, data, sha256=sha256)
        except FileRefusedError as exc:
            where = inbox_layout.outside(parts)
            return FileResult.refused(rel, site, f"{rel} was not loaded: {exc}{where}")
        problem = inbox_layout.misplaced(parts, raw.spec.source, raw.spec.table)
        if problem:
            return FileResult.refused(rel, site, f"{rel} was not loaded: {problem}.")
        ctx = Context(site_id=site, key=self.key, home_id=home, test_range_is_test=self.live)
        return _Pending(rel, raw, ctx, previous["file_id"] if previous else None)

    def _land(self, batch: list[_Pending]) -> list[FileResult]:
        """Parse a batch together and land it in one transaction."""
        site = batch[0].ctx.site_id
        parsed = parse_batch([(p.raw, p.ctx) for p in batch])
        if "person_key" in parsed.rows.columns and "pseudo_id" not in parsed.rows.columns:
            parsed = _link(parsed, *self._registry(site))
        ids = self._take_ids(len(batch))
        results = _results(batch, parsed)
        paths = pl.Series([p.rel for p in batch])

        def stamped(frame: pl.DataFrame, **more: pl.Expr) -> pl.DataFrame:
            """With each row's file id and its line in its own file (and ``more``)."""
            return frame.with_columns(file_id=ids[0] + file_index(), source_row=line(), **more)

        with transaction(self.con):
            for p in batch:
                if p.previous is not None:
                    _retire(self.con, p.previous)
            self._insert(parsed.table, stamped(parsed.rows))
            self._insert(
                "quarantine",
                stamped(parsed.quarantine, path=pl.lit(paths).gather(file_index())),
            )
            self._insert(
                "test_person",
                stamped(parsed.test_keys).select("file_id", "person_key", site_id=pl.lit(site)),
            )
            self._insert(
                "withdrawn",
                stamped(parsed.withdrawn).select(
                    "file_id",
                    "source_record_id",
                    site_id=pl.lit(site),
                    table_name=pl.lit(parsed.table),
                ),
            )
            self._log(results, [p.raw.sha256 for p in batch], ids)
        for p, file_id in zip(batch, ids, strict=True):
            self.current[p.rel] = {"file_id": file_id, "sha256": p.raw.sha256}
        replaced = any(p.previous is not None for p in batch)
        if parsed.table in REGISTRY_TABLES or parsed.test_keys.height or replaced:
            self.registries.pop(site, None)
        return results

    def _take_ids(self, n: int) -> list[int]:
        self.next_id += n
        return list(range(self.next_id - n, self.next_id))

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
        with registered(self.con, frame=frame):
            self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame")

    def _log(self, results: list[FileResult], shas: list[str | None], ids: list[int]) -> None:
        """One ``load_log`` row per file."""
        frame = pl.DataFrame([r.as_dict() for r in results]).select(
            file_id=pl.Series(ids, dtype=pl.Int64),
            path=pl.col("file"),
            site_id="site_id",
            sha256=pl.Series(shas, dtype=pl.String),
            source="source",
            table_name="table",
            schema_version="schema_version",
            encoding="encoding",
            rows_in="rows_in",
            rows_loaded="rows_loaded",
            rows_quarantined="rows_quarantined",
            rows_skipped="rows_skipped",
            skip_reasons=pl.Series([json.dumps(r.skip_reasons) for r in results]),
            status="status",
            message="message",
            loaded_at=pl.lit(dt.datetime.now(dt.UTC).replace(tzinfo=None)),
            superseded=pl.lit(False),
        )
        self._insert("load_log", frame)


def _read_ahead(
    read: Callable[[Path], FileResult | _Pending], paths: list[Path]
) -> Iterator[FileResult | _Pending]:
    """``read`` each path, in order, while earlier files are parsed and landed.

    Reading (bytes, hash, decoding, CSV) runs in a second thread, at most
    ``READ_AHEAD`` files ahead; polars, hashing and file reads release the GIL, so
    reading one file overlaps with landing the ones before it.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="m4c-read") as pool:
        pending: deque[Future[FileResult | _Pending]] = deque()
        for path in paths:
            pending.append(pool.submit(read, path))
            if len(pending) > READ_AHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _unchanged(rel: str, logged: dict[str, object]) -> FileResult:
    """A file loaded before, byte for byte: its counts are those of the load log."""
    return FileResult(
        file=rel,
        site_id=str(logged["site_id"]),
        source=logged["source"],
        table=logged["table_name"],
        schema_version=logged["schema_version"],
        encoding=logged["encoding"],
        rows_in=int(logged["rows_in"]),
        rows_loaded=int(logged["rows_loaded"]),
        rows_quarantined=int(logged["rows_quarantined"]),
        rows_skipped=int(logged["rows_skipped"]),
        skip_reasons=json.loads(str(logged["skip_reasons"])),
        status="unchanged",
        message=f"{rel} is unchanged since it was loaded.",
    )


def _results(batch: list[_Pending], parsed: Parsed) -> list[FileResult]:
    """What happened to each file of a batch parsed together."""
    counts = parsed.counts_by_file([p.raw.preamble for p in batch])
    return [
        FileResult(
            file=p.rel,
            site_id=p.ctx.site_id,
            source=p.raw.spec.source,
            table=p.raw.spec.table,
            schema_version=p.raw.spec.version,
            encoding=p.raw.encoding,
            rows_in=p.raw.rows_in,
            rows_loaded=loaded,
            rows_quarantined=quarantined,
            rows_skipped=sum(skipped.values()),
            skip_reasons=skipped,
            status="replaced" if p.previous is not None else "loaded",
            message=f"{p.rel}: {loaded} rows loaded",
            warning=_unread_warning(p.rel, p.raw),
        )
        for p, (loaded, quarantined, skipped) in zip(batch, counts, strict=True)
    ]


def _unread_warning(rel: str, raw: RawFile) -> str | None:
    """A word about columns the file lacks that nothing reads, if it lacks any."""
    if not raw.missing_unread:
        return None
    names = ", ".join(raw.missing_unread)
    return (
        f"{rel} has no column {names}; Measure for Change reads none of them, so the file "
        f"loaded, but check the export: {raw.spec.name} files usually have them."
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
    return dataclasses.replace(
        parsed,
        rows=rows.filter(~is_test & ~unlinked).drop("person_key"),
        quarantine=pl.concat([parsed.quarantine, refused]),
        skipped=pl.concat([parsed.skipped, skipped]),
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
