"""The benchmark: build N synthetic issues, ingest them twice, time a naive baseline, print a table.

``python -m bench --n 100 1000 10000`` prints, per N: the corpus size, the seconds spent in
the parse (clean + split + extract, in a pool of ``--workers`` processes) and in the load,
end-to-end MB/s and documents/s, the peak resident memory of the whole process tree, the
seconds of a second run over the same corpus (nothing new to load), and the ratio of our
parse to the plain-Python baseline on the same files in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import resource
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.baseline import run_baseline
from bench.corpus import DEFAULT_OUT, build_corpus, corpus_files
from flows.stream import CHUNK_SIZE, StreamTimings, ingest_stream

COLUMNS = (
    ("N", "{:>6}"),
    ("MB", "{:>8.1f}"),
    ("docs", "{:>7}"),
    ("stage_s", "{:>8.2f}"),
    ("parse_s", "{:>8.2f}"),
    ("load_s", "{:>7.2f}"),
    ("total_s", "{:>8.2f}"),
    ("MB/s", "{:>6.2f}"),
    ("docs/s", "{:>7.1f}"),
    ("peak_MB", "{:>8.0f}"),
    ("rerun_s", "{:>8.2f}"),
    ("rerun_%", "{:>7.2f}"),
    ("rerun_new", "{:>9}"),
    ("base_s", "{:>7.2f}"),
    ("base_MB/s", "{:>9.1f}"),
    ("ratio", "{:>6.1f}"),
    ("loader_ms", "{:>9.2f}"),
    ("pool_ms", "{:>7.2f}"),
)


class PeakRss:
    """Samples the resident memory of this process and all its children (the parse pool)."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):  # a worker that just exited
                total += child.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


@dataclass
class Row:
    """One line of the table."""

    n: int
    mb: float
    docs: int
    stage_s: float
    parse_s: float
    load_s: float
    total_s: float
    peak_mb: float
    rerun_s: float
    rerun_new: int
    base_s: float
    base_mb: float
    loader_cpu: float = 0.0  # CPU seconds of the loading process in the first run
    pool_cpu: float = 0.0  # CPU seconds of the parse processes in the first run

    def values(self) -> tuple:
        mbps = self.mb / self.total_s if self.total_s else 0.0
        ratio = (self.total_s / self.base_s) if self.base_s else 0.0
        return (
            self.n, self.mb, self.docs, self.stage_s, self.parse_s, self.load_s, self.total_s,
            mbps, self.docs / self.total_s if self.total_s else 0.0, self.peak_mb, self.rerun_s,
            100 * self.rerun_s / self.total_s if self.total_s else 0.0, self.rerun_new,
            self.base_s, self.base_mb / self.base_s if self.base_s else 0.0, ratio,
            1000 * self.loader_cpu / self.n, 1000 * self.pool_cpu / self.n,
        )  # fmt: skip


def header() -> str:
    return " ".join(
        f"{name:>{len(fmt.format(0)) if 'f' not in fmt else int(fmt[3 : fmt.index('.')])}}"
        for name, fmt in COLUMNS
    )


def format_row(row: Row) -> str:
    return " ".join(fmt.format(v) for (_, fmt), v in zip(COLUMNS, row.values(), strict=True))


def bench_one(
    n: int, *, workers: int | None, chunk_size: int, out_dir: Path, progress: bool = False
) -> Row:
    """Build (or reuse) the corpus of ``n`` issues, ingest it into a fresh warehouse twice."""
    folder = build_corpus(n, out_dir)
    files = corpus_files(folder)
    db = out_dir / "db" / f"bench-{n}.duckdb"
    shutil.rmtree(db.parent, ignore_errors=True)
    db.parent.mkdir(parents=True)
    say = (lambda m: print(f"  [{n}] {m}", file=sys.stderr)) if progress else None
    t = StreamTimings()
    cpu0 = _cpu()
    with PeakRss() as rss:
        t0 = time.perf_counter()
        first = ingest_stream(
            db, files, workers=workers, chunk_size=chunk_size, timings=t, progress=say
        )
        total = time.perf_counter() - t0
    cpu1 = _cpu()
    t0 = time.perf_counter()
    second = ingest_stream(db, files, workers=workers, chunk_size=chunk_size)
    rerun = time.perf_counter() - t0
    base = run_baseline(files)
    if first["quarantined"]:
        print(f"  [{n}] warning: {first['quarantined']} inputs quarantined", file=sys.stderr)
    shutil.rmtree(db.parent, ignore_errors=True)
    return Row(
        n=n, mb=t.bytes_read / 1e6, docs=first["documents_added"], stage_s=t.read_stage,
        parse_s=t.parse, load_s=t.load, total_s=total, peak_mb=rss.peak / 1e6, rerun_s=rerun,
        rerun_new=second["inputs"], base_s=base.seconds, base_mb=base.bytes / 1e6,
        loader_cpu=cpu1[0] - cpu0[0], pool_cpu=cpu1[1] - cpu0[1],
    )  # fmt: skip


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its finished children (the parse
    pool, counted once it has shut down): the figures a noisy machine does not move much."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[100, 1000], help="corpus sizes (issues)")
    ap.add_argument(
        "--workers", type=int, default=None, help="parse processes (default one per core; 0: none)"
    )
    ap.add_argument(
        "--chunk", type=int, default=CHUNK_SIZE, help="issues per chunk / load transaction"
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="corpus cache and scratch dir")
    ap.add_argument("--progress", action="store_true", help="print progress to stderr")
    args = ap.parse_args(argv)
    print(header(), flush=True)
    rows = []
    for n in args.n:
        row = bench_one(
            n, workers=args.workers, chunk_size=args.chunk, out_dir=args.out, progress=args.progress
        )
        rows.append(row)
        print(format_row(row), flush=True)
    print(
        "stage_s: read+hash+store bytes; parse_s: clean+split+extract (pool wall); load_s: load_batch"
        " + issuer refresh; MB/s and docs/s end to end; rerun: same corpus again (rerun_new inputs"
        " loaded); base: naive line-by-line split+extract in one process; ratio = total_s / base_s;"
        " loader_ms, pool_ms: CPU ms an issue of the loading process and of the parse processes"
    )
    if len(rows) > 1:
        print("linearity: " + "; ".join(linearity(a, b) for a, b in itertools.pairwise(rows)))
    return 0


def linearity(a: Row, b: Row) -> str:
    """How time per issue grows from one N to the next: 1.00x is linear. Also as the ratio to
    the baseline, which the machine's drift during the run moves less."""
    per = (b.total_s / b.n) / (a.total_s / a.n) if a.total_s else 0.0
    rel = (b.total_s / b.base_s) / (a.total_s / a.base_s) if a.total_s and b.base_s else 0.0
    return (
        f"time per issue at N={b.n} is {per:.2f}x that at N={a.n}"
        f" ({rel:.2f}x relative to the baseline)"
    )
