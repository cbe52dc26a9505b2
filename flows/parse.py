"""The parse step alone: one raw item's bytes in, an Outcome (parsed frames or the reason) out.

Kept apart from :mod:`flows.steps` so that a process pool's workers import only the sources
and transforms they run (no DuckDB, no Arrow): each worker starts faster and holds ~15 MB
less. :func:`parse_job` and :func:`lower_priority` are the pool's entry points.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from sources.encoding import decode
from transforms.dispatch import MAX_INPUT_BYTES, parse_input
from transforms.model import Parsed, ParseError
from warehouse.frames import LoadFrames, LoadInput, prepare_frames
from warehouse.keys import document_keys

log = logging.getLogger("gazette")


@dataclass
class RawRef:
    """A stored raw item, without its bytes (cheap to pass between tasks)."""

    raw_id: str
    source_id: str
    uri: str
    kind: str
    sha256: str
    encoding: str | None
    hints: dict = field(default_factory=dict)
    is_new: bool = True
    needs_parse: bool = True

    @property
    def label(self) -> str:
        """Short name for logs and task-run names: the file name or URL."""
        return self.uri if "://" in self.uri else Path(self.uri).name


@dataclass
class Outcome:
    """A parse result or the reason it failed."""

    ref: RawRef
    parsed: Parsed | None = None
    stage: str | None = None
    error: str | None = None
    seconds: float = 0.0
    keys: pl.DataFrame | None = None  # document_id, content_sha256 per parsed document
    documents: int = 0  # documents parsed (kept when the frames travel in a Group)

    @property
    def ok(self) -> bool:
        """Parsed (its frames here or in its Group's), not failed."""
        return self.stage is None


@dataclass
class Group:
    """Several inputs parsed by one worker: their outcomes (without frames) and the frames of
    the parsed ones prepared for loading together (:func:`warehouse.frames.prepare_frames`).

    A worker that prepares its group's frames hands the loader one frame per table instead of
    six per input: pickling and reading them back, and stacking them in the loader, cost about
    1 ms an issue of the single loader's CPU (0.56 ms to pickle an issue's Outcome, 0.34 to
    read it back, 0.47 to stack a batch); the group's preparation runs in parallel.
    """

    outcomes: list[Outcome]
    frames: LoadFrames | None = None


def parse_one(ref: RawRef, content: bytes) -> Outcome:
    """Decode and parse one raw item; any failure becomes an Outcome with stage and reason."""
    t0 = time.perf_counter()
    if len(content) > MAX_INPUT_BYTES:  # refuse before decoding: memory stays bounded
        reason = f"{ref.uri}: {len(content):,} bytes is more than the {MAX_INPUT_BYTES:,} a single input may have"
        return Outcome(ref, stage="limits", error=reason)
    try:
        if ref.kind == "gazette_pdf":
            parsed = parse_input(
                ref.kind, uri=ref.uri, data=content, hints=ref.hints, rules=ref.hints.get("rules")
            )
        else:
            try:
                text, _ = decode(content)
            except UnicodeDecodeError as exc:
                return Outcome(
                    ref,
                    stage="decode",
                    error=f"{ref.uri}: {exc.reason}",
                    seconds=time.perf_counter() - t0,
                )
            parsed = parse_input(
                ref.kind, uri=ref.uri, text=text, hints=ref.hints, rules=ref.hints.get("rules")
            )
        if parsed.documents.height == 0:
            return Outcome(
                ref,
                stage="split",
                error=f"{ref.uri}: no recognisable document",
                seconds=time.perf_counter() - t0,
            )
        parsed = parsed.conformed()
        # Document ids and content hashes here, in the pool, not in the single loader.
        context = (parsed.issue.label if parsed.issue else None) or ref.uri
        keys = document_keys(parsed.documents, context)
        return Outcome(
            ref,
            parsed=parsed,
            keys=keys,
            seconds=time.perf_counter() - t0,
            documents=parsed.documents.height,
        )
    except ParseError as exc:
        msg = str(exc) if ref.uri in str(exc) else f"{ref.uri}: {exc}"
        return Outcome(ref, stage="parse", error=msg, seconds=time.perf_counter() - t0)
    except Exception as exc:  # a parser bug must not take the run down: quarantine with the reason
        log.exception("parser failed on %s", ref.uri)
        return Outcome(
            ref,
            stage="parse",
            error=f"{ref.uri}: parser error {type(exc).__name__}: {exc}",
            seconds=time.perf_counter() - t0,
        )


def parse_job(job: tuple[RawRef, bytes]) -> Outcome:
    """:func:`parse_one` for a process pool (a top-level function pickles by name)."""
    return parse_one(*job)


def parse_group(jobs: list[tuple[RawRef, bytes]]) -> Group:
    """Parse several inputs and prepare the parsed ones' frames for loading as one group."""
    outcomes = [parse_one(ref, content) for ref, content in jobs]
    good = [o for o in outcomes if o.parsed is not None]
    frames = None
    if good:
        frames = prepare_frames(
            [
                (
                    LoadInput(o.ref.raw_id, o.ref.source_id, o.ref.uri, o.ref.sha256, o.keys),
                    o.parsed,
                )
                for o in good
            ]
        )
    for o in good:
        o.parsed = o.keys = None  # their rows are in the group's frames
    return Group(outcomes, frames)


# Young objects a parse worker lets accumulate before a collection (the default is 700). A
# parse holds ~1,000-2,000 more tracked objects at its peak than between inputs (lines, match
# lists, rows), and almost all are freed by reference counting: at 700 a young collection ran
# about every other issue and traversed those lists (~180 us each, ~1% of a parse's CPU).
PARSE_GC_THRESHOLD = 10_000


def lower_priority() -> None:
    """Pool initializer: parsers yield the CPU to the loader, which is the critical path (the
    pool parses one chunk ahead; when the loader waits for a core, everything waits).

    It also makes the garbage collector run less in the worker: the objects that exist once
    the worker has started (modules, compiled patterns, polars) are frozen, so that no full
    collection walks them again, and young collections wait for :data:`PARSE_GC_THRESHOLD`
    new objects."""
    with contextlib.suppress(OSError):
        os.nice(10)
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(PARSE_GC_THRESHOLD, older, oldest)
