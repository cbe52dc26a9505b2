"""Where the parse spends its time: cProfile over a sample of the corpus, grouped by stage.

``python -m bench.profile --n 100`` parses the first N issues of the corpus in this process
(no pool) and prints the cumulative seconds of each parse stage (clean, contents, split,
headers, paragraph joining, facts) and the hottest functions by own time, so the owners of
transforms/ know what to vectorise first.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.profile", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args(argv)
    profile(corpus_files(build_corpus(args.n, args.out)), args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
