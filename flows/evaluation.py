"""``gazette eval``: ingest one source into a scratch warehouse and score it against gold labels."""

from __future__ import annotations

import json
from pathlib import Path

from flows.ingest import ingest
from warehouse.db import connect, frame


def evaluate_file(gold_path: Path, source: Path, *, db: Path) -> str:
    """Run the real ingest flow on ``source`` into ``db`` and return the formatted report."""
    from transforms.evaluate import evaluate, format_report

    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    ingest(paths=[str(source)], db=str(db), force=True)
    with connect(db, read_only=True) as con:
        docs = frame(con, "SELECT * FROM documents")
        appts = frame(con, "SELECT * FROM appointments")
        cites = frame(con, "SELECT * FROM citations")
        tasks = frame(con, "SELECT * FROM task_assignments")
    report = evaluate(gold, docs, appts, cites, tasks)
    return format_report(report)
