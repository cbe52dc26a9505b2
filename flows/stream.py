"""The parse-and-load engine every flow runs: chunks of inputs, a pool of parse processes, one
transaction per chunk, the load of one chunk overlapping the parse of the next.

A run is a stream of :class:`Batch` es (local files read and staged a chunk at a time, raw items
read back for a reprocess, or pages a crawl has already staged). Each batch is handed to a
process pool of parsers (``spawn``: polars and DuckDB hold thread pools a forked child would
inherit locked); while the pool parses it, the previous batch is loaded in one transaction.
Memory stays bounded by two batches whatever the corpus size. The ingest, reprocess, nightly
and backfill flows, ``flows.steps.ingest_files`` and the benchmark (``python -m bench``) all run
this one path, so the benchmark measures what an operator runs.

Parsing happens in processes, not in Prefect task runs: the parse is CPU-bound Python, which
threads (Prefect's default task runner) cannot run in parallel, and a task run per input cost
~40 ms of API calls and a persisted result each. Prefect sees one task run per batch (see
``flows.tasks.batch_task``), named by its inputs.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from flows.parse import Group, Outcome, RawRef, lower_priority, parse_group
from flows.steps import files_to_read, load_outcomes, refs_from_raw, stage_many
from warehouse.frames import combine_frames
from warehouse.issuers import refresh_issuers

# Inputs staged, parsed and loaded at a time (one transaction each). Larger chunks gave the
# same time and a higher peak (200-300 issues a chunk: up to 1.14 GB at 10,000 issues).
CHUNK_SIZE = 100
# Below this many inputs, parse in this process: starting a pool (~1 s of imports per process,
# in parallel) costs more than it saves.
MIN_POOL_INPUTS = 16
# DuckDB's buffer pool for a loading connection (MB). Its default is 80% of RAM; capped, it must
# still hold the primary-key indexes of the dimension and document tables (a 256 MB cap once
# made a checkpoint fail fatally; 320 MB holds a 10,000-issue load). GAZETTE_DB_MEMORY_MB
# overrides it for a larger warehouse.
DEFAULT_MEMORY_MB = 320

# Groups of a batch per parse process: enough that a slow group does not leave a process idle
# at the end of a batch, few enough that each group's frames are prepared in bulk.
GROUPS_PER_WORKER = 4

COUNT_KEYS = (
    "inputs",
    "documents_added",
    "documents_updated",
    "documents_unchanged",
    "quarantined",
    "skipped",
)


@dataclass
class StreamTimings:
    """Wall seconds of each phase of a run, as the loading process sees them.

    ``parse`` is the time spent waiting for the pool: the load of one batch overlaps the parse
    of the next, so the phases add up to less than the parse alone would take.
    """

    read_stage: float = 0.0  # read files, hash, store bytes in the raw layer
    parse: float = 0.0  # decode, clean, split, extract (in the process pool)
    load: float = 0.0  # load_batch transactions and the final issuer refresh
    parse_cpu: float = 0.0  # sum of per-input parse seconds inside the workers
    inputs: int = 0
    parsed: int = 0
    documents: int = 0
    bytes_read: int = 0


@dataclass
class Batch:
    """One chunk of a run: the staged inputs to parse, with their bytes, and what needs no
    parse (inputs already failed, such as raw bytes gone from the store, or unchanged)."""

    jobs: list[tuple[RawRef, bytes]]
    failed: list[Outcome] = field(default_factory=list)
    skipped: int = 0
    bytes_read: int = 0
    label: str = ""

    @property
    def size(self) -> int:
        """Inputs this batch stands for."""
        return len(self.jobs) + len(self.failed) + self.skipped


def batch_label(names: list[str], first: int, total: int) -> str:
    """``inputs 201-400 of 1,000 (000200.txt … 000399.txt)``: for logs and task-run names."""
    span = names[0] if len(names) == 1 else f"{names[0]} … {names[-1]}"
    return f"inputs {first + 1}-{first + len(names)} of {total:,} ({span})"


def file_batches(
    con: duckdb.DuckDBPyConnection,
    files: list[Path],
    *,
    chunk_size: int | None = None,
    force: bool = False,
    run_id: str | None = None,
) -> Iterator[Batch]:
    """Local files a chunk at a time: read, then stored in the raw layer (bytes first) before
    anything parses them. A file unchanged since it was last read and parsed is not read (see
    :func:`flows.steps.files_to_read`); one whose exact bytes were parsed before is read but not
    parsed. ``force`` reads and parses every file again."""
    from sources.local import read_file

    size = chunk_size or CHUNK_SIZE
    todo, unchanged = files_to_read(con, files, force=force)
    if unchanged:
        yield Batch([], skipped=unchanged, label=f"{unchanged:,} unchanged files not read")
    for start in range(0, len(todo), size):
        chunk = todo[start : start + size]
        items = [read_file(f.path, stat=f) for f in chunk]
        refs = stage_many(con, items, run_id=run_id, force=force, files=chunk)
        jobs = [(r, it.content) for r, it in zip(refs, items, strict=True) if r.needs_parse]
        yield Batch(
            jobs,
            skipped=len(items) - len(jobs),
            bytes_read=sum(len(it.content) for it in items),
            label=batch_label([f.path.name for f in chunk], start, len(todo)),
        )


def staged_batches(
    todo: list[tuple[RawRef, bytes]], *, chunk_size: int | None = None
) -> Iterator[Batch]:
    """Inputs already in the raw layer with their bytes (what a crawl fetched and staged)."""
    size = chunk_size or CHUNK_SIZE
    for start in range(0, len(todo), size):
        chunk = todo[start : start + size]
        yield Batch(
            chunk,
            bytes_read=sum(len(c) for _, c in chunk),
            label=batch_label([r.label for r, _ in chunk], start, len(todo)),
        )


def raw_batches(
    con: duckdb.DuckDBPyConnection, raw_ids: list[str], *, chunk_size: int | None = None
) -> Iterator[Batch]:
    """Raw items read back from the warehouse a chunk at a time (a reprocess: no network); an
    item whose bytes the raw store lost is a failed input (stage ``raw``), the others go on."""
    size = chunk_size or CHUNK_SIZE
    for start in range(0, len(raw_ids), size):
        unreadable: list[Outcome] = []
        jobs = refs_from_raw(con, raw_ids[start : start + size], unreadable)
        names = [r.label for r, _ in jobs] + [o.ref.label for o in unreadable]
        yield Batch(
            jobs,
            failed=unreadable,
            bytes_read=sum(len(c) for _, c in jobs),
            label=batch_label(names, start, len(raw_ids)),
        )


def parse_workers(total: int, workers: int | None = None) -> int:
    """How many parse processes a run of ``total`` inputs gets: ``workers`` if given, else
    ``GAZETTE_PARSE_WORKERS``, else one per core; none (parse in this process) for a handful."""
    if workers is None:
        env = os.environ.get("GAZETTE_PARSE_WORKERS", "").strip()
        if env:
            try:
                workers = int(env)
            except ValueError:
                raise ValueError(
                    f"GAZETTE_PARSE_WORKERS={env!r}: expected a number of processes (0 = none)"
                ) from None
        elif total < MIN_POOL_INPUTS:
            workers = 0
        else:
            workers = os.cpu_count() or 1
    return max(0, workers)


@contextlib.contextmanager
def parse_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """A spawn pool of ``workers`` parse processes at lower CPU priority (None for 0: parse in
    this process). Spawn, never fork: polars and DuckDB hold thread pools a forked child
    inherits locked."""
    if workers <= 0:
        yield None
        return
    import multiprocessing

    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=lower_priority
    )
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def memory_limit_mb() -> int | None:
    """The loading connection's DuckDB memory cap: GAZETTE_DB_MEMORY_MB (0: DuckDB's default)."""
    env = os.environ.get("GAZETTE_DB_MEMORY_MB", "").strip()
    if not env:
        return DEFAULT_MEMORY_MB
    try:
        mb = int(env)
    except ValueError:
        raise ValueError(f"GAZETTE_DB_MEMORY_MB={env!r}: expected megabytes (0 = no cap)") from None
    return mb or None


def tune_loader(
    con: duckdb.DuckDBPyConnection, workers: int, memory_mb: int | None, threads: int | None
) -> None:
    """DuckDB settings of a loading connection: the memory cap, and one thread per core the
    parse pool leaves (a DuckDB thread per core on top of the pool only fights it for the CPU:
    4,000 issues on 2 cores loaded in 43.5 s with 2 threads, 40.6 s with 1)."""
    if memory_mb:
        con.execute(f"SET memory_limit = '{int(memory_mb)}MB'")
    con.execute(f"SET threads = {threads or max(1, (os.cpu_count() or 1) - workers)}")


class ParsePoolBroken(RuntimeError):
    """A parse process died (killed, out of memory, or it could not start)."""


def _broken_message(batch: Batch) -> str:
    return (
        f"a parse process died while parsing {batch.label}: killed (out of memory?) or unable "
        "to start. Processes are started with 'spawn', which imports the main module again: a "
        'script that runs an ingest must do so under `if __name__ == "__main__":`. '
        "GAZETTE_PARSE_WORKERS=0 parses in this process instead. Inputs loaded before this "
        "batch are kept, its bytes are in the raw layer, and the next run resumes."
    )


LoadWrapper = Callable[[str, Callable[[], dict[str, int]]], dict[str, int]]


def run_batches(
    con: duckdb.DuckDBPyConnection,
    batches: Iterable[Batch],
    *,
    pool: ProcessPoolExecutor | None,
    run_id: str | None = None,
    progress: Callable[[str], None] | None = None,
    timings: StreamTimings | None = None,
    wrap: LoadWrapper | None = None,
) -> dict[str, int]:
    """Parse each batch in the pool while the previous one loads; returns the run's counts.

    ``batches`` is read lazily, between loads, on this connection (staging the next chunk is
    a short transaction of its own). ``wrap(label, load)`` runs each batch's wait-and-load, e.g.
    as a Prefect task run; by default it is simply called. Issuer tables are not refreshed here.
    """
    t = timings if timings is not None else StreamTimings()
    counts = dict.fromkeys(COUNT_KEYS, 0)
    workers = getattr(pool, "_max_workers", 1) if pool is not None else 1
    pending: tuple[Batch, Iterable[Group]] | None = None

    def finish(batch: Batch, results: Iterable[Group]) -> dict[str, int]:
        t1 = time.perf_counter()
        try:
            groups = list(results)
        except BrokenProcessPool as exc:
            raise ParsePoolBroken(_broken_message(batch)) from exc
        t2 = time.perf_counter()
        outcomes = list(batch.failed) + [o for g in groups for o in g.outcomes]
        parts = [g.frames for g in groups if g.frames is not None]
        del groups
        t.parse += t2 - t1
        t.parse_cpu += sum(o.seconds for o in outcomes)
        t.parsed += sum(o.ok for o in outcomes)
        t.documents += sum(o.documents for o in outcomes)
        got = load_outcomes(
            con,
            outcomes,
            run_id=run_id,
            refresh=False,
            frames=combine_frames(parts) if parts else None,
        )
        t.load += time.perf_counter() - t2
        return got

    def settle(batch: Batch, results: Iterable[Group]) -> None:
        got = (wrap or (lambda _label, work: work()))(batch.label, lambda: finish(batch, results))
        for k in COUNT_KEYS[:-1]:
            counts[k] += got[k]
        if progress:
            progress(
                f"{batch.label}: {got['documents_added']} documents added, "
                f"{got['documents_updated']} updated, {got['quarantined']} quarantined"
            )

    it = iter(batches)
    while True:
        t0 = time.perf_counter()
        batch = next(it, None)  # reads and stages the next chunk (overlapping the pool's work)
        t.read_stage += time.perf_counter() - t0
        if batch is None:
            break
        t.inputs += batch.size
        t.bytes_read += batch.bytes_read
        counts["skipped"] += batch.skipped
        if not batch.jobs and not batch.failed:
            if progress and batch.skipped:  # "9,900 unchanged files not read", or read but known
                read = f": {batch.skipped} unchanged, nothing to parse" if batch.bytes_read else ""
                progress(batch.label + read)
            continue
        if pool is None:  # one group, parsed when the batch is loaded
            submitted: Iterable[Group] = map(parse_group, [batch.jobs])
        else:  # a few groups per worker: each prepares its group's frames for the loader
            per = max(1, -(-len(batch.jobs) // (workers * GROUPS_PER_WORKER)))
            groups = [batch.jobs[i : i + per] for i in range(0, len(batch.jobs), per)]
            submitted = pool.map(parse_group, groups)
        if pending is not None:
            settle(*pending)
        pending = (batch, submitted)
    if pending is not None:
        settle(*pending)
    return counts


def run_stream(
    db: str | Path | None,
    make_batches: Callable[[duckdb.DuckDBPyConnection], Iterable[Batch]],
    total: int,
    *,
    workers: int | None = None,
    wait: float = 60.0,
    run_id: str | None = None,
    progress: Callable[[str], None] | None = None,
    timings: StreamTimings | None = None,
    wrap: LoadWrapper | None = None,
    memory_limit: int | None | str = "default",
    db_threads: int | None = None,
) -> dict[str, int]:
    """Open the warehouse (waiting up to ``wait`` s for another writer), run the batches that
    ``make_batches(con)`` yields through the pool and the loader, then refresh the issuer
    tables (canonical names, levels, regions) once if anything was loaded.

    The warehouse stays open for the run: another run waits for it (``wait``) and then goes
    on, as two overlapping runs must. ``total`` (inputs in the run) sizes the pool.
    """
    import multiprocessing

    from warehouse.db import connect

    # A parse process being started (spawn) runs the parent's main module again; a script that
    # ingests at import time would reach here and wait for the warehouse its parent holds. Stop
    # at once (multiprocessing marks such a process the same way for its own check).
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise ParsePoolBroken(
            "a parse process is importing the main module that started it: run the ingest "
            'under `if __name__ == "__main__":` (or set GAZETTE_PARSE_WORKERS=0)'
        )
    n = parse_workers(total, workers)
    mem = memory_limit_mb() if memory_limit == "default" else memory_limit
    with parse_pool(n) as pool, connect(db, wait=wait) as con:
        tune_loader(con, n, mem, db_threads)  # type: ignore[arg-type]
        counts = run_batches(
            con,
            make_batches(con),
            pool=pool,
            run_id=run_id,
            progress=progress,
            timings=timings,
            wrap=wrap,
        )
        if counts["inputs"] > counts["quarantined"]:
            t0 = time.perf_counter()
            refresh_issuers(con)
            if timings is not None:
                timings.load += time.perf_counter() - t0
    return counts


def ingest_stream(
    db: str | Path | None,
    paths: list[str | Path],
    *,
    workers: int | None = None,
    chunk_size: int | None = None,
    force: bool = False,
    wait: float = 60.0,
    run_id: str | None = None,
    timings: StreamTimings | None = None,
    progress: Callable[[str], None] | None = None,
    wrap: LoadWrapper | None = None,
    memory_limit: int | None | str = "default",
    db_threads: int | None = None,
) -> dict[str, int]:
    """Ingest local files (gazette issues as text or PDF, saved portal pages): each chunk of
    ``chunk_size`` files is read and staged (bytes first), parsed by the pool, and loaded in
    one transaction. Inputs whose exact bytes were loaded before are skipped after one query.
    ``workers``: parse processes (default: see :func:`parse_workers`; 0 parses in this
    process). ``memory_limit``: DuckDB's buffer pool in MB (default: :func:`memory_limit_mb`).
    """
    from sources.local import expand

    files = expand(list(paths))
    return run_stream(
        db,
        lambda con: file_batches(con, files, chunk_size=chunk_size, force=force, run_id=run_id),
        len(files),
        workers=workers,
        wait=wait,
        run_id=run_id,
        progress=progress,
        timings=timings,
        wrap=wrap,
        memory_limit=memory_limit,
        db_threads=db_threads,
    )
