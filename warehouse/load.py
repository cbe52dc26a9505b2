"""Load parsed inputs into the star schema, atomically and idempotently, in bulk.

A batch of inputs (one or thousands) is loaded in one transaction: a crash leaves the
warehouse as it was, so every input is all-or-nothing. Loading the same inputs twice changes
no row: document ids come from content (:mod:`warehouse.keys`), the facts of a document are
replaced as a whole, appearances are keyed by (document, uri). Frames go in through DuckDB's
Arrow path (``INSERT … SELECT`` from a registered frame), never row by row.

A document found in two inputs (a portal page and a gazette issue) is one ``fact_document``
row: the first input that brought it defines it (its ``defining_uri``); later ones add an
appearance and fill gaps. A corrected republication from the defining URI replaces the row and
keeps the previous version in ``document_history``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from transforms.model import Parsed
from warehouse.db import frame, one_row
from warehouse.frames import LoadFrames, LoadInput, prepare_frames
from warehouse.keys import series_kind

# Re-exported: callers and tests import these from here.
__all__ = [
    "LoadInput",
    "LoadResult",
    "load_batch",
    "load_frames",
    "load_parsed",
    "quarantine",
    "series_kind",
]


@dataclass
class LoadResult:
    """What a load did, for the run summary."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    appearances: int = 0

    def __iadd__(self, other: LoadResult) -> LoadResult:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.appearances += other.appearances
        return self


def load_parsed(
    con: duckdb.DuckDBPyConnection,
    parsed: Parsed,
    *,
    raw_id: str,
    source_id: str,
    uri: str,
    raw_sha256: str | None = None,
    run_id: str | None = None,
) -> LoadResult:
    """Load everything parsed from one raw item in one transaction."""
    return load_batch(con, [(LoadInput(raw_id, source_id, uri, raw_sha256), parsed)], run_id=run_id)


def load_batch(
    con: duckdb.DuckDBPyConnection,
    batch: Sequence[tuple[LoadInput, Parsed]],
    *,
    run_id: str | None = None,
) -> LoadResult:
    """Load a batch of parsed inputs in ONE transaction; returns counts over the batch."""
    if not batch:
        return LoadResult()
    return load_frames(con, prepare_frames(batch), run_id=run_id)


def load_frames(
    con: duckdb.DuckDBPyConnection, f: LoadFrames, *, run_id: str | None = None
) -> LoadResult:
    """Load prepared frames (:mod:`warehouse.frames`: one or many inputs) in ONE transaction."""
    if not f["inputs"].height:
        return LoadResult()
    now = dt.datetime.now(dt.UTC)
    docs = f["docs"].with_columns(
        pl.lit(now).alias("now"), pl.lit(run_id, dtype=pl.Utf8).alias("run_id")
    )
    # Every (document, uri) is an appearance; _load_documents picks the row that defines each.
    appearances = docs.unique(
        ["document_id", "source_uri"], keep="first", maintain_order=True
    ).with_row_index("_i")
    inputs = f["inputs"]
    registered = {
        "appearing": appearances, "inputs": inputs,
        "appt": f["appt"], "cite": f["cite"], "task": f["task"], "assign": f["assign"],
        "meta": f["meta"],
    }  # fmt: skip
    if f["issues"].height:
        registered["issues"] = f["issues"]
    for name, df in registered.items():
        con.register(name, df.to_arrow())
    con.execute("BEGIN TRANSACTION")
    try:
        if "issues" in registered:
            con.execute("INSERT INTO dim_gazette_issue SELECT * FROM issues ON CONFLICT DO NOTHING")
        result, has_prior = _load_documents(con, appearances)
        _load_facts(con, has_prior)
        con.execute(
            "UPDATE raw_item SET parsed_sha256 = i.sha256, parsed_at = ? FROM inputs i"
            " WHERE raw_item.raw_id = i.raw_id AND i.sha256 IS NOT NULL",
            [now],
        )
        con.execute(
            "UPDATE quarantine SET resolved_at = ? WHERE resolved_at IS NULL AND raw_id IN (SELECT raw_id FROM inputs)",
            [now],
        )
        # The batch's frames go before COMMIT: the checkpoint a COMMIT may run is the loader's
        # memory peak, and they are no longer needed by then.
        for name in registered:
            con.unregister(name)
        registered.clear()
        del f, docs, appearances, inputs
        con.execute("COMMIT")
    except Exception:
        # After a fatal error DuckDB refuses everything, ROLLBACK included: the error that
        # counts is the first one, not a chain of refusals.
        with contextlib.suppress(duckdb.FatalException):
            con.execute("ROLLBACK")
        raise
    finally:
        with contextlib.suppress(duckdb.FatalException):
            for name in registered:
                con.unregister(name)
    return result


