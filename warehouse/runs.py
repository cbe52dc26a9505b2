"""The ``pipeline_runs`` table: one row per flow run, written at start and at the end."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb

COUNTERS = (
    "pages_fetched",
    "inputs",
    "documents_added",
    "documents_updated",
    "documents_unchanged",
    "quarantined",
)


def start_run(
    con: duckdb.DuckDBPyConnection, run_id: str, flow: str, parameters: dict[str, Any]
) -> None:
    """Record that a run started (state RUNNING); a re-used run id is restarted."""
    con.execute(
        "INSERT INTO pipeline_runs (run_id, flow, parameters, started, state) VALUES (?, ?, ?, ?, 'RUNNING')"
        " ON CONFLICT (run_id) DO UPDATE SET started = excluded.started, state = 'RUNNING', finished = NULL",
        [
            run_id,
            flow,
            json.dumps(parameters, ensure_ascii=False, default=str),
            dt.datetime.now(dt.UTC),
        ],
    )


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    state: str,
    counts: dict[str, int],
    message: str | None = None,
) -> None:
    """Record the end of a run with its counts."""
    values = [int(counts.get(c, 0)) for c in COUNTERS]
    sets = ", ".join(f"{c} = ?" for c in COUNTERS)
    con.execute(
        f"UPDATE pipeline_runs SET finished = ?, state = ?, message = ?, {sets} WHERE run_id = ?",  # noqa: S608
        [dt.datetime.now(dt.UTC), state, message, *values, run_id],
    )
