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
from dataclasses import dataclass, field

import duckdb
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
from warehouse.db import frame, one_row
from warehouse.keys import issue_id_for, series_kind, with_document_ids

# Re-exported: callers and tests import these from here.
__all__ = ["LoadInput", "LoadResult", "load_batch", "load_parsed", "quarantine", "series_kind"]


@dataclass(frozen=True)
class LoadInput:
    """Which raw item a Parsed came from."""

    raw_id: str
    source_id: str
    uri: str
    sha256: str | None = None
    # document_keys() of the Parsed's documents, when the parse worker computed them
    keys: pl.DataFrame | None = field(default=None, compare=False, repr=False)


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


def _frames(batch: Sequence[tuple[LoadInput, Parsed]]) -> dict[str, pl.DataFrame]:
    """Concatenate a batch's frames, each row stamped with its input (raw_id, uri, issue).

    Work is done once over the concatenated batch (ids, joins), not per input: a batch of a
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
    stamps = pl.DataFrame(
        inputs, schema={"_n": pl.Int32, "raw_id": pl.Utf8, "source_uri": pl.Utf8, "source_id": pl.Utf8, "issue_id": pl.Utf8, "context": pl.Utf8},
        orient="row",
    )  # fmt: skip
    schemas = {
        "docs": DOCUMENT_SCHEMA,
        "appt": APPOINTMENT_SCHEMA,
        "cite": CITATION_SCHEMA,
        "task": TASK_SCHEMA,
        "meta": METADATA_SCHEMA,
    }
    cat = {k: _stack(parts[k], owners[k], schemas[k]) for k in keys}
    docs = cat["docs"].join(stamps, on="_n", maintain_order="left")
    keys = [inp.keys for inp, p in batch if p.documents.height]
    if keys and all(k is not None for k in keys) and sum(k.height for k in keys) == docs.height:
        docs = docs.hstack(pl.concat(keys))  # computed by the parse workers
    else:  # inputs parsed elsewhere (Parquet outputs of the Dask path), or none at all
        docs = with_document_ids(docs)
    # A document printed twice in one input keeps the facts of its first copy only.
    ids = docs.unique(["_n", "document_id"], keep="first", maintain_order=True).select(
        "_n", "seq", "document_id"
    )
    out = {"docs": docs.drop("context")}
    for key in ("appt", "cite", "task", "meta"):
        out[key] = (
            cat[key]
            .join(ids, on=["_n", "seq"], maintain_order="left")
            .join(stamps.select("_n", "raw_id", "source_uri"), on="_n", maintain_order="left")
        )
    # Per appearance: only the defining URI's facts are loaded, so a batch-wide dedupe could
    # keep another URI's copy of a citation and lose the defining page's own.
    out["cite"] = out["cite"].unique(
        ["document_id", "source_uri", "cited_doc_number"], keep="first", maintain_order=True
    )
    out["meta"] = out["meta"].unique(
        ["document_id", "source_uri", "key"], keep="first", maintain_order=True
    )
    for key in ("appt", "task"):
        out[key] = out[key].with_row_index("rn")
    out["task"], out["assign"] = _split_tasks(out["task"])
    out["issues"] = pl.DataFrame(
        issues,
        schema=["issue_id", "gazette", "year", "issue_no", "total_issue_no", "published", "label"],
        orient="row",
    ).unique("issue_id") if issues else pl.DataFrame()  # fmt: skip
    return out


def _split_tasks(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Task rows (one per task and unit, the contract's shape) as tasks and assignments.

    A task is a run of rows with the same number and text within one appearance of a
    document; its ``task_ordinal`` counts the runs from 0. Tasks keep the text once
    (``fact_task``); assignments keep the unit, role and order (``fact_task_assignment``).
    """
    group = ("document_id", "source_uri", "task_no", "task")
    starts = pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift()) for c in group).fill_null(
        True
    )
    rows = rows.with_columns(starts.alias("_starts")).with_columns(
        (pl.col("_starts").cast(pl.Int32).cum_sum().over("document_id", "source_uri") - 1).alias(
            "task_ordinal"
        )
    )
    tasks = rows.filter("_starts").select(
        "document_id", "source_uri", "task_ordinal", "task_no", "task", "raw_id"
    )
    assign = rows.select(
        "document_id", "source_uri", "rn", "task_ordinal", "unit", "role", "raw_id"
    )
    return tasks, assign


def _stack(frames: list[pl.DataFrame], owners: list[int], schema: dict) -> pl.DataFrame:
    """Many inputs' frames as one, cast to the contract, each row tagged ``_n`` (its input).

    One concatenation and one cast for the whole batch, instead of a few polars operations per
    input: with a hundred inputs a batch, per-input work was most of the loader's Python time.
    """
    if not frames:
        return pl.DataFrame(schema={**schema, "_n": pl.Int32})
    n = pl.DataFrame(
        {"_n": owners, "_h": [f.height for f in frames]}, schema={"_n": pl.Int32, "_h": pl.Int64}
    ).select(pl.col("_n").repeat_by("_h").explode())
    body = conform(pl.concat(frames, how="diagonal_relaxed"), schema)
    return body.hstack(n)


def load_batch(
    con: duckdb.DuckDBPyConnection,
    batch: Sequence[tuple[LoadInput, Parsed]],
    *,
    run_id: str | None = None,
) -> LoadResult:
    """Load a batch of parsed inputs in ONE transaction; returns counts over the batch."""
    if not batch:
        return LoadResult()
    now = dt.datetime.now(dt.UTC)
    f = _frames(batch)
    docs = f["docs"].with_columns(
        pl.lit(now).alias("now"), pl.lit(run_id, dtype=pl.Utf8).alias("run_id")
    )
    # Every (document, uri) is an appearance; _load_documents picks the row that defines each.
    appearances = docs.unique(
        ["document_id", "source_uri"], keep="first", maintain_order=True
    ).with_row_index("_i")
    inputs = pl.DataFrame(
        [(i.raw_id, i.sha256) for i, _ in batch], schema=["raw_id", "sha256"], orient="row"
    )
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
        SELECT a.document_id, row_number() OVER (PARTITION BY a.document_id ORDER BY a.rn) - 1,
               a.action, a.person, a.position, a.qualifier, a.raw_id
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
        SELECT a.document_id, row_number() OVER (PARTITION BY a.document_id ORDER BY a.rn) - 1,
               a.task_ordinal, a.unit, a.role, a.raw_id
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