def _load_documents(
    con: duckdb.DuckDBPyConnection, appearances: pl.DataFrame
) -> tuple[LoadResult, bool]:
    """Classify incoming documents, keep history, upsert documents, appearances, issuers, series.

    One appearance per document is ``incoming``, the row that may define or update it: the
    row of the URI that defines it when the batch has one, else the first input that brings
    it (a mirror loaded in the same batch before the defining page must not hide a correction
    the page brings). Also leaves a temp table ``prior`` of the incoming documents the
    warehouse already held and says whether it has any: only their old facts need deleting (a
    bulk load of new documents then never scans the fact tables).
    """
    gaps = " OR ".join(f"(d.{c} IS NULL AND i.{c} IS NOT NULL)" for c in _GAP_COLUMNS)
    rows = frame(
        con,
        f"""
        SELECT i._i, i.document_id, d.defining_uri = i.source_uri AS defines,
               CASE WHEN d.document_id IS NULL THEN 'added'
                    WHEN d.defining_uri <> i.source_uri THEN 'other_source'
                    WHEN d.content_sha256 = i.content_sha256 THEN 'unchanged'
                    ELSE 'updated' END AS status,
               coalesce(d.defining_uri <> i.source_uri AND ({gaps}
                   OR (len(coalesce(d.issuers, [])) = 0 AND len(coalesce(i.issuers, [])) > 0)),
                   false) AS fills
        FROM appearing i LEFT JOIN fact_document d USING (document_id)
        """,  # noqa: S608 - the column names are constants
    )
    status = (
        rows.sort("_i")
        .sort("defines", descending=True, nulls_last=True, maintain_order=True)
        .unique("document_id", keep="first", maintain_order=True)
        .sort("_i")
    )
    con.register("incoming", appearances.join(status.select("_i"), on="_i", how="semi").to_arrow())
    status = status.select("document_id", "status", "fills")
    counts = dict(status.group_by("status").len().rows())
    con.register("doc_status", status.to_arrow())
    has_prior = status.height > counts.get("added", 0)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE prior AS SELECT document_id FROM doc_status WHERE status <> 'added'"
    )
    try:
        if counts.get("updated"):  # reads the old rows (bodies too): only when there are any
            con.execute(
                """
            INSERT INTO document_history
            SELECT d.document_id, d.version, d.title, d.doc_number, d.issuers, d.signed_date, d.genre,
                   d.body, d.content_sha256, d.latest_raw_id, d.loaded_at, i.now
            FROM fact_document d JOIN incoming i USING (document_id) JOIN doc_status s USING (document_id)
            WHERE s.status = 'updated'
            """
            )
        # New documents: a plain bulk append (no conflict is possible, and DuckDB's upsert path
        # costs more per row as the table grows). Republished ones: the upsert below; documents
        # that another URI defines: _fill_gaps.
        columns = """document_id, title, doc_number, series, doc_year, serial, issuers,
                signed_date, published_date, genre, body, content_sha256, version, first_raw_id,
                latest_raw_id, defining_uri, loaded_at, run_id"""
        values = """i.document_id, i.title, i.doc_number, i.series, i.doc_year, i.serial, i.issuers,
                   i.signed_date, i.published_date, i.genre, i.body, i.content_sha256, 1, i.raw_id,
                   i.raw_id, i.source_uri, i.now, i.run_id"""
        con.execute(
            f"INSERT INTO fact_document ({columns}) SELECT {values}"  # noqa: S608 - constant SQL
            " FROM incoming i JOIN doc_status s USING (document_id) WHERE s.status = 'added'"
        )
        if counts.get("updated"):  # a corrected republication from the defining URI
            con.execute(
                f"""
            INSERT INTO fact_document ({columns})
            SELECT {values}
            FROM incoming i JOIN doc_status s USING (document_id)
            WHERE s.status = 'updated'
            ON CONFLICT (document_id) DO UPDATE SET
                title = CASE WHEN fact_document.defining_uri = excluded.defining_uri THEN excluded.title ELSE fact_document.title END,
                doc_number = coalesce(CASE WHEN fact_document.defining_uri = excluded.defining_uri THEN excluded.doc_number END, fact_document.doc_number, excluded.doc_number),
                series = coalesce(CASE WHEN fact_document.defining_uri = excluded.defining_uri THEN excluded.series END, fact_document.series, excluded.series),
                doc_year = coalesce(CASE WHEN fact_document.defining_uri = excluded.defining_uri THEN excluded.doc_year END, fact_document.doc_year, excluded.doc_year),
                serial = coalesce(CASE WHEN fact_document.defining_uri = excluded.defining_uri THEN excluded.serial END, fact_document.serial, excluded.serial),
                issuers = CASE WHEN fact_document.defining_uri = excluded.defining_uri OR len(coalesce(fact_document.issuers, [])) = 0 THEN excluded.issuers ELSE fact_document.issuers END,
                signed_date = coalesce(CASE WHEN fact_document.defining_uri = excluded.defining_uri THEN excluded.signed_date END, fact_document.signed_date, excluded.signed_date),
                published_date = coalesce(fact_document.published_date, excluded.published_date),
                genre = CASE WHEN fact_document.defining_uri = excluded.defining_uri THEN excluded.genre ELSE coalesce(fact_document.genre, excluded.genre) END,
                body = CASE WHEN fact_document.defining_uri = excluded.defining_uri THEN excluded.body ELSE fact_document.body END,
                content_sha256 = CASE WHEN fact_document.defining_uri = excluded.defining_uri THEN excluded.content_sha256 ELSE fact_document.content_sha256 END,
                version = CASE WHEN fact_document.defining_uri = excluded.defining_uri THEN fact_document.version + 1 ELSE fact_document.version END,
                latest_raw_id = CASE WHEN fact_document.defining_uri = excluded.defining_uri THEN excluded.latest_raw_id ELSE fact_document.latest_raw_id END,
                loaded_at = excluded.loaded_at,
                run_id = excluded.run_id
                """
            )  # noqa: E501
        if status["fills"].any():  # another URI's appearance has something the row lacks
            _fill_gaps(con)
        con.execute(
            """
            INSERT INTO fact_document_appearance
            SELECT document_id, source_uri, raw_id, source_id, issue_id, section, page, seq, line_start,
                   line_end, published_date, content_sha256, now
            FROM appearing
            ON CONFLICT (document_id, source_uri) DO UPDATE SET
                raw_id = excluded.raw_id, issue_id = excluded.issue_id, section = excluded.section,
                page = excluded.page, seq = excluded.seq, line_start = excluded.line_start,
                line_end = excluded.line_end, published_date = excluded.published_date,
                content_sha256 = excluded.content_sha256
            """
        )
        _load_issuers(con, has_prior)
        con.execute(
            """
            INSERT INTO dim_series (series, series_kind, issuer_id)
            SELECT DISTINCT ON (series) series,
                   CASE WHEN series LIKE '%函%' THEN '函' WHEN series LIKE '%令%' THEN '令'
                        WHEN series LIKE '%电%' THEN '电' ELSE '文' END,
                   md5(issuers[1])[:16]
            FROM incoming WHERE series IS NOT NULL
            ON CONFLICT DO NOTHING
            """
        )
    finally:
        con.unregister("doc_status")
        con.unregister("incoming")
    return LoadResult(
        added=counts.get("added", 0),
        updated=counts.get("updated", 0),
        unchanged=counts.get("unchanged", 0) + counts.get("other_source", 0),
        appearances=one_row(con, "SELECT count(*) FROM appearing")[0],
    ), has_prior


