"""Streaming ingest for large corpora: chunks of files, a process pool of parsers, bulk loads.

The same steps as :func:`flows.steps.ingest_files` (bytes first, then parse, then one
transaction per chunk), arranged so that memory stays bounded and the load of one chunk
overlaps the parse of the next. The benchmark (``python -m bench``) runs this.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from flows.parse import Outcome, lower_priority, parse_job
from flows.steps import load_outcomes, stage_many
from warehouse.issuers import refresh_issuers

_COUNT_KEYS = (
    "inputs",
    "documents_added",
    "documents_updated",
    "documents_unchanged",
    "quarantined",
)


@dataclass
class StreamTimings:
    """Wall seconds of each phase of :func:`ingest_stream`, as the loading process sees them.

    ``parse`` is the time spent waiting for the pool: the load of one chunk overlaps the
    parse of the next, so the phases add up to less than the parse alone would take.
    """

    read_stage: float = 0.0  # read files, hash, store bytes in the raw layer
    parse: float = 0.0  # decode, clean, split, extract (in the process pool)
    load: float = 0.0  # load_batch transactions and the final issuer refresh
    parse_cpu: float = 0.0  # sum of per-input parse seconds inside the workers
    inputs: int = 0
    parsed: int = 0
    documents: int = 0
    bytes_read: int = 0


def ingest_stream(
    db: str | Path | None,
    paths: list[str | Path],
    *,
    workers: int = 2,
    chunk_size: int = 100,
    force: bool = False,
    wait: float = 60.0,
    timings: StreamTimings | None = None,
    progress: Callable[[str], None] | None = None,
    memory_limit: int | None = 320,
    db_threads: int | None = None,
) -> dict[str, int]:
    """The steps of :func:`ingest_files`, streamed in chunks and parsed by a process pool.

    Memory stays bounded by one chunk (its bytes and parsed frames), whatever the corpus size:
    each chunk is read and staged (bytes first), parsed by ``workers`` processes, and loaded in
    one transaction. Inputs whose exact bytes were loaded before are skipped after one query.
    ``workers=0`` parses in this process (no pool). ``memory_limit`` caps DuckDB's buffer
    pool (MB) for this connection; the database spills to its file beyond it. ``db_threads``:
    DuckDB's threads (default: the cores the pool leaves, at least one).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from sources.local import expand, read_file
    from warehouse.db import connect

    t = timings if timings is not None else StreamTimings()
    files = expand(list(paths))
    counts = {"inputs": 0, "documents_added": 0, "documents_updated": 0}
    counts |= {"documents_unchanged": 0, "quarantined": 0, "skipped": 0}
    loaded_any = False
    # spawn, never fork: polars and DuckDB hold thread pools that a forked child inherits locked
    ctx = multiprocessing.get_context("spawn")
    pool = (
        ProcessPoolExecutor(workers, mp_context=ctx, initializer=lower_priority)
        if workers > 0
        else None
    )
    try:
        with connect(db, wait=wait) as con:
            # DuckDB's buffer pool defaults to 80% of RAM. Capped, it must still hold the primary
            # key indexes of the dimension/document tables (a 256 MB cap once made a checkpoint
            # fail fatally, when fact tables still had keys); 320 MB holds 10,000 issues.
            if memory_limit:
                con.execute(f"SET memory_limit = '{int(memory_limit)}MB'")
            # The pool's processes have the other cores: a DuckDB thread per core on top of them
            # only fights them for the CPU (4,000 issues on 2 cores: 43.5 s with DuckDB's default
            # of 2 threads, 40.6 s with 1; 2,000 issues: 27.3 s and 22.0 s).
            con.execute(f"SET threads = {db_threads or max(1, (os.cpu_count() or 1) - workers)}")
            pending: Iterable[Outcome] | None = None  # the chunk being parsed by the pool

            def finish(results: Iterable[Outcome]) -> None:
                """Wait for a chunk's parses, then load it in one transaction."""
                nonlocal loaded_any
                t1 = time.perf_counter()
                outcomes = list(results)
                t2 = time.perf_counter()
                t.parse += t2 - t1
                t.parse_cpu += sum(o.seconds for o in outcomes)
                t.parsed += sum(o.parsed is not None for o in outcomes)
                t.documents += sum(o.parsed.documents.height for o in outcomes if o.parsed)
                c = load_outcomes(con, outcomes, refresh=False, batch_size=chunk_size)
                loaded_any = loaded_any or c["inputs"] > c["quarantined"]
                for k in _COUNT_KEYS:
                    counts[k] += c[k]
                t.load += time.perf_counter() - t2
                if progress:
                    progress(f"{t.inputs}/{len(files)} inputs read: {counts}")

            for start in range(0, len(files), chunk_size):
                t0 = time.perf_counter()
                items = [read_file(p) for p in files[start : start + chunk_size]]
                refs = stage_many(con, items, force=force)
                todo = [(r, it.content) for r, it in zip(refs, items, strict=True) if r.needs_parse]
                t.bytes_read += sum(len(it.content) for it in items)
                t.inputs += len(items)
                counts["skipped"] += len(items) - len(todo)
                del items
                t.read_stage += time.perf_counter() - t0
                if not todo:
                    continue
                if pool is None:
                    finish([parse_job(j) for j in todo])
                    continue
                # Submit this chunk, then load the previous one while the pool parses this one.
                per = max(1, len(todo) // (workers * 4))
                submitted = pool.map(parse_job, todo, chunksize=per)
                del todo
                if pending is not None:
                    finish(pending)
                pending = submitted
            if pending is not None:
                finish(pending)
                pending = None
            if loaded_any:
                t0 = time.perf_counter()
                refresh_issuers(con)
                t.load += time.perf_counter() - t0
    finally:
        if pool is not None:
            pool.shutdown()
    return counts
