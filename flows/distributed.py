"""Ingest past one machine: parse fanned out over a Dask cluster, Parquet in between, one loader.

The flow reads as its steps:

1. stage: the driver stores every input's bytes in the raw layer (bytes first) and decides
   which changed since their last load;
2. parse: one Prefect task per input on the Dask cluster (``DaskTaskRunner``); each worker
   reads the input itself, checks its hash against the staged one, parses it and writes the
   Parsed frames as Parquet under ``<staging>/<transforms version>/<raw_id>/`` (or the failure
   as ``error.json``), so no worker ever touches the single-writer DuckDB file;
3. load: ONE step reads the Parquet directories back in batches and calls ``load_batch``
   through :func:`flows.steps.load_outcomes` (failures go to quarantine), then records the run.

A parse output already written for the same raw item and transform version is reused, so a
rerun after a crash re-parses only what is missing. See docs/scaling.md for the many-machine
design this is the first step of.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect_dask import DaskTaskRunner

from flows.ingest import WRITER_WAIT_SECONDS, recorded_run
from flows.parquet_io import INFO_FILE, read_info, read_parsed, write_parsed
from flows.steps import (
    Outcome,
    RawRef,
    files_to_read,
    load_outcomes,
    parse_one,
    stage_many,
    transforms_version,
)
from sources.local import expand, read_file
from warehouse.db import connect
from warehouse.runs import finish_run

ERROR_FILE = "error.json"
LOAD_BATCH = 500  # inputs read back and loaded per transaction


def default_staging(db: str | Path | None) -> Path:
    """``<warehouse>.staging/`` beside the warehouse file (or ``data/staging``)."""
    from warehouse.db import default_path

    path = Path(db) if db else default_path()
    return path.with_name(path.name + ".staging")


def output_dir(staging: Path, version: str, raw_id: str) -> Path:
    """Where the parse of one raw item under one transform version is written."""
    return staging / version / raw_id


def _ref_json(ref: RawRef) -> dict[str, Any]:
    return {
        "raw_id": ref.raw_id, "source_id": ref.source_id, "uri": ref.uri, "kind": ref.kind,
        "sha256": ref.sha256, "encoding": ref.encoding, "hints": ref.hints,
    }  # fmt: skip


def _ref_from_json(d: dict[str, Any]) -> RawRef:
    return RawRef(
        d["raw_id"], d["source_id"], d["uri"], d["kind"], d["sha256"], d.get("encoding"),
        dict(d.get("hints") or {}), False, True,
    )  # fmt: skip


def parse_to_parquet(ref: RawRef, path: str, out: str) -> str:
    """Read ``path``, check it is the staged content, parse it and write the result to ``out``.

    A failure is written as ``out/error.json`` (stage and reason) for the loader to quarantine,
    never raised: one bad input must not fail the fan-out.
    """
    target = Path(out)
    if (target / INFO_FILE).is_file() or (target / ERROR_FILE).is_file():
        return out  # parsed before under this transform version (a rerun after a crash)
    content = Path(path).read_bytes()
    if hashlib.sha256(content).hexdigest() != ref.sha256:
        outcome = Outcome(ref, stage="read", error=f"{ref.uri}: changed since it was staged")
    else:
        outcome = parse_one(ref, content)
    if outcome.parsed is not None:
        write_parsed(
            outcome.parsed, target, extra={"ref": _ref_json(ref), "seconds": outcome.seconds}
        )
    else:
        target.mkdir(parents=True, exist_ok=True)
        error = {"ref": _ref_json(ref), "stage": outcome.stage, "error": outcome.error}
        tmp = target / (ERROR_FILE + ".part")
        tmp.write_text(json.dumps(error, ensure_ascii=False), encoding="utf-8")
        tmp.replace(target / ERROR_FILE)
    return out


@task(name="parse-to-parquet", task_run_name="parse {ref.label}", retries=1)
def parse_to_parquet_task(ref: RawRef, path: str, out: str) -> str:
    """Prefect wrapper of :func:`parse_to_parquet` (runs on a Dask worker)."""
    return parse_to_parquet(ref, path, out)


def read_outcome(directory: str | Path) -> Outcome:
    """A parse output directory back as an Outcome (parsed frames, or the recorded failure)."""
    d = Path(directory)
    if (d / ERROR_FILE).is_file():
        e = json.loads((d / ERROR_FILE).read_text(encoding="utf-8"))
        return Outcome(_ref_from_json(e["ref"]), stage=e["stage"], error=e["error"])
    info = read_info(d)
    return Outcome(_ref_from_json(info["extra"]["ref"]), parsed=read_parsed(d))


def _batches(dirs: list[str], size: int) -> Iterator[list[Outcome]]:
    for start in range(0, len(dirs), size):
        yield [read_outcome(d) for d in dirs[start : start + size]]


def load_parquet_outputs(
    db: str | Path | None,
    dirs: list[str],
    *,
    run_id: str | None = None,
    batch_size: int = LOAD_BATCH,
) -> dict[str, int]:
    """The one load step: read the Parquet outputs back batch by batch and load them."""
    counts = {"inputs": 0, "documents_added": 0, "documents_updated": 0}
    counts |= {"documents_unchanged": 0, "quarantined": 0}
    with connect(db, wait=WRITER_WAIT_SECONDS) as con:
        batches = list(_batches(dirs, batch_size))
        for i, outcomes in enumerate(batches):
            c = load_outcomes(
                con, outcomes, run_id=run_id, refresh=i == len(batches) - 1, batch_size=batch_size
            )
            for k in counts:
                counts[k] += c[k]
    return counts


@flow(
    name="ingest-distributed",
    description="Ingest local files with the parse fanned out over a Dask cluster (Parquet staging, one loader).",
    task_runner=DaskTaskRunner(),
)
def ingest_distributed(
    paths: list[str],
    db: str | None = None,
    staging: str | None = None,
    force: bool = False,
    keep_staging: bool = False,
) -> dict[str, Any]:
    """Stage bytes, parse every changed input on the cluster into Parquet, load it once.

    paths: files, directories or globs (readable by every worker: a shared file system or a
    mount of the raw store). staging: the Parquet directory shared by workers and loader
    (default ``<warehouse>.staging``). keep_staging: leave the Parquet outputs after the load.
    """
    logger = get_run_logger()
    files = expand(paths)
    if not files:
        raise FileNotFoundError(f"no input files in {paths}")
    stage_root = Path(staging) if staging else default_staging(db)
    version = transforms_version()
    params = {
        "paths": [str(p) for p in paths],
        "db": db,
        "force": force,
        "staging": str(stage_root),
    }
    with recorded_run(db, "ingest-distributed", params) as run_id:
        todo: list[tuple[RawRef, str]] = []
        with connect(db, wait=WRITER_WAIT_SECONDS) as con:
            to_read, _ = files_to_read(con, files, force=force)
            for start in range(0, len(to_read), LOAD_BATCH):  # bytes first, a batch at a time
                chunk = to_read[start : start + LOAD_BATCH]
                items = [read_file(f.path, stat=f) for f in chunk]
                refs = stage_many(con, items, run_id=run_id, force=force, files=chunk)
                todo += [
                    (r, str(f.path)) for r, f in zip(refs, chunk, strict=True) if r.needs_parse
                ]
        logger.info("%d files staged, %d to parse on the cluster", len(files), len(todo))
        futures = [
            parse_to_parquet_task.submit(
                ref, path, str(output_dir(stage_root, version, ref.raw_id))
            )
            for ref, path in todo
        ]
        dirs = [f.result() for f in futures]
        counts = load_parquet_outputs(db, dirs, run_id=run_id)
        counts["skipped"] = len(files) - len(todo)
        state = "COMPLETED" if not counts["quarantined"] else "COMPLETED_WITH_QUARANTINE"
        msg = (
            f"ingest-distributed: {counts['inputs']} inputs parsed on the cluster, "
            f"{counts['documents_added']} documents added, {counts['documents_updated']} updated, "
            f"{counts['documents_unchanged']} unchanged, {counts['quarantined']} quarantined, "
            f"{counts['skipped']} unchanged inputs skipped"
        )
        with connect(db, wait=WRITER_WAIT_SECONDS) as con:
            finish_run(con, run_id, state, counts, msg)
        logger.info(msg)
        if not keep_staging:
            for d in dirs:
                shutil.rmtree(d, ignore_errors=True)
    return {**counts, "state": state, "run_id": run_id}


def run_distributed(
    paths: list[str],
    *,
    db: str | None = None,
    address: str | None = None,
    staging: str | None = None,
    force: bool = False,
    keep_staging: bool = False,
) -> dict[str, Any]:
    """Run :func:`ingest_distributed` on the Dask scheduler at ``address`` (``tcp://host:8786``);
    without one, DaskTaskRunner starts a local cluster for the run."""
    runner = DaskTaskRunner(address=address) if address else DaskTaskRunner()
    return ingest_distributed.with_options(task_runner=runner)(
        paths, db=db, staging=staging, force=force, keep_staging=keep_staging
    )
