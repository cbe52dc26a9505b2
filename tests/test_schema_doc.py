"""docs/schema.md is generated from the catalog and up to date; documented columns are real."""

from __future__ import annotations

from pathlib import Path

from warehouse.db import connect
from warehouse.schema_doc import DOC_PATH, documented_columns, render, render_fresh


def test_schema_doc_is_up_to_date() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render_fresh(), (
        "docs/schema.md is stale: run python -m warehouse.schema_doc"
    )


def test_documented_columns_match_the_catalog(tmp_path: Path) -> None:
    doc = documented_columns(DOC_PATH.read_text(encoding="utf-8"))
    with connect(tmp_path / "w.duckdb") as con:
        real: dict[str, list[str]] = {}
        for table, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND schema_name = 'main' ORDER BY table_name, column_index"
        ).fetchall():
            real.setdefault(table, []).append(column)
        text = render(con)
    assert doc == real
    assert doc["series_coverage"][:3] == ["series", "doc_year", "series_kind"]
    assert "canonical_id" in doc["dim_issuer"]
    assert "Per series and year: highest serial published" in text  # the view's COMMENT


def test_every_analysis_view_says_what_it_answers(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        missing = con.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal AND comment IS NULL AND view_name NOT IN "
            "('documents', 'appointments', 'citations', 'task_assignments', 'issuance_by_month', 'document_primary_appearance')"
        ).fetchall()
    assert missing == []
