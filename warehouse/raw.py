"""The raw layer: bytes first, parse later.

Every input is stored with its URI, time, hash and encoding before anything parses it, so a
reprocess never needs the network and a page that will not parse is never lost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from warehouse.db import one_row

# Inputs up to this size are stored in the warehouse file (raw_blob.content); larger ones (whole
# gazette issues, PDFs) in the raw store directory beside it. Long values cost DuckDB at every
# checkpoint (held in memory until then, then compressed): with gazette issues inline, the raw
# text was the loader's largest memory item and a third of its time. See docs/scaling.md.
INLINE_MAX_BYTES = 64 * 1024


class RawStoreError(RuntimeError):
    """A raw item's bytes are missing from the raw store or no longer match their hash."""


def raw_store_dir(con: duckdb.DuckDBPyConnection) -> Path:
    """``<warehouse>.raw/`` beside the warehouse file: where large raw inputs live, owner-only."""
    (path,) = one_row(
        con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    )
    return Path(path).with_name(Path(path).name + ".raw")


def write_blobs(con: duckdb.DuckDBPyConnection, blobs: Mapping[str, bytes]) -> dict[str, str]:
    """Write inputs to the raw store, content-addressed (``<sha[:2]>/<sha>``); returns each
    sha256's path relative to the warehouse file.

    Each file is written whole before it gets its name (temp file, fsync, rename), so a crash
    leaves no partial blob; a blob already there is not written again. Call it before the
    transaction that records the rows: a file without a row is harmless, a row without its
    file is not.
    """
    root = raw_store_dir(con)
    root.mkdir(mode=0o700, exist_ok=True)
    os.chmod(root, 0o700)
    paths: dict[str, str] = {}
    for sha, content in blobs.items():
        target = root / sha[:2] / sha
        if not target.exists():
            target.parent.mkdir(mode=0o700, exist_ok=True)
            tmp = target.with_suffix(".part")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(content)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        paths[sha] = str(target.relative_to(root.parent))
    return paths


def read_blob(con: duckdb.DuckDBPyConnection, sha: str, file_path: str) -> bytes:
    """A raw store blob's bytes, checked against its hash (a raw layer that cannot be trusted
    is worse than one that fails): :class:`RawStoreError` names the file otherwise."""
    path = raw_store_dir(con).parent / file_path
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise RawStoreError(
            f"raw store file {path} is missing (sha256 {sha}): restore the raw store beside "
            "the warehouse file, or fetch the input again"
        ) from None
    if hashlib.sha256(content).hexdigest() != sha:
        raise RawStoreError(f"raw store file {path} does not match its sha256 {sha}")
    return content


def raw_id_for(uri: str, sha256: str) -> str:
    """Stable id of one (uri, content) pair."""
    return hashlib.sha256(f"{uri}\0{sha256}".encode()).hexdigest()[:32]


def read_raw(con: duckdb.DuckDBPyConnection, raw_id: str) -> dict[str, Any]:
    """One raw row with its bytes, for a reprocess."""
    row = one_row(
        con,
        "SELECT r.raw_id, r.source_id, r.uri, r.kind, r.sha256, r.media_type, r.encoding,"
        " r.hints, r.fetched_at, b.content, b.file_path FROM raw_item r JOIN raw_blob b USING (sha256)"
        " WHERE r.raw_id = ?",
        [raw_id],
    )
    if row is None:
        raise KeyError(f"no raw item {raw_id}")
    keys = [
        "raw_id",
        "source_id",
        "uri",
        "kind",
        "sha256",
        "media_type",
        "encoding",
        "hints",
        "fetched_at",
        "content",
        "file_path",
    ]
    out = dict(zip(keys, row, strict=True))
    file_path = out.pop("file_path")
    if out["content"] is None and file_path:
        out["content"] = read_blob(con, out["sha256"], file_path)
    out["hints"] = json.loads(out["hints"] or "{}")
    return out


