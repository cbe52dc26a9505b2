"""Open the warehouse file: one writer at a time, migrations applied, views in place.

DuckDB lets one process write a file. A second writer gets :class:`WarehouseBusy` with the
holder named, after waiting up to ``wait`` seconds, instead of a corrupt file or a raw
IOException. Migrations are numbered SQL files under ``warehouse/migrations``; each is applied
once, in its own transaction, and recorded in ``schema_migrations`` (sqlite-utils style).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

HERE = Path(__file__).resolve().parent
MIGRATIONS = HERE / "migrations"
VIEWS = HERE / "views"
DEFAULT_DB = Path("data/gazette.duckdb")
CHECKPOINT_THRESHOLD = "64MB"


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse file."""


class WarehouseInvalidated(RuntimeError):
    """DuckDB hit a fatal error (often out of memory in a checkpoint) and closed the connection
    to further use: the file is as of the last commit; a new run carries on from there."""


def default_path() -> Path:
    """``GAZETTE_DB`` if set, else ``data/gazette.duckdb``."""
    return Path(os.environ.get("GAZETTE_DB") or DEFAULT_DB)


def migration_files() -> list[Path]:
    """Numbered migrations in order: ``001_init.sql``, ``002_….sql``."""
    files = sorted(MIGRATIONS.glob("[0-9][0-9][0-9]_*.sql"))
    numbers = [int(f.name[:3]) for f in files]
    if numbers != list(range(1, len(files) + 1)):
        raise RuntimeError(
            f"migrations in {MIGRATIONS} are not numbered 001.. without gaps: {numbers}"
        )
    return files


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations, each atomically, then (re)create the views if they changed.

    Returns the names of the migrations applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, checksum VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
    )
    done = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for f in migration_files():
        version = int(f.name[:3])
        if version in done:
            continue
        sql = f.read_text(encoding="utf-8")
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
                [version, f.stem, hashlib.sha256(sql.encode()).hexdigest()],
            )
            con.execute("COMMIT")
        except Exception as exc:
            con.execute("ROLLBACK")
            raise RuntimeError(f"migration {f.name} failed: {exc}") from exc
        applied.append(f.stem)
    # Views are recreated when their files or the tables changed, not on every open: that was
    # 0.1 s of every connection (most of a rerun over 100 unchanged issues).
    texts = [(f.name, f.read_text(encoding="utf-8")) for f in sorted(VIEWS.glob("*.sql"))]
    checksum = hashlib.sha256(repr(texts).encode()).hexdigest()
    con.execute("CREATE TABLE IF NOT EXISTS schema_views (checksum VARCHAR NOT NULL)")
    if applied or one_row(con, "SELECT max(checksum) FROM schema_views")[0] != checksum:
        con.execute("BEGIN TRANSACTION")
        try:
            _create_views(con, texts)
            con.execute("DELETE FROM schema_views")
            con.execute("INSERT INTO schema_views VALUES (?)", [checksum])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return applied


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every view from ``warehouse/views/*.sql`` in file-name order."""
    _create_views(
        con, [(f.name, f.read_text(encoding="utf-8")) for f in sorted(VIEWS.glob("*.sql"))]
    )


def _create_views(con: duckdb.DuckDBPyConnection, texts: list[tuple[str, str]]) -> None:
    for name, sql in texts:
        try:
            con.execute(sql)
        except duckdb.Error as exc:
            raise RuntimeError(f"view file {name} failed: {exc}") from exc


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest applied migration number (0 for an empty file)."""
    try:
        return one_row(con, "SELECT coalesce(max(version), 0) FROM schema_migrations")[0]
    except duckdb.CatalogException:
        return 0


def _busy_message(path: Path, exc: Exception) -> str:
    holder = re.search(r"PID (\d+)", str(exc))
    who = f"process {holder.group(1)}" if holder else "another process"
    return (
        f"warehouse {path} is in use by {who} (DuckDB allows one writer at a time); "
        "wait for that run to finish and retry"
    )


# Rows per row group in the warehouse file (DuckDB's default is 122,880). A checkpoint rewrites
# the row group that an append has touched; with the default, fact_document's bodies (80,000
# rows at 10,000 issues) were all in one row group, rewritten and recompressed at every
# checkpoint: loader CPU at 10,000 issues 61 -> 54 s with 8,192.
ROW_GROUP_SIZE = 8192


def _attach(path: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse file attached for writing (as ``gazette``, the default catalog) with its
    storage options: DuckDB takes the row group size only at ATTACH, not at connect. A second
    open of the file in the same process is refused, as it was for a reader beside a writer."""
    con = duckdb.connect()
    try:
        literal = str(path).replace("'", "''")
        con.execute(f"ATTACH '{literal}' AS gazette (ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
        con.execute("USE gazette")
        # Spill files beside the warehouse (an in-memory default catalog would put them in ./.tmp).
        con.execute(f"SET temp_directory = '{literal}.tmp'")
    except BaseException:
        con.close()
        raise
    return con


def open_db(
    path: str | Path | None = None, *, read_only: bool = False, wait: float = 0.0
) -> duckdb.DuckDBPyConnection:
    """Open (and for writers, create and migrate) the warehouse.

    ``wait`` seconds are spent retrying while another process holds the file; after that,
    :class:`WarehouseBusy` says who holds it. New files are created owner-only (0600).
    """
    path = Path(path) if path else default_path()
    if read_only and not path.exists():
        raise FileNotFoundError(f"warehouse {path} does not exist yet: run `gazette ingest` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    delay = 0.1
    while True:
        try:
            # Readers open the file as it is; writers attach it with its storage options.
            con = duckdb.connect(str(path), read_only=True) if read_only else _attach(path)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(_busy_message(path, exc)) from None
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 2.0)
    if not read_only:
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)
        # DuckDB checkpoints whenever the WAL passes 16 MB and rewrites its indexes each time:
        # a bulk load of 1 GB then slows down as the warehouse grows. Checkpoint less often, but
        # not too seldom: until a checkpoint, the appended rows also sit in memory (at 256 MB the
        # loader of the 10,000-issue benchmark held ~250 MB more than at 64 MB).
        con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
        migrate(con)
    return con


@contextlib.contextmanager
def writer_lock(path: Path, wait: float) -> Iterator[None]:
    """Serialise writers, threads and processes alike, on ``<warehouse>.lock`` (flock).

    A load waits up to ``wait`` seconds for the run ahead of it, then raises
    :class:`WarehouseBusy` naming the holder (pid and command written into the lock file).
    """
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait
    delay = 0.05
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = (
                        os.pread(fd, 500, 0).decode("utf-8", "replace").strip() or "another run"
                    )
                    raise WarehouseBusy(
                        f"warehouse {path} is being written by {holder}; one writer at a time: "
                        "wait for that run to finish and retry"
                    ) from None
                time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
                delay = min(delay * 2, 1.0)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"process {os.getpid()} ({' '.join(sys.argv[:3])[:200]})".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@contextlib.contextmanager
def connect(
    path: str | Path | None = None, *, read_only: bool = False, wait: float = 0.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Context-managed :func:`open_db` that always closes the file; writers hold the writer lock
    (waiting up to ``wait`` seconds for another run) for as long as the block runs."""
    path = Path(path) if path else default_path()
    with contextlib.ExitStack() as stack:
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
            stack.enter_context(writer_lock(path, wait))
        con = open_db(path, read_only=read_only, wait=wait)
        try:
            yield con
        finally:
            con.close()


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    """A query's result as a polars frame (Arrow path; DuckDB 2 wants results consumed at once)."""
    return con.sql(sql, params=params).pl() if params else con.sql(sql).pl()


def one_row(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
    """The first row of a query, or None, with the result fully consumed (DuckDB 2 requires it
    before the connection does anything else)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None
