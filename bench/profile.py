"""Where the time goes: the parse by stage (cProfile), and the load by SQL statement.

``python -m bench.profile --n 100`` parses the first N issues of the corpus in this process
(no pool) and prints the cumulative seconds of each parse stage (clean, contents, split,
headers, paragraph joining, facts) and the hottest functions by own time, so the owners of
transforms/ know what to vectorise first.

``python -m bench.profile --n 1000 --load`` parses N issues (in a pool, not timed) and then
loads them into a scratch warehouse in chunks, as the benchmark does, printing the seconds of
staging, of each kind of SQL statement (by verb and table) and of the Python frame preparation.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from bench.corpus import DEFAULT_OUT, build_corpus, corpus_files

# (label, module file, function): cumulative time of each is a stage of parse_one
STAGES = (
    ("decode + checks", "dispatch.py", "_check_text"),
    ("rules + masthead", "gazette.py", "read_masthead"),
    ("clean_lines", "clean.py", "clean_lines"),
    ("toc (read_toc)", "toc.py", "read_toc"),
    ("split (split_issue)", "split.py", "split_issue"),
    ("headers (parse_header)", "headers.py", "parse_header"),
    ("body (join_paragraphs)", "clean.py", "join_paragraphs"),
    ("facts (extract_facts)", "facts.py", "extract_facts"),
    ("  appointments", "appointments.py", "extract_appointments"),
    ("  citations", "citations.py", "extract_citations"),
    ("  tasks", "tasks.py", "extract_tasks"),
    ("conform frames", "model.py", "conformed"),
)


def profile(files: list[Path], top: int = 25) -> None:
    from flows.steps import RawRef, parse_one

    jobs = [
        (RawRef(str(i), "local", str(f), "gazette_text", "", "utf-8"), f.read_bytes())
        for i, f in enumerate(files)
    ]
    parse_one(*jobs[0])  # warm-up: imports, rule files, compiled patterns
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    for job in jobs:
        parse_one(*job)
    prof.disable()
    wall = time.perf_counter() - t0
    mb = sum(len(c) for _, c in jobs) / 1e6
    stats = pstats.Stats(prof)
    by_key = {(Path(k[0]).name, k[2]): v for k, v in stats.stats.items()}  # type: ignore[attr-defined]
    total = next(v[3] for (f, fn), v in by_key.items() if fn == "parse_one")
    print(
        f"{len(jobs)} issues, {mb:.1f} MB, {wall:.2f} s wall ({mb / wall:.2f} MB/s in one process, profiled)"
    )
    print(f"{'stage':<26}{'cum s':>8}{'% parse':>9}")
    for label, fname, func in STAGES:
        v = by_key.get((fname, func))
        if v:
            print(f"{label:<26}{v[3]:>8.2f}{100 * v[3] / total:>8.1f}%")
    print(f"\nhottest functions by own time (of {total:.2f} s):")
    stats.sort_stats("tottime").print_stats(top)


_VERB = re.compile(
    r"^\s*(INSERT INTO|DELETE FROM|UPDATE|CREATE OR REPLACE TEMP TABLE|SELECT|COMMIT|BEGIN"
    r"|ROLLBACK|DROP TABLE|SET)\s*(\w+)?",
    re.IGNORECASE,
)


class TimedConnection:
    """A DuckDB connection that adds up the seconds of each kind of statement it executes."""

    def __init__(self, con) -> None:
        self._con = con
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()

    def _label(self, sql: str) -> str:
        m = _VERB.match(sql)
        if not m:
            return " ".join(sql.split())[:40]
        verb = m.group(1).upper()
        return f"{verb} {m.group(2) or ''}".strip() if verb != "SELECT" else "SELECT (reads)"

    def _timed(self, method: str, sql: str, *args, **kwargs):
        label = self._label(sql)
        t0 = time.perf_counter()
        try:
            return getattr(self._con, method)(sql, *args, **kwargs)
        finally:
            self.seconds[label] += time.perf_counter() - t0
            self.calls[label] += 1

    def execute(self, sql: str, *args, **kwargs):
        return self._timed("execute", sql, *args, **kwargs)

    def sql(self, sql: str, *args, **kwargs):
        return self._timed("sql", sql, *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def _parse_job(path: Path):
    from flows.steps import RawRef, parse_one
    from sources.local import read_file
    from warehouse.raw import raw_id_for

    item = read_file(path)
    ref = RawRef(raw_id_for(item.uri, item.sha256), item.source_id, item.uri, item.kind,
                 item.sha256, item.encoding, dict(item.hints or {}))  # fmt: skip
    return item, parse_one(ref, item.content)


def profile_load(files: list[Path], chunk: int = 100, workers: int = 2) -> None:
    """Parse ``files`` (not timed), then time staging + loading them chunk by chunk."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from flows.steps import load_outcomes, stage_many
    from warehouse.db import connect
    from warehouse.issuers import refresh_issuers

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        parsed = list(pool.map(_parse_job, files, chunksize=max(1, len(files) // (4 * workers))))
    scratch = Path(tempfile.mkdtemp(prefix="gazette-load-profile-"))
    phases: dict[str, float] = defaultdict(float)
    try:
        with connect(scratch / "profile.duckdb") as raw_con:
            con = TimedConnection(raw_con)
            t_all = time.perf_counter()
            for start in range(0, len(parsed), chunk):
                part = parsed[start : start + chunk]
                t0 = time.perf_counter()
                stage_many(con, [item for item, _ in part])
                t1 = time.perf_counter()
                load_outcomes(con, [o for _, o in part], refresh=False, batch_size=chunk)
                t2 = time.perf_counter()
                phases["stage (stage_many)"] += t1 - t0
                phases["load (load_outcomes)"] += t2 - t1
            t0 = time.perf_counter()
            refresh_issuers(con)
            phases["issuer refresh"] += time.perf_counter() - t0
            wall = time.perf_counter() - t_all
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    mb = sum(len(item.content) for item, _ in parsed) / 1e6
    sql_total = sum(con.seconds.values())
    print(
        f"{len(files)} issues, {mb:.1f} MB staged and loaded in {wall:.2f} s ({mb / wall:.1f} MB/s)"
    )
    for label, sec in phases.items():
        print(f"{label:<40}{sec:>8.2f}")
    print(f"{'  of which SQL (below)':<40}{sql_total:>8.2f}")
    print(f"{'  Python: frames, ids, Arrow':<40}{wall - sql_total:>8.2f}")
    print(f"\n{'statement':<40}{'calls':>6}{'s':>8}")
    for label, sec in sorted(con.seconds.items(), key=lambda kv: -kv[1]):
        print(f"{label:<40}{con.calls[label]:>6}{sec:>8.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.profile", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--load", action="store_true", help="profile the load instead of the parse")
    ap.add_argument("--chunk", type=int, default=100, help="issues per load transaction")
    args = ap.parse_args(argv)
    files = corpus_files(build_corpus(args.n, args.out))
    if args.load:
        profile_load(files, args.chunk)
    else:
        profile(files, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
