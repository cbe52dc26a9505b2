"""Parsed inputs as the frames the loader inserts: pure polars, no database.

:func:`prepare_frames` turns a group of parsed inputs into one frame per table, every row
stamped with its input (raw_id, uri, issue), document ids and content hashes attached, facts
tied to their documents, tasks split from their units, ordinals numbered. It imports no DuckDB,
so the parse processes run it on the inputs they have just parsed (a group at a time, in
parallel) and hand the loader a few large frames instead of six small ones per input; the
loader only concatenates the groups of a batch (:func:`combine_frames`) and inserts them
(:mod:`warehouse.load`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from transforms.model import (
    APPOINTMENT_SCHEMA,
    CITATION_SCHEMA,
    DOCUMENT_SCHEMA,
    METADATA_SCHEMA,
    TASK_SCHEMA,
    Parsed,
    conform,
)
from warehouse.keys import issue_id_for, with_document_ids

# The frames of a batch, by name: documents, appointments, citations, tasks, task units,
# metadata, gazette issues, and the inputs themselves (raw_id, sha256).
LoadFrames = dict[str, pl.DataFrame]
FRAME_NAMES = ("docs", "appt", "cite", "task", "assign", "meta", "issues", "inputs")


@dataclass(frozen=True)
class LoadInput:
    """Which raw item a Parsed came from."""

    raw_id: str
    source_id: str
    uri: str
    sha256: str | None = None
    # document_keys() of the Parsed's documents, when the parse worker computed them
    keys: pl.DataFrame | None = field(default=None, compare=False, repr=False)


_STAMPS = {
    "_n": pl.Int32, "raw_id": pl.Utf8, "source_uri": pl.Utf8, "source_id": pl.Utf8,
    "issue_id": pl.Utf8, "context": pl.Utf8,
}  # fmt: skip
_ISSUES = {
    "issue_id": pl.Utf8, "gazette": pl.Utf8, "year": pl.Int64, "issue_no": pl.Int64,
    "total_issue_no": pl.Int64, "published": pl.Utf8, "label": pl.Utf8,
}  # fmt: skip
_INPUTS = {"raw_id": pl.Utf8, "sha256": pl.Utf8}


def prepare_frames(batch: Sequence[tuple[LoadInput, Parsed]]) -> LoadFrames:
    """Concatenate a group's frames, each row stamped with its input, ready to insert.

    Work is done once over the concatenated group (ids, joins), not per input: a group of a
    hundred gazette issues costs a handful of polars operations.
    """
    keys = ("docs", "appt", "cite", "task", "meta")
    parts: dict[str, list[pl.DataFrame]] = {k: [] for k in keys}
    owners: dict[str, list[int]] = {k: [] for k in keys}  # the input (n) of each part
    inputs, issues = [], []
    for n, (inp, p) in enumerate(batch):
        issue_id = None
        if p.issue is not None and p.issue.gazette:
            i = p.issue
            issue_id = issue_id_for(i.gazette, i.year, i.issue_no, i.published)
            issues.append(
                (issue_id, i.gazette, i.year, i.issue_no, i.total_issue_no, i.published, i.label)
            )
        context = (p.issue.label if p.issue else None) or inp.uri
        inputs.append((n, inp.raw_id, inp.uri, inp.source_id, issue_id, context))
        for key, f in zip(
            keys, (p.documents, p.appointments, p.citations, p.tasks, p.metadata), strict=True
        ):
            if f.height:
                parts[key].append(f)
                owners[key].append(n)
    stamps = pl.DataFrame(inputs, schema=_STAMPS, orient="row")
    schemas = {
        "docs": DOCUMENT_SCHEMA,
        "appt": APPOINTMENT_SCHEMA,
        "cite": CITATION_SCHEMA,
        "task": TASK_SCHEMA,
        "meta": METADATA_SCHEMA,
    }
    cat = {k: _stack(parts[k], owners[k], schemas[k]) for k in keys}
    docs = cat["docs"].join(stamps, on="_n", maintain_order="left")
    worker_keys = [inp.keys for inp, p in batch if p.documents.height]
    if (
        worker_keys
        and all(k is not None for k in worker_keys)
        and sum(k.height for k in worker_keys) == docs.height
    ):
        docs = docs.hstack(pl.concat(worker_keys))  # computed by the parse workers
    else:  # inputs parsed elsewhere (Parquet outputs of the Dask path), or none at all
        docs = with_document_ids(docs)
    # A document printed twice in one input keeps the facts of its first copy only: facts join
    # the first copy's (input, seq), which also brings their document id and input stamps.
    ids = docs.unique(["_n", "document_id"], keep="first", maintain_order=True).select(
        "_n", "seq", "document_id", "raw_id", "source_uri"
    )
    out = {"docs": docs.drop("context", "_n")}
    for key in ("appt", "cite", "task", "meta"):
        out[key] = cat[key].join(ids, on=["_n", "seq"], maintain_order="left")
    # Facts of one appearance are numbered in printed order: the ordinal of a row among its
    # document's rows in the appearance that defines it (only that appearance is loaded). An
    # appearance is one (input, seq) here, a pair of integers (cheaper to group than strings).
    out["appt"] = out["appt"].with_columns(
        pl.int_range(pl.len(), dtype=pl.Int32).over("_n", "seq").alias("ordinal")
    )
    out["task"], out["assign"] = _split_tasks(out["task"])
    for key in ("appt", "cite", "task", "assign", "meta"):
        out[key] = out[key].drop("_n", "seq")
    out["issues"] = (
        pl.DataFrame(issues, schema=_ISSUES, orient="row").unique("issue_id", maintain_order=True)
        if issues
        else pl.DataFrame(schema=_ISSUES)
    )
    out["inputs"] = pl.DataFrame(
        [(inp.raw_id, inp.sha256) for inp, _ in batch], schema=_INPUTS, orient="row"
    )
    return _dedupe(out)


def _dedupe(f: LoadFrames) -> LoadFrames:
    """Per appearance, a cited number and a metadata key once each: only the defining URI's
    facts are loaded, so a batch-wide dedupe could keep another URI's copy of a citation and
    lose the defining page's own."""
    f["cite"] = f["cite"].unique(
        ["document_id", "source_uri", "cited_doc_number"], keep="first", maintain_order=True
    )
    f["meta"] = f["meta"].unique(
        ["document_id", "source_uri", "key"], keep="first", maintain_order=True
    )
    return f


