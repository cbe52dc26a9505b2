"""Data contracts, checked as SQL on a warehouse loaded from the seeds and the sample pages
(jaffle_shop's schema.yml tests, as assertions): unique keys, not-null columns, accepted
values and relationships. The fact tables the loader owns carry no index, so these tests are
what guards their keys.
"""

from __future__ import annotations

import pytest
from conftest import SAMPLES, SEEDS

from flows.steps import ingest_files
from warehouse.db import connect

UNIQUE = {
    "fact_document": ["document_id"],
    "fact_document_appearance": ["document_id", "source_uri"],
    "fact_appointment": ["document_id", "ordinal"],
    "fact_citation": ["document_id", "cited_doc_number"],
    "fact_task": ["document_id", "task_ordinal"],
    "fact_task_assignment": ["document_id", "ordinal"],
    "document_metadata": ["document_id", "source_uri", "key"],
    "document_issuer": ["document_id", "ordinal"],
    "raw_item": ["raw_id"],
    "raw_blob": ["sha256"],
}
NOT_NULL = {
    "fact_document": ["title", "content_sha256", "defining_uri", "first_raw_id"],
    "fact_appointment": ["action", "person", "raw_id"],
    "fact_task": ["task_ordinal", "raw_id"],
    "fact_task_assignment": ["task_ordinal", "unit", "raw_id"],
    "fact_citation": ["cited_doc_number", "raw_id"],
    "raw_item": ["uri", "sha256", "kind", "fetched_at"],
}
RELATIONSHIPS = [  # child table.column -> parent table.column
    ("fact_document_appearance", "document_id", "fact_document", "document_id"),
    ("fact_appointment", "document_id", "fact_document", "document_id"),
    ("fact_citation", "document_id", "fact_document", "document_id"),
    ("fact_task", "document_id", "fact_document", "document_id"),
    ("fact_task_assignment", "document_id", "fact_document", "document_id"),
    ("document_metadata", "document_id", "fact_document", "document_id"),
    ("document_issuer", "issuer_id", "dim_issuer", "issuer_id"),
    ("fact_document_appearance", "raw_id", "raw_item", "raw_id"),
    ("fact_appointment", "raw_id", "raw_item", "raw_id"),
    ("fact_task_assignment", "raw_id", "raw_item", "raw_id"),
    ("raw_item", "sha256", "raw_blob", "sha256"),
    ("fact_document", "genre", "dim_genre", "genre"),
    ("fact_document_appearance", "issue_id", "dim_gazette_issue", "issue_id"),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    db = tmp_path_factory.mktemp("contracts") / "w.duckdb"
    paths = [
        *SEEDS.glob("*.txt"),
        *(SAMPLES / "jiangxi").glob("*.html"),
        *(SAMPLES / "govcn").glob("*.html"),
    ]
    ingest_files(db, paths)
    ingest_files(db, paths, force=True)  # a re-derivation must not break any contract
    with connect(db, read_only=True) as con:
        yield con


@pytest.mark.parametrize(("table", "key"), UNIQUE.items())
def test_unique_keys(warehouse, table, key):
    cols = ", ".join(key)
    dupes = warehouse.execute(
        f"SELECT {cols}, count(*) FROM {table} GROUP BY ALL HAVING count(*) > 1 LIMIT 3"
    ).fetchall()  # noqa: S608
    assert dupes == []
    assert warehouse.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0  # noqa: S608


@pytest.mark.parametrize(("table", "columns"), NOT_NULL.items())
def test_not_null(warehouse, table, columns):
    for c in columns:
        assert (
            warehouse.execute(f"SELECT count(*) FROM {table} WHERE {c} IS NULL").fetchone()[0] == 0
        ), c  # noqa: S608


@pytest.mark.parametrize(("child", "ccol", "parent", "pcol"), RELATIONSHIPS)
def test_relationships(warehouse, child, ccol, parent, pcol):
    orphans = warehouse.execute(
        f"SELECT DISTINCT c.{ccol} FROM {child} c LEFT JOIN {parent} p ON p.{pcol} = c.{ccol}"  # noqa: S608
        f" WHERE c.{ccol} IS NOT NULL AND p.{pcol} IS NULL LIMIT 3"
    ).fetchall()
    assert orphans == []


def test_every_assignment_has_its_task_and_every_task_a_unit(warehouse):
    """fact_task_assignment points at fact_task by (document_id, task_ordinal), both ways."""
    orphans = warehouse.execute(
        "SELECT count(*) FROM fact_task_assignment a ANTI JOIN fact_task t"
        " ON t.document_id = a.document_id AND t.task_ordinal = a.task_ordinal"
    ).fetchone()[0]
    lonely = warehouse.execute(
        "SELECT count(*) FROM fact_task t ANTI JOIN fact_task_assignment a"
        " ON t.document_id = a.document_id AND t.task_ordinal = a.task_ordinal"
    ).fetchone()[0]
    n_tasks, n_assign = warehouse.execute(
        "SELECT (SELECT count(*) FROM fact_task), (SELECT count(*) FROM task_assignments)"
    ).fetchone()
    assert (orphans, lonely) == (0, 0)
    assert 0 < n_tasks < n_assign  # a task with several 责任单位 is stored once


def test_accepted_values(warehouse):
    assert {
        a for (a,) in warehouse.execute("SELECT DISTINCT action FROM appointments").fetchall()
    } <= {"任命", "免去"}
    genres = {g for (g,) in warehouse.execute("SELECT DISTINCT genre FROM documents").fetchall()}
    assert genres <= {
        "通知",
        "决定",
        "意见",
        "方案",
        "办法",
        "通报",
        "报告",
        "讲话",
        "批复",
        "公告",
        "细则",
        "规划",
        "任免",
        "其他",
    }
    bad = warehouse.execute(
        "SELECT doc_number FROM documents WHERE doc_number IS NOT NULL"
        " AND (doc_number LIKE '% %' OR doc_number LIKE '%[%' OR doc_number LIKE '%（%' OR NOT doc_number LIKE '%号')"
    ).fetchall()
    assert bad == []
    assert (
        warehouse.execute(
            "SELECT count(*) FROM documents WHERE title LIKE '% %' OR title LIKE '%\n%'"
        ).fetchone()[0]
        == 0
    )


def test_documented_view_columns_are_the_real_ones(warehouse):
    """The interface views keep the columns the README and the issue name (names never change)."""
    expected = {
        "documents": ["document_id", "title", "doc_number", "series", "doc_year", "serial", "issuers", "signed_date", "genre", "section", "source_uri", "gazette_issue"],
        "appointments": ["document_id", "action", "person", "position", "qualifier"],
        "citations": ["document_id", "cited_doc_number"],
        "task_assignments": ["document_id", "task_no", "task", "unit"],
        "issuance_by_month": ["month", "issuer", "genre", "n_documents"],
    }  # fmt: skip
    for view, cols in expected.items():
        real = [r[0] for r in warehouse.execute(f"DESCRIBE {view}").fetchall()]  # noqa: S608
        assert real[: len(cols)] == cols, view
