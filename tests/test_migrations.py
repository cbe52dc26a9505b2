"""A version-1 warehouse (only 001 applied) loaded with the seeds opens at the current version
with no row lost and the new columns and tables in place."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import warehouse.db as wdb
import warehouse.load as wload
from flows.steps import load_outcomes, parse_one, stage_items
from sources.local import read_file
from warehouse.issuers import refresh_issuers

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
TABLES = (
    "raw_item", "fact_document", "fact_document_appearance", "fact_citation", "fact_appointment",
    "fact_task_assignment", "document_issuer", "dim_issuer", "dim_series", "dim_gazette_issue", "document_metadata",
)  # fmt: skip


V1_TASK_VIEW = """CREATE OR REPLACE VIEW task_assignments AS
SELECT document_id, task_no, task, unit, role, ordinal, raw_id FROM fact_task_assignment;"""
V1_TASK_INSERT = """INSERT INTO fact_task_assignment
SELECT a.document_id, a.ordinal,
       t.task_no, t.task, a.unit, a.role, a.raw_id
FROM assign a JOIN task t USING (document_id, source_uri, task_ordinal)
JOIN owned o ON o.document_id = a.document_id AND o.source_uri = a.source_uri"""  # 001's shape
TASK_ROWS = "SELECT * FROM task_assignments ORDER BY document_id, ordinal"


def counts(con) -> dict[str, int]:  # noqa: ANN001
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608


@pytest.fixture
def v1_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A warehouse built with only migration 001 and the interface views, loaded with the seeds."""
    mig, views = tmp_path / "migrations", tmp_path / "views"
    mig.mkdir()
    views.mkdir()
    shutil.copy(wdb.MIGRATIONS / "001_init.sql", mig)
    # The interface views as version 1 had them: task_assignments read one table then.
    interface = (wdb.VIEWS / "00_interface.sql").read_text(encoding="utf-8")
    start = interface.index("CREATE OR REPLACE VIEW task_assignments")
    end = interface.index(";", start) + 1
    (views / "00_interface.sql").write_text(
        interface[:start] + V1_TASK_VIEW + interface[end:], encoding="utf-8"
    )
    db = tmp_path / "v1.duckdb"
    with monkeypatch.context() as m:
        m.setattr(wdb, "MIGRATIONS", mig)
        m.setattr(wdb, "VIEWS", views)
        m.setattr(wload, "_insert_tasks", lambda con: con.execute(V1_TASK_INSERT))
        m.setattr(
            wload, "_FACT_TABLES", ["fact_appointment", "fact_citation", "fact_task_assignment"]
        )
        items = [read_file(p) for p in sorted(SEEDS.glob("*.txt"))]
        with wdb.connect(db) as con:
            assert wdb.schema_version(con) == 1
            refs = stage_items(con, items)
            outcomes = [parse_one(r, it.content) for r, it in zip(refs, items, strict=True)]
            load_outcomes(con, outcomes, refresh=False)  # version 1 had no issuer refresh
    return db


def test_upgrade_from_version_1_keeps_every_row(v1_db: Path) -> None:
    with wdb.connect(v1_db, read_only=True) as con:
        before = counts(con)
        tasks_before = con.execute(TASK_ROWS).fetchall()
    assert before["fact_document"] > 10  # 20 today; parsers improve, so only "rows exist"
    with wdb.connect(v1_db) as con:  # applies 002… and recreates every view
        assert wdb.schema_version(con) == len(wdb.migration_files())
        after = counts(con)
        tasks_after = con.execute(TASK_ROWS).fetchall()
        n_tasks = con.execute("SELECT count(*) FROM fact_task").fetchone()[0]
        cols = {
            (t, c)
            for t, c in con.execute(
                "SELECT table_name, column_name FROM duckdb_columns()"
            ).fetchall()
        }
        n = refresh_issuers(con)
        coverage = con.execute(
            "SELECT max_serial, n_published FROM series_coverage WHERE series = '凉府办函' AND doc_year = 2020"
        ).fetchall()
        level = con.execute(
            "SELECT level FROM dim_issuer WHERE name = '凉山州人民政府办公室'"
        ).fetchall()
    assert after == before
    # 003 stored each task's text once; the view gives back every row as it was
    assert tasks_after == tasks_before and len(tasks_before) > 100
    assert 0 < n_tasks < len(tasks_before)
    for col in [("dim_issuer", "canonical_id"), ("dim_series", "level"), ("dim_series", "region"), ("issuer_alias", "alias"),
                ("document_issuer_canonical", "issuer_id"), ("document_context", "region")]:  # fmt: skip
        assert col in cols
    assert n == 9
    assert coverage == [(18, 4)]
    assert level == [("市州",)]


def test_migrations_apply_once(tmp_path: Path) -> None:
    with wdb.connect(tmp_path / "w.duckdb") as con:
        assert wdb.migrate(con) == []  # everything applied on open; a second run does nothing
        names = [
            n
            for (n,) in con.execute(
                "SELECT name FROM schema_migrations ORDER BY version"
            ).fetchall()
        ]
    assert names[:2] == ["001_init", "002_issuers_analysis"]


def test_views_are_recreated_only_when_their_files_change(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "w.duckdb"
    with wdb.connect(db) as con:  # creates tables and views
        con.execute("DROP VIEW citations")
    with wdb.connect(db) as con:  # same view files: nothing recreated (0.1 s saved per open)
        assert (
            con.execute(
                "SELECT count(*) FROM duckdb_views() WHERE view_name = 'citations'"
            ).fetchone()[0]
            == 0
        )
    views = tmp_path / "views"
    shutil.copytree(wdb.VIEWS, views)
    with (views / "00_interface.sql").open("a", encoding="utf-8") as f:
        f.write("\n-- edited\n")
    monkeypatch.setattr(wdb, "VIEWS", views)
    with wdb.connect(db) as con:  # a view file changed: every view is recreated
        assert con.execute("SELECT count(*) FROM citations").fetchone()[0] == 0


def test_the_warehouse_is_opened_with_its_storage_options(tmp_path: Path) -> None:
    """Row groups of ROW_GROUP_SIZE rows (a checkpoint rewrites the row group an append
    touched: smaller ones keep that bounded), spill files beside the warehouse, and a file
    that plain DuckDB opens with its views intact."""
    import duckdb

    db = tmp_path / "w.duckdb"
    with wdb.connect(db) as con:
        assert con.execute("SELECT current_setting('temp_directory')").fetchone() == (f"{db}.tmp",)
        con.execute("CREATE TABLE scratch AS SELECT range AS i FROM range(20000)")
        con.execute("CHECKPOINT")
        groups = con.execute(
            "SELECT row_group_id, max(start + count) - min(start) FROM pragma_storage_info('scratch')"
            " GROUP BY ALL ORDER BY 1"
        ).fetchall()
    assert [n for _, n in groups] == [wdb.ROW_GROUP_SIZE, wdb.ROW_GROUP_SIZE, 20000 - 2 * 8192]
    plain = duckdb.connect(str(db), read_only=True)
    try:
        assert plain.execute("SELECT count(*) FROM documents").fetchone() == (0,)
        assert plain.execute("SELECT count(*) FROM scratch").fetchone() == (20000,)
        # readers open the file as it is: two at once in one process, as before
        with wdb.connect(db, read_only=True) as a, wdb.connect(db, read_only=True) as b:
            assert a.execute("SELECT count(*) FROM scratch").fetchone() == (20000,)
            assert b.execute("SELECT count(*) FROM scratch").fetchone() == (20000,)
    finally:
        plain.close()