def combine_frames(groups: Sequence[LoadFrames]) -> LoadFrames:
    """The frames of several prepared groups (of one batch) as one set, in group order."""
    if len(groups) == 1:
        return dict(groups[0])
    out = {name: pl.concat([g[name] for g in groups], how="vertical") for name in FRAME_NAMES}
    out["issues"] = out["issues"].unique("issue_id", maintain_order=True)
    return _dedupe(out)


def only_input(frames: LoadFrames, raw_id: str) -> LoadFrames:
    """The rows of one input (to load it alone when its batch is refused)."""
    out = {
        name: df.filter(pl.col("raw_id") == raw_id)
        for name, df in frames.items()
        if name != "issues"
    }
    ids = out["docs"].get_column("issue_id").drop_nulls().unique()
    out["issues"] = frames["issues"].filter(pl.col("issue_id").is_in(ids.implode()))
    return out


def _split_tasks(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Task rows (one per task and unit, the contract's shape) as tasks and assignments.

    A task is a run of rows with the same number and text within one appearance of a
    document; its ``task_ordinal`` counts the runs from 0. Tasks keep the text once
    (``fact_task``); assignments keep the unit, role, the task's ordinal and their own
    ``ordinal`` among the appearance's units (``fact_task_assignment``).
    """
    group = ("_n", "seq", "task_no", "task")
    starts = pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift()) for c in group).fill_null(
        True
    )
    appearance = ("_n", "seq")  # one appearance of a document: see prepare_frames
    rows = rows.with_columns(starts.alias("_starts")).with_columns(
        (pl.col("_starts").cast(pl.Int32).cum_sum().over(appearance) - 1).alias("task_ordinal"),
        pl.int_range(pl.len(), dtype=pl.Int32).over(appearance).alias("ordinal"),
    )
    tasks = rows.filter("_starts").select(
        "_n", "seq", "document_id", "source_uri", "task_ordinal", "task_no", "task", "raw_id"
    )
    assign = rows.select(
        "_n", "seq", "document_id", "source_uri", "ordinal", "task_ordinal", "unit", "role",
        "raw_id",
    )  # fmt: skip
    return tasks, assign


def _stack(frames: list[pl.DataFrame], owners: list[int], schema: dict) -> pl.DataFrame:
    """Many inputs' frames as one, cast to the contract, each row tagged ``_n`` (its input).

    One concatenation and one cast for the whole group, instead of a few polars operations per
    input: with a hundred inputs a batch, per-input work was most of the loader's Python time.
    """
    if not frames:
        return pl.DataFrame(schema={**schema, "_n": pl.Int32})
    n = pl.DataFrame(
        {"_n": owners, "_h": [f.height for f in frames]}, schema={"_n": pl.Int32, "_h": pl.Int64}
    ).select(pl.col("_n").repeat_by("_h").explode())
    body = conform(pl.concat(frames, how="diagonal_relaxed"), schema)
    return body.hstack(n)