def select_raw_ids(
    con: duckdb.DuckDBPyConnection,
    *,
    source_id: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    only_unparsed: bool = False,
    kinds: tuple[str, ...] = ("gazette_text", "gazette_pdf", "portal_page"),
) -> list[str]:
    """Raw items to (re)parse: by source and a half-open fetch-date range ``[since, until)``.

    Only the newest content of each URI is returned: an older version of a republished page is
    kept in the raw layer but not re-derived over the newer one.
    """
    sql = [
        "SELECT raw_id FROM (SELECT *, row_number() OVER (PARTITION BY uri ORDER BY fetched_at DESC, stored_at DESC) AS rn"
        " FROM raw_item) WHERE rn = 1 AND list_contains(?, kind)"
    ]
    params: list[Any] = [list(kinds)]
    if source_id and source_id != "all":
        sql.append("AND source_id = ?")
        params.append(source_id)
    if since:
        sql.append("AND CAST(fetched_at AS DATE) >= ?")
        params.append(since)
    if until:
        sql.append("AND CAST(fetched_at AS DATE) < ?")
        params.append(until)
    if only_unparsed:
        sql.append("AND (parsed_sha256 IS NULL OR parsed_sha256 <> sha256)")
    sql.append("ORDER BY fetched_at, uri")
    return [r for (r,) in con.execute(" ".join(sql), params).fetchall()]


def register_source(
    con: duckdb.DuckDBPyConnection,
    source_id: str,
    *,
    name: str | None = None,
    family: str | None = None,
    base_url: str | None = None,
    kind: str | None = None,
) -> None:
    """Insert or refresh a dim_source row (a site definition, or ``local`` for files)."""
    con.execute(
        "INSERT INTO dim_source VALUES (?, ?, ?, ?, ?) ON CONFLICT (source_id) DO UPDATE SET"
        " name = excluded.name, family = excluded.family, base_url = excluded.base_url, kind = excluded.kind",
        [source_id, name, family, base_url, kind],
    )


# --- Local files: known by their stat, not read again ---------------------------------------

# A file modified this close before it was read may be edited again within the same tick of
# its file system's clock and keep its time: such a file is read again next run (git's "racy"
# index entries). 2 s covers the coarsest clocks in use (FAT).
RACY_NS = 2_000_000_000

FileRow = tuple[str, int, int, int]  # uri, size in bytes, mtime in ns, inode


def unchanged_files(con: duckdb.DuckDBPyConnection, files: Sequence[FileRow]) -> set[str]:
    """The uris of ``files`` that are as they were when last read (same size, modification time
    and inode) and whose bytes were then parsed and loaded: nothing to read. One query for the
    whole run."""
    import pyarrow as pa

    if not files:
        return set()
    uris, sizes, mtimes, inodes = zip(*files, strict=True)
    con.register(
        "_file_stats",
        pa.table({"uri": uris, "size_bytes": sizes, "mtime_ns": mtimes, "inode": inodes}),
    )
    try:
        rows = con.execute(
            "SELECT s.uri FROM _file_stats s"
            " JOIN local_file f ON f.uri = s.uri AND f.size_bytes = s.size_bytes"
            " AND f.mtime_ns = s.mtime_ns AND f.inode = s.inode"
            " JOIN raw_item r ON r.raw_id = f.raw_id AND r.parsed_sha256 = f.sha256"
            " WHERE f.mtime_ns < f.read_at_ns - ?",
            [RACY_NS],
        ).fetchall()
    finally:
        con.unregister("_file_stats")
    return {u for (u,) in rows}


def record_files(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[FileRow],
    raw_ids: Sequence[str],
    shas: Sequence[str],
    read_at_ns: int,
) -> None:
    """Record how each file looked when read (replacing its earlier row). Run inside the
    transaction that stores the files' raw rows, so a row never names bytes not stored."""
    import pyarrow as pa

    if not files:
        return
    uris, sizes, mtimes, inodes = zip(*files, strict=True)
    con.register(
        "_file_rows",
        pa.table(
            {
                "uri": uris,
                "size_bytes": sizes,
                "mtime_ns": mtimes,
                "inode": inodes,
                "raw_id": raw_ids,
                "sha256": shas,
            }
        ),
    )
    try:
        con.execute(
            "INSERT OR REPLACE INTO local_file SELECT DISTINCT ON (uri) uri, size_bytes,"
            " mtime_ns, inode, raw_id, sha256, ? FROM _file_rows",
            [read_at_ns],
        )
    finally:
        con.unregister("_file_rows")
