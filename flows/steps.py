"""The pipeline's steps as plain functions: stage raw, parse, load, summarise.

Prefect tasks in :mod:`flows.tasks` are thin wrappers over these, and the benchmark and unit
tests call them directly (no Prefect start-up cost). This is the only module that joins
sources, transforms and warehouse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import duckdb
import polars as pl

from flows.parse import Outcome, RawRef, parse_one
from sources.encoding import detect_encoding
from sources.local import FileStat, stat_files
from sources.raw import RawItem
from transforms.dispatch import MAX_INPUT_BYTES
from warehouse.db import WarehouseInvalidated, frame, one_row
from warehouse.frames import LoadFrames, LoadInput, only_input, prepare_frames
from warehouse.issuers import refresh_issuers
from warehouse.load import LoadResult, load_frames, quarantine
from warehouse.raw import RawStoreError, read_raw, register_source

# Re-exported: the parse step lives in flows.parse (a module the pool's workers import
# without DuckDB); callers and tests import these from here.
__all__ = ["Outcome", "RawRef", "load_outcomes", "parse_one", "stage_items", "stage_many"]

_TRANSFORM_DIR = Path(__file__).resolve().parent.parent / "transforms"


def transforms_version() -> str:
    """Hash of the transform code and rules: a parse cached under another version is stale."""
    h = hashlib.sha256()
    for f in sorted(_TRANSFORM_DIR.rglob("*")):
        if f.suffix in {".py", ".toml"} and f.is_file():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def stage_items(
    con: duckdb.DuckDBPyConnection,
    items: Iterable[RawItem],
    *,
    run_id: str | None = None,
    force: bool = False,
) -> list[RawRef]:
    """Store every item in the raw layer first; say which still need parsing.

    An item whose exact bytes were already parsed and loaded needs nothing (incremental);
    ``force`` re-parses anyway (after a transform improved). One bulk path for 1 or 10,000
    items: :func:`stage_many`.
    """
    return stage_many(con, items, run_id=run_id, force=force)


_REF_SQL = "SELECT raw_id, source_id, uri, kind, sha256, encoding FROM raw_item WHERE raw_id = ?"


def refs_from_raw(
    con: duckdb.DuckDBPyConnection,
    raw_ids: Iterable[str],
    unreadable: list[Outcome] | None = None,
) -> list[tuple[RawRef, bytes]]:
    """Raw items read back from the warehouse with their bytes, for a reprocess (no network).

    An item whose bytes the raw store no longer has (or has altered) raises, unless
    ``unreadable`` is given: then it is added there as an Outcome (stage ``raw``, the file
    named in the reason) for the caller to quarantine, and the others go on.
    """
    out = []
    for rid in raw_ids:
        try:
            r = read_raw(con, rid)
        except RawStoreError as exc:
            if unreadable is None:
                raise
            ref = RawRef(*one_row(con, _REF_SQL, [rid]), {}, False, True)
            unreadable.append(Outcome(ref, stage="raw", error=f"{ref.uri}: {exc}"))
            continue
        ref = RawRef(
            r["raw_id"],
            r["source_id"],
            r["uri"],
            r["kind"],
            r["sha256"],
            r["encoding"],
            r["hints"],
            False,
            True,
        )
        out.append((ref, bytes(r["content"])))
    return out


def _fatal_message(chunk: list[Outcome], loaded: int, exc: Exception) -> str:
    """What a fatal DuckDB error means for the run, naming the inputs it stopped at."""
    names = ", ".join(o.ref.label for o in chunk[:3]) + (
        f" and {len(chunk) - 3} more" if len(chunk) > 3 else ""
    )
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (
        f"DuckDB stopped the warehouse while loading {names}: {first}. Nothing of this batch "
        f"was committed; the {loaded} inputs loaded before it in this run are kept, and their "
        "bytes are in the raw layer, so the next run loads the rest. An out-of-memory error "
        "here means DuckDB needs a larger memory_limit."
    )


def load_outcomes(
    con: duckdb.DuckDBPyConnection,
    outcomes: Iterable[Outcome],
    *,
    run_id: str | None = None,
    progress: Callable[[str], None] | None = None,
    refresh: bool = True,
    batch_size: int = 500,
    frames: LoadFrames | None = None,
) -> dict[str, int]:
    """Load parsed inputs in batches, each batch one transaction; quarantine failures.

    Outcomes carry their parsed frames, loaded ``batch_size`` inputs a transaction; or, with
    ``frames`` (the prepared frames of every parsed outcome, from the parse workers' groups),
    all in one transaction. A batch that the database refuses is retried input by input, so
    one bad input is quarantined (stage 'load') and the others still load. ``refresh``
    recomputes the derived issuer tables once at the end (canonical names, levels, regions).
    """
    total = LoadResult()
    quarantined = loaded = 0
    good: list[Outcome] = []
    for o in outcomes:
        if not o.ok or (frames is None and o.parsed is None):
            ref = o.ref
            quarantine(
                con,
                raw_id=ref.raw_id,
                source_id=ref.source_id,
                uri=ref.uri,
                stage=o.stage or "parse",
                reason=o.error or "unknown",
            )
            quarantined += 1
            if progress:
                progress(f"quarantined {ref.label}: {o.error}")
        else:
            good.append(o)
    step = len(good) if frames is not None else batch_size
    for start in range(0, len(good), max(1, step)):
        chunk = good[start : start + step]
        if frames is None:
            chunk_frames = prepare_frames([(_load_input(o), o.parsed) for o in chunk])
        else:
            chunk_frames = frames
        try:
            total += load_frames(con, chunk_frames, run_id=run_id)
            loaded += len(chunk)
        except duckdb.FatalException as exc:
            raise WarehouseInvalidated(_fatal_message(chunk, loaded, exc)) from exc
        except duckdb.Error:
            for o in chunk:  # isolate the input the database refuses
                try:
                    total += load_frames(con, only_input(chunk_frames, o.ref.raw_id), run_id=run_id)
                    loaded += 1
                except duckdb.FatalException as exc:
                    raise WarehouseInvalidated(_fatal_message([o], loaded, exc)) from exc
                except duckdb.Error as exc:
                    quarantine(
                        con,
                        raw_id=o.ref.raw_id,
                        source_id=o.ref.source_id,
                        uri=o.ref.uri,
                        stage="load",
                        reason=f"{o.ref.uri}: {exc}",
                    )
                    quarantined += 1
        del chunk_frames
        if progress:
            names = ", ".join(o.ref.label for o in chunk[:3]) + (
                f" and {len(chunk) - 3} more" if len(chunk) > 3 else ""
            )
            progress(
                f"loaded {loaded}/{len(good)} inputs ({names}): {total.added} documents new, {total.updated} updated so far"
            )
    if loaded and refresh:
        refresh_issuers(con)  # canonical issuers, levels and regions over everything loaded
    return {
        "inputs": loaded + quarantined,
        "documents_added": total.added,
        "documents_updated": total.updated,
        "documents_unchanged": total.unchanged,
        "quarantined": quarantined,
    }


def _load_input(o: Outcome) -> LoadInput:
    return LoadInput(o.ref.raw_id, o.ref.source_id, o.ref.uri, o.ref.sha256, o.keys)


def summary(con: duckdb.DuckDBPyConnection, uris: list[str] | None = None) -> pl.DataFrame:
    """Per input: documents, appointments, citations and task assignments in the warehouse."""
    where = "WHERE list_contains(?, a.source_uri)" if uris else ""
    params = [uris] if uris else []
    return frame(
        con,
        f"""
        SELECT regexp_extract(a.source_uri, '[^/]*$') AS input,
               count(DISTINCT a.document_id) AS documents,
               (SELECT count(*) FROM fact_appointment x WHERE list_contains(list(a.document_id), x.document_id)) AS appointments,
               (SELECT count(*) FROM fact_citation x WHERE list_contains(list(a.document_id), x.document_id)) AS citations,
               (SELECT count(*) FROM fact_task_assignment x WHERE list_contains(list(a.document_id), x.document_id)) AS task_assignments
        FROM fact_document_appearance a {where}
        GROUP BY a.source_uri ORDER BY a.source_uri
        """,  # noqa: S608 - only a fixed fragment is formatted in
        params,
    )


def now_utc() -> dt.datetime:
    """Timestamps are UTC everywhere."""
    return dt.datetime.now(dt.UTC)


def ingest_files(
    db: str | Path | None,
    paths: list[str | Path],
    *,
    force: bool = False,
    wait: float = 60.0,
    workers: int | None = None,
) -> dict[str, int]:
    """The ingest flow's engine without Prefect (benchmarks, fault tests, scripts):
    :func:`flows.stream.ingest_stream`, so the same order and guarantees as the flow (bytes
    stored first, then each chunk parsed and loaded in its own transaction)."""
    from flows.stream import ingest_stream

    return ingest_stream(db, paths, force=force, wait=wait, workers=workers)


# --- Streaming, parallel ingest (benchmark and large local corpora) -------------------------


def text_encoding(item: RawItem) -> str | None:
    """The encoding a text input decodes with, None for a PDF, or for bytes that no encoding
    decodes (kept raw all the same: the parse step quarantines them with the reason)."""
    if item.kind == "gazette_pdf" or len(item.content) > MAX_INPUT_BYTES:
        return None  # larger inputs are refused at parse
    try:
        return detect_encoding(item.content)
    except UnicodeDecodeError:
        return None


def files_to_read(
    con: duckdb.DuckDBPyConnection, files: Sequence[str | Path], *, force: bool = False
) -> tuple[list[FileStat], int]:
    """The files a run must read, and how many it need not: a file as it was when last read
    (path, size, modification time, inode) whose bytes were parsed is not read again (the
    check git's index and rsync make: an edit that keeps all four goes unseen; ``force``
    reads every file). Raises FileNotFoundError naming a missing file before anything is read.
    """
    from warehouse.raw import unchanged_files

    stats = stat_files(files)
    if force:
        return stats, 0
    known = unchanged_files(con, [(f.uri, f.size, f.mtime_ns, f.inode) for f in stats])
    todo = [f for f in stats if f.uri not in known]
    return todo, len(stats) - len(todo)


def stage_many(
    con: duckdb.DuckDBPyConnection,
    items: Iterable[RawItem],
    *,
    run_id: str | None = None,
    force: bool = False,
    files: Sequence[FileStat] | None = None,
) -> list[RawRef]:
    """:func:`stage_items` for many items at once: one query says which are known, one
    transaction stores the new ones (through Arrow), so staging 10,000 files costs a few
    statements instead of 40,000. Inputs over ``INLINE_MAX_BYTES`` go to the raw store files first.
    A new item without an encoding gets the detected one (set on the item, and stored).
    ``files``: for local files, each item's :class:`FileStat` (taken before it was read),
    recorded in the same transaction so the next run need not read an unchanged file.
    """
    from warehouse.raw import INLINE_MAX_BYTES, raw_id_for, record_files, write_blobs

    items = list(items)
    if not items:
        return []
    for source_id in sorted(
        {it.source_id for it in items}
        - {r for (r,) in con.execute("SELECT source_id FROM dim_source").fetchall()}
    ):
        if source_id == "local":
            register_source(con, "local", name="local files", family="local", kind="file")
    shas = [it.sha256 for it in items]  # a property that hashes the bytes: once per item
    ids = [raw_id_for(it.uri, sha) for it, sha in zip(items, shas, strict=True)]
    sha_of = dict(zip(ids, shas, strict=True))
    known = dict(
        con.execute(
            "SELECT raw_id, parsed_sha256 FROM raw_item WHERE list_contains(?, raw_id)", [ids]
        ).fetchall()
    )
    fresh: dict[str, RawItem] = {}
    for rid, it in zip(ids, items, strict=True):
        if rid not in known and rid not in fresh:
            fresh[rid] = it
            if it.encoding is None:
                it.encoding = text_encoding(it)
    rows = list(fresh.items())
    # Large inputs go to the raw store first (files before the rows that name them).
    large = {sha_of[rid]: it.content for rid, it in rows if len(it.content) > INLINE_MAX_BYTES}
    stored = write_blobs(con, large) if large else {}
    if rows or files:
        con.execute("BEGIN TRANSACTION")
        try:
            if rows:
                _insert_raw_rows(con, rows, sha_of, stored, run_id)
            if files:
                stats = [(f.uri, f.size, f.mtime_ns, f.inode) for f in files]
                record_files(con, stats, ids, shas, time.time_ns())
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    refs = []
    for rid, it in zip(ids, items, strict=True):
        needs = force or known.get(rid) != sha_of[rid]
        refs.append(
            RawRef(
                rid, it.source_id, it.uri, it.kind, sha_of[rid], it.encoding, dict(it.hints),
                rid not in known, needs,
            )
        )  # fmt: skip
    return refs


def _insert_raw_rows(
    con: duckdb.DuckDBPyConnection,
    rows: list[tuple[str, RawItem]],
    sha_of: dict[str, str],
    stored: dict[str, str],
    run_id: str | None,
) -> None:
    """Insert new raw_blob and raw_item rows through Arrow (inside the caller's transaction)."""
    import json

    import pyarrow as pa

    blobs = pa.table(
        {
            "sha256": [sha_of[rid] for rid, _ in rows],
            "content": pa.array(
                [None if sha_of[rid] in stored else it.content for rid, it in rows],
                type=pa.binary(),
            ),
            "size_bytes": [len(it.content) for _, it in rows],
            "file_path": pa.array([stored.get(sha_of[rid]) for rid, _ in rows], pa.string()),
        }
    )
    raws = pa.table(
        {
            "raw_id": [rid for rid, _ in rows],
            "source_id": [it.source_id for _, it in rows],
            "uri": [it.uri for _, it in rows],
            "kind": [it.kind for _, it in rows],
            "sha256": [sha_of[rid] for rid, _ in rows],
            "media_type": [it.media_type for _, it in rows],
            "encoding": [it.encoding for _, it in rows],
            "http_status": pa.array([it.http_status for _, it in rows], type=pa.int32()),
            "headers": [json.dumps(dict(it.headers or {}), ensure_ascii=False) for _, it in rows],
            "hints": [json.dumps(dict(it.hints or {}), ensure_ascii=False) for _, it in rows],
            "fetched_at": pa.array(
                [it.fetched_at or now_utc() for _, it in rows],
                type=pa.timestamp("us", tz="UTC"),
            ),
        }
    )
    con.register("staged_blobs", blobs)
    con.register("staged_raws", raws)
    try:
        con.execute(
            "INSERT INTO raw_blob (sha256, content, size_bytes, file_path)"
            " SELECT DISTINCT ON (sha256) sha256, content, size_bytes, file_path FROM staged_blobs"
            " ON CONFLICT DO NOTHING"
        )
        con.execute(
            "INSERT INTO raw_item (raw_id, source_id, uri, kind, sha256, media_type, encoding,"
            " http_status, headers, hints, fetched_at, run_id)"
            " SELECT raw_id, source_id, uri, kind, sha256, media_type, encoding, http_status,"
            " headers::JSON, hints::JSON, fetched_at, ? FROM staged_raws",
            [run_id],
        )
    finally:
        con.unregister("staged_blobs")
        con.unregister("staged_raws")