# Scalar columns another URI's appearance may fill when the defining row has them empty.
_GAP_COLUMNS = (
    "doc_number",
    "series",
    "doc_year",
    "serial",
    "signed_date",
    "published_date",
    "genre",
)


def _fill_gaps(con: duckdb.DuckDBPyConnection) -> None:
    """Documents that another URI defines: this appearance only fills their empty fields.

    Plain UPDATEs of the few scalar columns that can change, and of ``issuers`` only where the
    row has none: DuckDB rewrites every column an upsert names (the body, the list of
    issuers) even when the value stays, and that cost grew with the warehouse (0.13 -> 0.25 s
    a batch between 1,000 and 4,000 issues loaded). Only rows the status query marked
    ``fills`` (a gap this appearance can fill), and only when there are any: an UPDATE … FROM
    scans the whole table even when it changes nothing (20 ms a batch at 4,000 issues, and in
    the benchmark corpus no recurring document had a gap to fill).
    """
    sets = ",\n            ".join(f"{c} = coalesce(fact_document.{c}, i.{c})" for c in _GAP_COLUMNS)
    con.execute(
        f"""
        UPDATE fact_document SET
            {sets},
            loaded_at = i.now,
            run_id = i.run_id
        FROM incoming i JOIN doc_status s USING (document_id)
        WHERE fact_document.document_id = i.document_id AND s.fills
        """  # noqa: S608 - the column names are constants
    )
    con.execute(
        """
        UPDATE fact_document SET issuers = i.issuers
        FROM incoming i JOIN doc_status s USING (document_id)
        WHERE fact_document.document_id = i.document_id AND s.fills
          AND len(coalesce(fact_document.issuers, [])) = 0
          AND fact_document.issuers IS DISTINCT FROM i.issuers
        """
    )


