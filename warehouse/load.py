"""Load one parsed input into the star schema, atomically and idempotently.

Each input (one raw item) is loaded in one transaction: a crash leaves the warehouse as it was.
Loading the same input twice changes no row: document ids come from content, facts of a
document are replaced as a whole, and appearances are keyed by (document, uri).
Frames go in through DuckDB's Arrow path (``INSERT … SELECT`` from a registered frame), never
row by row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

import duckdb
import polars as pl

from transforms.model import Parsed
from warehouse.db import frame

_WS = re.compile(r"\s+")
_PUNCT = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "，": ",",
        "：": ":",
        "〔": "[",
        "〕": "]",
    }
)


@dataclass
class LoadResult:
    """What one load did, for the run summary."""

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


def _sha(text: str, n: int = 32) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def normalise_title_key(title: str | None) -> str:
    """Title as a matching key: no whitespace, half-width brackets and quotes."""
    return _WS.sub("", (title or "")).translate(_PUNCT)


def document_key(
    doc_number: str | None,
    doc_year: int | None,
    title: str | None,
    day: dt.date | None,
    context: str | None = None,
) -> str:
    """What makes two rows the same document, across sources and runs.

    A number with a year is unique for its series; an order number (国令第707号) is unique
    with its date; a document without a number is its title and date; with neither number nor
    date (a 1—2月人事任免 digest recurs every year) it is its title within its gazette issue.
    """
    if doc_number and doc_year:
        return f"n:{doc_number}"
    if doc_number:
        return f"n:{doc_number}|{day or ''}"
    if day:
        return f"t:{normalise_title_key(title)}|{day}"
    return f"t:{normalise_title_key(title)}|{context or ''}"


def with_document_ids(docs: pl.DataFrame, context: str | None = None) -> pl.DataFrame:
    """Add ``document_id`` and ``content_sha256`` to a contract documents frame.

    ``context`` (the gazette issue's label, else the input's URI) tells apart undated,
    unnumbered documents of the same title in different issues.
    """
    rows = docs.select("doc_number", "doc_year", "title", "signed_date", "published_date").rows()
    ids = [_sha(document_key(n, y, t, s or p, context)) for n, y, t, s, p in rows]
    content = docs.select(
        pl.concat_str(
            [
                pl.col("title").fill_null("").str.replace_all(r"\s+", ""),
                pl.col("doc_number").fill_null(""),
                pl.col("issuers").list.join("、").fill_null(""),
                pl.col("signed_date").cast(pl.Utf8).fill_null(""),
                pl.col("genre").fill_null(""),
                pl.col("body").fill_null("").str.replace_all(r"\s+", ""),
            ],
            separator="\x1f",
        )
    ).to_series()
    return docs.with_columns(
        pl.Series("document_id", ids, dtype=pl.Utf8),
        pl.Series("content_sha256", [_sha(c, 64) for c in content], dtype=pl.Utf8),
    )


def issue_id_for(
    gazette: str | None, year: int | None, issue_no: int | None, published: str | None
) -> str:
    """Stable id of a gazette issue."""
    return _sha(f"{gazette}|{year}|{issue_no}|{published}", 16)


def series_kind(series: str | None) -> str | None:
    """文, 函, 令 or 其他, read from the series code (凉府办函 is a 函 series)."""
    if not series:
        return None
    for kind in ("函", "令", "电"):
        if kind in series:
            return kind
    return "文"


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
    """Load everything parsed from one raw item in one transaction; returns counts."""
    p = parsed.conformed()
    now = dt.datetime.now(dt.UTC)
    context = (p.issue.label if p.issue else None) or uri
    docs = with_document_ids(p.documents, context).unique("document_id", keep="first", maintain_order=True)
    seq_to_id = docs.select("seq", "document_id")
    result = LoadResult()

    con.execute("BEGIN TRANSACTION")
    try:
        issue_id = None
        if p.issue is not None and p.issue.gazette:
            i = p.issue
            issue_id = issue_id_for(i.gazette, i.year, i.issue_no, i.published)
            con.execute(
                "INSERT INTO dim_gazette_issue VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [issue_id, i.gazette, i.year, i.issue_no, i.total_issue_no, i.published, i.label],
            )
        if docs.height:
            result = _load_documents(
                con,
                docs,
                issue_id=issue_id,
                raw_id=raw_id,
                source_id=source_id,
                uri=uri,
                now=now,
                run_id=run_id,
            )
            _load_facts(con, p, seq_to_id, raw_id=raw_id, uri=uri)
        if raw_sha256:
            con.execute(
                "UPDATE raw_item SET parsed_sha256 = ?, parsed_at = ? WHERE raw_id = ?",
                [raw_sha256, now, raw_id],
            )
        con.execute(
            "UPDATE quarantine SET resolved_at = ? WHERE raw_id = ? AND resolved_at IS NULL",
            [now, raw_id],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return result


def _load_documents(
    con: duckdb.DuckDBPyConnection,
    docs: pl.DataFrame,
    *,
    issue_id: str | None,
    raw_id: str,
    source_id: str,
    uri: str,
    now: dt.datetime,
    run_id: str | None,
) -> LoadResult:
    incoming = docs.with_columns(
        pl.lit(issue_id, dtype=pl.Utf8).alias("issue_id"),
        pl.lit(raw_id).alias("raw_id"),
        pl.lit(source_id).alias("source_id"),
        pl.lit(uri).alias("source_uri"),
        pl.lit(now).alias("now"),
        pl.lit(run_id, dtype=pl.Utf8).alias("run_id"),
    )
    con.register("incoming", incoming.to_arrow())
    try:
        # Classify each incoming document against what the warehouse holds.
        status = frame(
            con,
            """
            SELECT i.document_id,
                   CASE WHEN d.document_id IS NULL THEN 'added'
                        WHEN d.defining_uri <> i.source_uri THEN 'other_source'
                        WHEN d.content_sha256 = i.content_sha256 THEN 'unchanged'
                        ELSE 'updated' END AS status
            FROM incoming i LEFT JOIN fact_document d USING (document_id)
            """,
        )
        counts = dict(status.group_by("status").len().rows())
        con.register("doc_status", status.to_arrow())
        # Keep the previous version of corrected documents.
        con.execute(
            """
            INSERT INTO document_history
            SELECT d.document_id, d.version, d.title, d.doc_number, d.issuers, d.signed_date, d.genre,
                   d.body, d.content_sha256, d.latest_raw_id, d.loaded_at, i.now
            FROM fact_document d JOIN incoming i USING (document_id) JOIN doc_status s USING (document_id)
            WHERE s.status = 'updated'
            """
        )
        con.execute(
            """
            INSERT INTO fact_document (document_id, title, doc_number, series, doc_year, serial, issuers,
                signed_date, published_date, genre, body, content_sha256, version, first_raw_id,
                latest_raw_id, defining_uri, loaded_at, run_id)
            SELECT i.document_id, i.title, i.doc_number, i.series, i.doc_year, i.serial, i.issuers,
                   i.signed_date, i.published_date, i.genre, i.body, i.content_sha256, 1, i.raw_id,
                   i.raw_id, i.source_uri, i.now, i.run_id
            FROM incoming i JOIN doc_status s USING (document_id)
            WHERE s.status IN ('added', 'updated', 'other_source')
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
        )
        con.execute(
            """
            INSERT INTO fact_document_appearance
            SELECT document_id, source_uri, raw_id, source_id, issue_id, section, page, seq, line_start,
                   line_end, published_date, content_sha256, now
            FROM incoming
            ON CONFLICT (document_id, source_uri) DO UPDATE SET
                raw_id = excluded.raw_id, issue_id = excluded.issue_id, section = excluded.section,
                page = excluded.page, seq = excluded.seq, line_start = excluded.line_start,
                line_end = excluded.line_end, published_date = excluded.published_date,
                content_sha256 = excluded.content_sha256
            """
        )
        _load_issuers(con)
        con.execute(
            """
            INSERT INTO dim_series (series, series_kind, issuer_id)
            SELECT DISTINCT ON (series) series, NULL, md5(issuers[1])[:16]
            FROM incoming WHERE series IS NOT NULL
            ON CONFLICT DO NOTHING
            """
        )
        for (series,) in con.execute(
            "SELECT series FROM dim_series WHERE series_kind IS NULL"
        ).fetchall():
            con.execute(
                "UPDATE dim_series SET series_kind = ? WHERE series = ?",
                [series_kind(series), series],
            )
    finally:
        con.unregister("incoming")
        con.unregister("doc_status")
    return LoadResult(
        added=counts.get("added", 0),
        updated=counts.get("updated", 0),
        unchanged=counts.get("unchanged", 0) + counts.get("other_source", 0),
        appearances=docs.height,
    )


