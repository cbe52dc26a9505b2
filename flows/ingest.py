"""The ingest and reprocess flows: local files or the raw layer in, warehouse rows out.

Each flow reads as its list of steps: stage raw (bytes first), parse every input that changed,
load each input in its own transaction, record the run. The warehouse is opened only for the
short stage and load steps, waiting for another writer rather than failing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.steps import Outcome, RawRef, load_outcomes, refs_from_raw, stage_items
from flows.tasks import parse_task
from sources.local import expand, read_file
from warehouse.db import connect
from warehouse.issuers import refresh_issuers
from warehouse.raw import select_raw_ids
from warehouse.runs import finish_run, start_run

WRITER_WAIT_SECONDS = 900.0  # a load waits this long for another run to release the warehouse
PARSE_BATCH = 200  # inputs parsed and then loaded at a time (a reprocess also reads them so)


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


def parse_all(todo: list[tuple[RawRef, bytes]]) -> list[Outcome]:
    """Parse inputs concurrently as named task runs (one per input)."""
    futures = [parse_task.submit(ref, content) for ref, content in todo]
    return [f.result() for f in futures]


def parsed_in_batches(todo: list[tuple[RawRef, bytes]]) -> Iterator[list[Outcome]]:
    """Parse ``todo`` a batch at a time, for :func:`load_and_finish` to load each batch before
    the next is parsed: a run holds one batch's parsed frames, not every input's."""
    for start in range(0, len(todo), PARSE_BATCH):
        yield parse_all(todo[start : start + PARSE_BATCH])


_LOAD_COUNTS = (
    "inputs",
    "documents_added",
    "documents_updated",
    "documents_unchanged",
    "quarantined",
)


def load_and_finish(
    db: str | None,
    run_id: str,
    batches: Iterable[list[Outcome]],
    counts: dict[str, int],
    flow_name: str,
) -> dict[str, Any]:
    """Load each batch of outcomes, then write the run's row and log the one-line summary.

    ``batches`` may be a generator that reads and parses the next batch only when asked (a
    reprocess of a whole archive): the warehouse is opened for each batch's load, not while
    the next one is read or parsed, and the issuer tables are refreshed once at the end.
    """
    logger = get_run_logger()
    for key in _LOAD_COUNTS:  # a run with nothing to parse still reports its zeros
        counts.setdefault(key, 0)
    for outcomes in batches:
        with connect(db, wait=WRITER_WAIT_SECONDS) as con:
            got = load_outcomes(con, outcomes, run_id=run_id, progress=logger.info, refresh=False)
        for key in _LOAD_COUNTS:
            counts[key] += got[key]
    with connect(db, wait=WRITER_WAIT_SECONDS) as con:
        if counts["inputs"] > counts["quarantined"]:
            refresh_issuers(con)  # canonical issuers, levels and regions over everything loaded
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
        items = [read_file(p) for p in files]
        with connect(db, wait=WRITER_WAIT_SECONDS) as con:
            refs = stage_items(con, items, run_id=run_id, force=force)
        todo = [(ref, it.content) for ref, it in zip(refs, items, strict=True) if ref.needs_parse]
        logger.info(
            "%d files read, %d new in the raw layer, %d to parse",
            len(items),
            sum(r.is_new for r in refs),
            len(todo),
        )
        counts = {"pages_fetched": 0, "skipped": len(items) - len(todo)}
        return load_and_finish(db, run_id, parsed_in_batches(todo), counts, "ingest")


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
            PARSE_BATCH,
        )

        def batches() -> Iterator[list[Outcome]]:
            """Read and parse the raw items a batch at a time: memory holds one batch's
            bytes and frames, whatever the size of the archive."""
            for start in range(0, len(ids), PARSE_BATCH):
                unreadable: list[Outcome] = []
                with connect(db, wait=WRITER_WAIT_SECONDS) as con:
                    todo = refs_from_raw(con, ids[start : start + PARSE_BATCH], unreadable)
                for o in unreadable:
                    logger.error("raw item kept out of the reprocess: %s", o.error)
                yield unreadable + parse_all(todo)

        return load_and_finish(db, run_id, batches(), {"pages_fetched": 0}, "reprocess")