def _load_issuers(con: duckdb.DuckDBPyConnection, has_prior: bool) -> None:
    """Issuers of the defining appearance, in printed order, into dim_issuer and the bridge."""
    con.execute(
        """
        INSERT INTO dim_issuer (issuer_id, name)
        SELECT DISTINCT md5(name)[:16], name
        FROM (SELECT unnest(d.issuers) AS name FROM fact_document d JOIN incoming i USING (document_id))
        WHERE name IS NOT NULL AND name <> ''
        ON CONFLICT DO NOTHING
        """
    )
    if has_prior:
        con.execute(
            "DELETE FROM document_issuer WHERE document_id IN (SELECT document_id FROM prior)"
        )
    con.execute(
        """
        INSERT INTO document_issuer
        SELECT DISTINCT ON (document_id, ordinal) document_id, ordinal, md5(name)[:16]
        FROM (
            SELECT d.document_id, unnest(d.issuers) AS name, generate_subscripts(d.issuers, 1) AS ordinal
            FROM fact_document d JOIN (SELECT DISTINCT document_id FROM incoming) i USING (document_id)
        ) WHERE name IS NOT NULL AND name <> ''
        """
    )


# Facts replaced as a whole when their document is reloaded (the v1 test drops fact_task).
_FACT_TABLES = ["fact_appointment", "fact_citation", "fact_task", "fact_task_assignment"]


def _load_facts(con: duckdb.DuckDBPyConnection, has_prior: bool) -> None:
    """Replace the facts of the documents each input defines; metadata per appearance."""
    # (document, uri) pairs whose uri defines the document: their facts are this batch's.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE owned AS
        SELECT DISTINCT a.document_id, a.source_uri
        FROM appearing a JOIN fact_document d ON d.document_id = a.document_id AND d.defining_uri = a.source_uri
        """
    )
    if has_prior:  # only documents the warehouse already held have old facts
        for table in _FACT_TABLES:
            con.execute(
                f"DELETE FROM {table} WHERE document_id IN"  # noqa: S608 - constant table names
                " (SELECT document_id FROM owned WHERE document_id IN (SELECT document_id FROM prior))"
            )
    con.execute(
        """
        INSERT INTO fact_appointment
        SELECT a.document_id, a.ordinal, a.action, a.person, a.position, a.qualifier, a.raw_id
        FROM appt a JOIN owned o ON o.document_id = a.document_id AND o.source_uri = a.source_uri
        """
    )
    con.execute(
        """
        INSERT INTO fact_citation
        SELECT c.document_id, c.cited_doc_number, c.series, c.doc_year, c.serial, c.raw_id
        FROM cite c JOIN owned o ON o.document_id = c.document_id AND o.source_uri = c.source_uri
        """
    )
    _insert_tasks(con)
    if has_prior:
        con.execute(
            "DELETE FROM document_metadata USING appearing a"
            " WHERE document_metadata.document_id = a.document_id AND document_metadata.source_uri = a.source_uri"
            " AND a.document_id IN (SELECT document_id FROM prior)"
        )
    con.execute(
        "INSERT INTO document_metadata SELECT document_id, source_uri, key, value FROM meta"
    )
    con.execute("DROP TABLE owned")
    con.execute("DROP TABLE prior")


def _insert_tasks(con: duckdb.DuckDBPyConnection) -> None:
    """Tasks once each, then their units (migration 003), for the owned appearances."""
    con.execute(
        """
        INSERT INTO fact_task (document_id, task_ordinal, task_no, task, raw_id)
        SELECT t.document_id, t.task_ordinal, t.task_no, t.task, t.raw_id
        FROM task t JOIN owned o ON o.document_id = t.document_id AND o.source_uri = t.source_uri
        """
    )
    con.execute(
        """
        INSERT INTO fact_task_assignment (document_id, ordinal, task_ordinal, unit, role, raw_id)
        SELECT a.document_id, a.ordinal, a.task_ordinal, a.unit, a.role, a.raw_id
        FROM assign a JOIN owned o ON o.document_id = a.document_id AND o.source_uri = a.source_uri
        """
    )


def quarantine(
    con: duckdb.DuckDBPyConnection,
    *,
    raw_id: str,
    source_id: str,
    uri: str,
    stage: str,
    reason: str,
) -> None:
    """Record an input that failed at ``stage``; a repeat failure bumps ``attempts``."""
    now = dt.datetime.now(dt.UTC)
    con.execute(
        """
        INSERT INTO quarantine (raw_id, source_id, uri, stage, reason, first_seen, last_seen)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (raw_id) DO UPDATE SET stage = excluded.stage, reason = excluded.reason,
            last_seen = excluded.last_seen, attempts = quarantine.attempts + 1, resolved_at = NULL
        """,
        [raw_id, source_id, uri, stage, reason[:2000], now, now],
    )