def _load_issuers(con: duckdb.DuckDBPyConnection) -> None:
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
    con.execute(
        "DELETE FROM document_issuer WHERE document_id IN (SELECT document_id FROM incoming)"
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


def _load_facts(
    con: duckdb.DuckDBPyConnection, p: Parsed, seq_to_id: pl.DataFrame, *, raw_id: str, uri: str
) -> None:
    """Replace the facts of documents this input defines; keep metadata per appearance."""
    defining = con.execute(
        "SELECT document_id FROM fact_document WHERE defining_uri = ? AND list_contains(?, document_id)",
        [uri, seq_to_id["document_id"].to_list()],
    ).fetchall()
    owned = seq_to_id.filter(pl.col("document_id").is_in([d for (d,) in defining]))
    ids = owned["document_id"].to_list()
    if ids:
        for table in ("fact_appointment", "fact_citation", "fact_task_assignment"):
            con.execute(f"DELETE FROM {table} WHERE list_contains(?, document_id)", [ids])  # noqa: S608 - table names are constants
        frames = {
            "appt": p.appointments.join(owned, on="seq"),
            "cite": p.citations.join(owned, on="seq").unique(
                ["document_id", "cited_doc_number"], keep="first", maintain_order=True
            ),
            "task": p.tasks.join(owned, on="seq"),
        }
        frames["appt"] = frames["appt"].with_columns(
            pl.int_range(pl.len()).over("document_id").cast(pl.Int32).alias("ordinal")
        )
        frames["task"] = frames["task"].with_columns(
            pl.int_range(pl.len()).over("document_id").cast(pl.Int32).alias("ordinal")
        )
        for name, frame in frames.items():
            con.register(name, frame.with_columns(pl.lit(raw_id).alias("raw_id")).to_arrow())
        try:
            con.execute(
                "INSERT INTO fact_appointment SELECT document_id, ordinal, action, person, position, qualifier, raw_id FROM appt"
            )
            con.execute(
                "INSERT INTO fact_citation SELECT document_id, cited_doc_number, series, doc_year, serial, raw_id FROM cite"
            )
            con.execute(
                "INSERT INTO fact_task_assignment SELECT document_id, ordinal, task_no, task, unit, role, raw_id FROM task"
            )
        finally:
            for name in frames:
                con.unregister(name)
    meta = p.metadata.join(seq_to_id, on="seq").unique(
        ["document_id", "key"], keep="first", maintain_order=True
    )
    con.execute(
        "DELETE FROM document_metadata WHERE source_uri = ? AND list_contains(?, document_id)",
        [uri, seq_to_id["document_id"].to_list()],
    )
    if meta.height:
        con.register("meta", meta.with_columns(pl.lit(uri).alias("source_uri")).to_arrow())
        try:
            con.execute(
                "INSERT INTO document_metadata SELECT document_id, source_uri, key, value FROM meta"
            )
        finally:
            con.unregister("meta")


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
