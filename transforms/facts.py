"""Facts from document bodies: appointments, citations and task assignments.

The one entry point the parsers call is :func:`extract_facts`: a documents frame in (columns
``seq``, ``body``, ``doc_number``; ``title`` and ``genre`` are used when present), three fact
frames out with exactly the schemas of :mod:`transforms.model`. Each kind of fact has its own
module (appointments.py, citations.py, tasks.py); this module only runs them over the frame.

Every extractor first runs a cheap compiled-regex test on the whole body and returns at once
when its cue words are absent, so tens of thousands of ordinary documents cost little.
"""

from __future__ import annotations

import polars as pl

from transforms.appointments import extract_appointments
from transforms.citations import extract_citations
from transforms.model import APPOINTMENT_SCHEMA, CITATION_SCHEMA, TASK_SCHEMA, empty
from transforms.tasks import TASK_FIELDS, TaskRow, extract_tasks

__all__ = [
    "extract_appointments",
    "extract_citations",
    "extract_facts",
    "extract_tasks",
    "facts_frames",
]


def _frame(rows: list[dict], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Rows as a frame with exactly ``schema`` (an empty frame when there are none)."""
    if not rows:
        return empty(schema)
    return pl.DataFrame(rows, schema=schema, strict=False)


def _task_frame(seqs: list[int], rows: list[TaskRow]) -> pl.DataFrame:
    """Task rows (tuples in TASK_FIELDS order) and their documents' seq as a TASK_SCHEMA frame,
    built one typed column at a time (a frame from dicts converts row by row, and an issue
    may hold hundreds of task rows)."""
    if not rows:
        return empty(TASK_SCHEMA)
    columns = {"seq": seqs, **dict(zip(TASK_FIELDS, zip(*rows, strict=True), strict=True))}
    return pl.DataFrame(
        [
            pl.Series(name, columns[name], dtype=dtype, strict=False)
            for name, dtype in TASK_SCHEMA.items()
        ]
    )


def facts_frames(
    seq: int, body: str | None, own_number: str | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The three fact frames of one document body (handy in tests and notebooks)."""
    return extract_facts(
        pl.DataFrame(
            {"seq": [seq], "body": [body], "doc_number": [own_number]},
            schema={"seq": pl.Int32(), "body": pl.Utf8(), "doc_number": pl.Utf8()},
        )
    )


def extract_facts(
    documents: pl.DataFrame, columns: tuple[list, list, list] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Appointments, citations and task assignments of every document in ``documents``.

    Returns three frames with APPOINTMENT_SCHEMA, CITATION_SCHEMA and TASK_SCHEMA; ``seq`` ties
    each row to its document. Missing ``body`` or ``doc_number`` columns count as NULL.
    ``columns`` are the documents' ``seq``, ``body`` and ``doc_number`` as Python lists, when
    the caller has them (a parser that has just built the bodies): read from the frame, every
    body is decoded from UTF-8 again.
    """
    if columns is not None:
        return _facts_of_columns(*columns)
    n = documents.height
    seqs = documents["seq"].to_list() if "seq" in documents.columns else list(range(n))
    bodies = documents["body"].to_list() if "body" in documents.columns else [None] * n
    numbers = documents["doc_number"].to_list() if "doc_number" in documents.columns else [None] * n
    return _facts_of_columns(seqs, bodies, numbers)


def _facts_of_columns(
    seqs: list[int], bodies: list[str | None], numbers: list[str | None]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """:func:`extract_facts` of documents given as three columns of Python values."""
    appointments: list[dict] = []
    citations: list[dict] = []
    task_seqs: list[int] = []
    tasks: list[TaskRow] = []
    for seq, body, own in zip(seqs, bodies, numbers, strict=True):
        if not body:
            continue
        appointments.extend({"seq": seq, **r} for r in extract_appointments(body))
        citations.extend({"seq": seq, **r} for r in extract_citations(body, own))
        found = extract_tasks(body, as_tuples=True)
        task_seqs += [seq] * len(found)
        tasks += found
    return (
        _frame(appointments, APPOINTMENT_SCHEMA),
        _frame(citations, CITATION_SCHEMA),
        _task_frame(task_seqs, tasks),
    )
