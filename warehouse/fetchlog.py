"""Crawl state kept in the warehouse: the fetch log, HTTP validators and each source's watermark.

State is read from the data (dlt-style explicit cursor): the watermark of a source is the newest
list date among items already stored, so a backfill of an older range never moves it back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import duckdb

from warehouse.db import one_row


def watermark(con: duckdb.DuckDBPyConnection, source_id: str) -> dt.date | None:
    """Newest list (publication) date among the source's stored detail items, or None."""
    row = one_row(
        con,
        "SELECT max(TRY_CAST(json_extract_string(hints, '$.list_date') AS DATE)) FROM raw_item"
        " WHERE source_id = ? AND kind <> 'list_page'",
        [source_id],
    )
    return row[0] if row else None


def validators_for(
    con: duckdb.DuckDBPyConnection, source_id: str
) -> dict[str, tuple[str | None, str | None]]:
    """ETag and Last-Modified of the newest stored response per URL, for conditional GETs."""
    rows = con.execute(
        "SELECT uri, headers FROM (SELECT uri, headers, row_number() OVER (PARTITION BY uri ORDER BY fetched_at DESC) rn"
        " FROM raw_item WHERE source_id = ? AND headers IS NOT NULL) WHERE rn = 1",
        [source_id],
    ).fetchall()
    out: dict[str, tuple[str | None, str | None]] = {}
    for uri, headers in rows:
        h = {k.lower(): v for k, v in json.loads(headers or "{}").items()}
        if h.get("etag") or h.get("last-modified"):
            out[uri] = (h.get("etag"), h.get("last-modified"))
    return out


def log_fetches(
    con: duckdb.DuckDBPyConnection,
    source_id: str,
    run_id: str | None,
    responses: Iterable[Any],
    refs: Iterable[Any],
) -> int:
    """Write one fetch_log row per HTTP response of a crawl (fetched, unchanged, blocked, failed)."""
    raw_by_uri = {r.uri: r.raw_id for r in refs}
    rows = []
    for r in responses:
        h = {k.lower(): v for k, v in (r.headers or {}).items()}
        rows.append(
            [dt.datetime.now(dt.UTC), run_id, source_id, r.url, r.status, r.outcome, r.reason or None,
             h.get("etag"), h.get("last-modified"), raw_by_uri.get(r.url) if r.outcome == "ok" else None]
        )  # fmt: skip
    if rows:
        con.executemany("INSERT INTO fetch_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)
