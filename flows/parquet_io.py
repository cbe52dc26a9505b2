"""A Parsed as a directory of Parquet files: the hand-off between many parse workers and one loader.

Workers on many machines cannot all write the one DuckDB file (it has a single writer). Each
writes what it parsed from one raw item into its own directory instead, one Parquet file per
contract frame plus a small JSON file for the issue identity and warnings; the load step reads
the directories back and loads them in large batches. A directory is written under a temporary
name and renamed when complete, so a reader never sees half an output and a retried worker
simply replaces it.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import asdict
from pathlib import Path

import polars as pl

from transforms.model import (
    APPOINTMENT_SCHEMA,
    CITATION_SCHEMA,
    DOCUMENT_SCHEMA,
    METADATA_SCHEMA,
    TASK_SCHEMA,
    IssueInfo,
    Parsed,
    conform,
)

FRAMES = {
    "documents": DOCUMENT_SCHEMA,
    "appointments": APPOINTMENT_SCHEMA,
    "citations": CITATION_SCHEMA,
    "tasks": TASK_SCHEMA,
    "metadata": METADATA_SCHEMA,
}
INFO_FILE = "parsed.json"


def write_parsed(parsed: Parsed, directory: str | Path, *, extra: dict | None = None) -> Path:
    """Write ``parsed`` as ``directory/{documents,appointments,…}.parquet`` + ``parsed.json``.

    ``extra`` (JSON-able: the raw item's id, URI, hash) is kept in ``parsed.json`` for the
    loader. The directory appears atomically (written beside it, then renamed over it).
    """
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.mkdir()
    try:
        p = parsed.conformed()
        for name in FRAMES:
            getattr(p, name).write_parquet(tmp / f"{name}.parquet", compression="zstd")
        info = {
            "kind": p.kind,
            "issue": asdict(p.issue) if p.issue is not None else None,
            "warnings": p.warnings,
            "extra": extra or {},
        }
        (tmp / INFO_FILE).write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def read_info(directory: str | Path) -> dict:
    """The ``parsed.json`` of an output directory (kind, issue, warnings, extra)."""
    return json.loads((Path(directory) / INFO_FILE).read_text(encoding="utf-8"))


def read_parsed(directory: str | Path) -> Parsed:
    """The Parsed written by :func:`write_parsed`, frames cast to the contract's schemas."""
    d = Path(directory)
    if not (d / INFO_FILE).is_file():
        raise FileNotFoundError(f"{d}: not a parsed output directory (no {INFO_FILE})")
    info = read_info(d)
    frames = {
        name: conform(pl.read_parquet(d / f"{name}.parquet"), schema)
        for name, schema in FRAMES.items()
    }
    issue = IssueInfo(**info["issue"]) if info.get("issue") else None
    return Parsed(
        kind=info["kind"], issue=issue, warnings=list(info.get("warnings") or []), **frames
    )
