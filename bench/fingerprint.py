"""A fingerprint of every parse output over a fixed set of inputs, to prove a speed-up changed
nothing: ``python -m bench.fingerprint`` prints one sha256 (and, with ``--each``, one per input).

The inputs: the seed issues and portal pages in ``../shared``, the held-out gold issues in
``tests/gold/heldout`` and the first 200 issues of the benchmark corpus. Each is parsed as the
pipeline parses it (:func:`flows.parse.parse_one`); the hash covers every frame's schema and
rows, the issue identity, the warnings, the document keys, or the stage and reason of a failure.
Run it before and after a change to transforms/: the same hash means byte-identical output.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from bench.corpus import SEEDS_DIR, build_corpus, corpus_files

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = SEEDS_DIR.parent / "samples" / "portal"
HELDOUT = ROOT / "tests" / "gold" / "heldout"


def fingerprint_inputs(corpus_n: int = 200) -> list[Path]:
    """The fixed input set, in a fixed order."""
    files = sorted(SEEDS_DIR.glob("*.txt")) + sorted(HELDOUT.glob("*.txt"))
    files += sorted(SAMPLES.glob("govcn/*.html")) + sorted(SAMPLES.glob("jiangxi/*.html"))
    return files + corpus_files(build_corpus(corpus_n))[:corpus_n]


def outcome_digest(outcome) -> str:  # noqa: ANN001 - flows.parse.Outcome
    """sha256 of everything a parse produced (or of its failure)."""
    h = hashlib.sha256()
    if outcome.parsed is None:
        h.update(f"{outcome.stage}|{outcome.error}".encode())
        return h.hexdigest()
    p = outcome.parsed
    h.update(repr((p.kind, p.issue, p.warnings)).encode())
    for f in (p.documents, p.appointments, p.citations, p.tasks, p.metadata, outcome.keys):
        if f is None:
            h.update(b"none")
            continue
        h.update(repr(f.schema).encode())
        h.update(repr(f.rows()).encode())
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    from flows.parse import RawRef, parse_one
    from sources.local import read_file

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200, help="benchmark corpus issues to include")
    ap.add_argument("--each", action="store_true", help="print the digest of every input")
    args = ap.parse_args(argv)
    total = hashlib.sha256()
    files = fingerprint_inputs(args.n)
    for i, path in enumerate(files):
        item = read_file(path)
        ref = RawRef(str(i), "local", path.name, item.kind, item.sha256, None)
        digest = outcome_digest(parse_one(ref, item.content))
        total.update(digest.encode())
        if args.each:
            print(f"{digest[:16]}  {path.name}")
    print(f"{len(files)} inputs  {total.hexdigest()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
