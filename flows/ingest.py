"""The ingest and reprocess flows: local files or the raw layer in, warehouse rows out.

Each flow reads as its list of steps: record the run, then a chunk at a time stage raw (bytes
first), parse every input that changed in a pool of processes, load the chunk in one
transaction (:mod:`flows.stream`, the engine every flow and the benchmark run), record the
outcome. A run waits for another writer rather than failing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import duckdb
from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.stream import CHUNK_SIZE, Batch, file_batches, parse_workers, raw_batches, run_stream
from flows.tasks import as_task_runs
from sources.local import expand
from warehouse.db import connect
from warehouse.raw import select_raw_ids
from warehouse.runs import finish_run, start_run

WRITER_WAIT_SECONDS = 900.0  # a load waits this long for another run to release the warehouse


def current_run_id() -> str:
    """The Prefect flow run id, or a fresh id outside Prefect."""
    return str(flow_run.id or uuid.uuid4())


@contextlib.contextmanager
def recorded_run(db: str | None, flow_name: str, params: dict[str, Any]) -> Iterator[str]:
    """Write the run's pipeline_runs row at start; mark it FAILED with the reason if the flow raises."""
    run_id = current_run_id()
    with connect(db, wait=WRITER_WAIT_SECONDS) as con:
        start_run(con, run_id, flow_name, params)
    try:
        yield run_id
    except BaseException as exc:
        with contextlib.suppress(Exception), connect(db, wait=60) as con:
            finish_run(con, run_id, "FAILED", {}, f"{type(exc).__name__}: {exc}")
        raise


_LOAD_COUNTS = (
    "inputs",
    "documents_added",
    "documents_updated",
    "documents_unchanged",
    "quarantined",
)


def run_and_finish(
    db: str | None,
    run_id: str,
    make_batches: Callable[[duckdb.DuckDBPyConnection], Iterable[Batch]],
    total: int,
    counts: dict[str, int],
    flow_name: str,
) -> dict[str, Any]:
    """Parse and load the run's batches (:func:`flows.stream.run_stream`, each batch a task
    run), then write the run's row and log the one-line summary.

    ``make_batches(con)`` reads (and stages) the next batch only when asked: a run holds two
    batches in memory, whatever the size of the archive.
    """
    logger = get_run_logger()
    got = run_stream(
        db,
        make_batches,
        total,
        wait=WRITER_WAIT_SECONDS,
        run_id=run_id,
        progress=logger.info,
        wrap=as_task_runs,
    )
    for key in _LOAD_COUNTS:  # a run with nothing to parse still reports its zeros
        counts[key] = counts.get(key, 0) + got[key]
    counts["skipped"] = counts.get("skipped", 0) + got["skipped"]
    with connect(db, wait=WRITER_WAIT_SECONDS) as con:
        state = "COMPLETED" if not counts.get("quarantined") else "COMPLETED_WITH_QUARANTINE"
        msg = (
            f"{flow_name}: {counts.get('inputs', 0)} inputs parsed, {counts.get('documents_added', 0)} documents added, "
            f"{counts.get('documents_updated', 0)} updated, {counts.get('documents_unchanged', 0)} unchanged, "
            f"{counts.get('quarantined', 0)} quarantined, {counts.get('skipped', 0)} unchanged inputs skipped"
        )
        finish_run(con, run_id, state, counts, msg)
    logger.info(msg)
    counts["state"] = state
    counts["run_id"] = run_id
    return counts


@flow(
    name="ingest",
    description="Ingest local files: gazette issues as .txt or .pdf, saved portal pages as .html or text.",
)
def ingest(paths: list[str], db: str | None = None, force: bool = False) -> dict[str, Any]:
    """Read files, store their bytes, parse what changed and load it.

    paths: files, directories or globs. db: warehouse file (default GAZETTE_DB or
    data/gazette.duckdb). force: re-parse inputs even when their bytes were loaded before.
    """
    logger = get_run_logger()
    files = expand(paths)
    if not files:
        raise FileNotFoundError(f"no input files in {paths}")
    with recorded_run(
        db, "ingest", {"paths": [str(p) for p in paths], "db": db, "force": force}
    ) as run_id:
        workers = parse_workers(len(files))
        logger.info(
            "%d files to read, store raw, parse and load %d at a time, parsed %s",
            len(files),
            CHUNK_SIZE,
            f"by {workers} processes" if workers else "in this process",
        )

        def batches(con: duckdb.DuckDBPyConnection) -> Iterator[Batch]:
            return file_batches(con, files, force=force, run_id=run_id)

        return run_and_finish(db, run_id, batches, len(files), {"pages_fetched": 0}, "ingest")


@flow(
    name="reprocess",
    description="Re-derive documents from the raw layer (no network), after a transform improved.",
)
def reprocess(
    source: str = "all",
    start: dt.date | None = None,
    end: dt.date | None = None,
    only_quarantined: bool = False,
    db: str | None = None,
) -> dict[str, Any]:
    """Re-parse and re-load raw items of ``source`` fetched in ``[start, end)``.

    source: a source id or "all". start/end: half-open range of fetch dates (empty = all).
    only_quarantined: retry just the inputs in quarantine.
    """
    logger = get_run_logger()
    params = {"source": source, "start": start, "end": end, "only_quarantined": only_quarantined}
    with recorded_run(db, "reprocess", params) as run_id:
        with connect(db, wait=WRITER_WAIT_SECONDS) as con:
            ids = select_raw_ids(con, source_id=source, since=start, until=end)
            if only_quarantined:
                held = {
                    r
                    for (r,) in con.execute(
                        "SELECT raw_id FROM quarantine WHERE resolved_at IS NULL"
                    ).fetchall()
                }
                ids = [i for i in ids if i in held]
        logger.info(
            "reprocessing %d raw items from the warehouse (no network), %d at a time",
            len(ids),
            CHUNK_SIZE,
        )

        def batches(con: duckdb.DuckDBPyConnection) -> Iterator[Batch]:
            """Read back the raw items a batch at a time: memory holds two batches' bytes and
            frames, whatever the size of the archive."""
            for batch in raw_batches(con, ids):
                for o in batch.failed:
                    logger.error("raw item kept out of the reprocess: %s", o.error)
                yield batch

        return run_and_finish(db, run_id, batches, len(ids), {"pages_fetched": 0}, "reprocess")
