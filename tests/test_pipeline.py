"""End to end: the real ingest flow over the seed files into a real DuckDB file.

Expected values were read from the seeds by hand (document numbers, dates, appointments,
the 149 numbered tasks of the portal page and their 479 responsible units).
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import SEEDS

from flows.ingest import ingest
from warehouse.db import connect

LIANGSHAN = SEEDS / "liangshan_gazette_2020-04.txt"
PANZHIHUA = SEEDS / "panzhihua_gazette_2018-12.txt"
WEB = SEEDS / "liangshan_web_2020-06-19.txt"

pytestmark = pytest.mark.usefixtures("prefect_harness")

COUNT_TABLES = (
    "raw_item", "raw_blob", "fact_document", "fact_document_appearance", "fact_appointment",
    "fact_citation", "fact_task_assignment", "document_issuer", "document_metadata", "dim_issuer",
    "dim_series", "dim_gazette_issue", "quarantine", "document_history",
)  # fmt: skip


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, prefect_harness):
    db = tmp_path_factory.mktemp("wh") / "seeds.duckdb"
    counts = ingest(paths=[str(LIANGSHAN), str(PANZHIHUA), str(WEB)], db=str(db))
    return db, counts


def _docs(db, uri_part: str):
    with connect(db, read_only=True) as con:
        return con.execute(
            "SELECT title, doc_number, series, doc_year, serial, issuers, signed_date, genre, section, gazette_issue"
            " FROM documents WHERE source_uri LIKE ? ORDER BY title",
            [f"%{uri_part}%"],
        ).fetchall()


def test_every_seed_loads_without_quarantine(loaded):
    _, counts = loaded
    assert counts["inputs"] == 3
    assert counts["quarantined"] == 0
    assert counts["documents_added"] == 11 + 8 + 1


def test_liangshan_issue_documents(loaded):
    db, _ = loaded
    docs = {d[1]: d for d in _docs(db, "liangshan_gazette")}
    assert len(_docs(db, "liangshan_gazette")) == 11
    d = docs["凉府办发〔2020〕5号"]
    assert d[0] == "凉山州人民政府办公室关于印发凉山州州本级行政权力清单（2019年本）的通知"
    assert (d[2], d[3], d[4]) == ("凉府办发", 2020, 5)
    assert d[5] == ["凉山州人民政府办公室"]
    assert d[6] == dt.date(2020, 2, 3)
    assert d[7] == "通知"
    assert d[8] == "主动公开文件"
    assert docs["凉府办函〔2020〕12号"][6] == dt.date(
        2020, 2, 24
    )  # written 凉府办函[2020]12号 in the body
    assert docs["凉医保规〔2020〕1号"][6] == dt.date(2020, 3, 16)  # spaced out: 2020 年 3 月 16 日
    assert set(docs["凉医保规〔2020〕1号"][5]) >= {
        "凉山州医疗保障局",
        "凉山州财政局",
        "国家税务总局凉山州税务局",
    }
    speeches = [x for x in _docs(db, "liangshan_gazette") if x[7] == "讲话"]
    assert sorted(x[6] for x in speeches) == [dt.date(2020, 1, 31), dt.date(2020, 2, 14)]
    assert all(x[8] == "政府工作通报选刊" for x in speeches)


def test_panzhihua_issue_documents(loaded):
    db, _ = loaded
    rows = _docs(db, "panzhihua")
    assert len(rows) == 8
    docs = {d[1]: d for d in rows}
    assert docs["川府发〔2018〕42号"][6] == dt.date(2018, 11, 5)
    assert (
        docs["川办发〔2018〕85号"][0]
        == "四川省人民政府办公厅关于印发促进返乡下乡创业二十二条措施的通知"
    )
    assert docs["攀办发〔2018〕145号"][6] == dt.date(2018, 11, 6)
    assert docs["攀府人〔2018〕10号"][6] == dt.date(2018, 11, 2)  # the two-column last document
    assert docs["攀府人〔2018〕10号"][8] == "人事任免"
    assert docs["攀府发〔2018〕18号"][8] == "本级文件"
    assert "2018" in docs["川府发〔2018〕42号"][9] and "12" in docs["川府发〔2018〕42号"][9]


def test_appointments(loaded):
    db, _ = loaded
    with connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT a.action, a.person, a.position, a.qualifier FROM appointments a JOIN documents d USING (document_id)"
        ).fetchall()
    assert ("任命", "韩琼", "州以工代赈办公室主任", "试用期一年") in rows
    assert (
        "任命",
        "王启萍",
        "州第二人民医院副院长",
        "试用期一年",
    ) in rows  # broken over two lines in the PDF text
    assert ("免去", "兰涛", "州政府督学", None) in rows
    assert ("免去", "卢海滨", "攀枝花市住房和城乡建设局副局长", None) in rows  # two-column layout
    assert sum(1 for r in rows if r[0] == "任命") == 25
    assert sum(1 for r in rows if r[0] == "免去") == 8


def test_citations_and_tasks(loaded):
    db, _ = loaded
    with connect(db, read_only=True) as con:
        cited = {
            r[0]
            for r in con.execute(
                "SELECT c.cited_doc_number FROM citations c JOIN documents d USING (document_id) WHERE d.title = '1—2月人事任免'"
            ).fetchall()
        }
        web = con.execute(
            "SELECT count(*), count(DISTINCT task_no) FROM task_assignments t JOIN documents d USING (document_id)"
            " WHERE d.doc_number = '凉府办发〔2020〕20号'"
        ).fetchone()
    assert cited == {"凉府人〔2020〕1号", "凉府人〔2020〕3号", "凉府人〔2020〕4号"}
    assert web == (479, 149)


def _counts(db) -> dict[str, int]:
    with connect(db, read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNT_TABLES}  # noqa: S608


def test_ingesting_twice_changes_no_count(loaded):
    db, _ = loaded
    before = _counts(db)
    again = ingest(paths=[str(LIANGSHAN), str(PANZHIHUA), str(WEB)], db=str(db))
    assert again["skipped"] == 3 and again["documents_added"] == 0
    forced = ingest(paths=[str(LIANGSHAN), str(PANZHIHUA), str(WEB)], db=str(db), force=True)
    assert forced["documents_added"] == 0 and forced["documents_updated"] == 0
    assert _counts(db) == before


def test_pdf_issues_give_the_same_documents_as_their_text(loaded, tmp_path):
    """A gazette issue published as PDF (built here from the seed's lines, 40 to a page,
    no blank lines: what pdfium gives) loads the same documents and facts as its text."""
    from pdfmaker import pdf_from_text

    db, _ = loaded
    pdfs = []
    for seed in (LIANGSHAN, PANZHIHUA):
        pdf = tmp_path / f"{seed.stem}.pdf"
        pdf.write_bytes(pdf_from_text(seed.read_text(encoding="utf-8")))
        pdfs.append(pdf)
    pdf_db = tmp_path / "pdf.duckdb"
    counts = ingest(paths=[str(p) for p in pdfs], db=str(pdf_db))
    assert counts["quarantined"] == 0 and counts["documents_added"] == 19
    sql = (
        "SELECT d.doc_number, d.title, d.signed_date, d.section, count(a.person) FROM documents d"
        " LEFT JOIN appointments a USING (document_id) WHERE d.source_uri LIKE ? GROUP BY ALL ORDER BY ALL"
    )
    for seed in (LIANGSHAN, PANZHIHUA):
        with connect(db, read_only=True) as con:
            from_text = con.execute(sql, [f"%{seed.name}"]).fetchall()
        with connect(pdf_db, read_only=True) as con:
            from_pdf = con.execute(sql, [f"%{seed.stem}.pdf"]).fetchall()
        assert from_pdf == from_text


def test_the_ingest_flow_parses_and_loads_a_batch_at_a_time(tmp_path, monkeypatch, loaded):
    """Two batches' frames in memory at most: with batches of one input, three loads, each a
    task run named by its input, and the same warehouse as one batch gives (issuer tables
    refreshed once, over everything)."""
    import flows.stream

    monkeypatch.setattr(flows.stream, "CHUNK_SIZE", 1)
    sizes = []
    real = flows.stream.load_outcomes
    monkeypatch.setattr(
        flows.stream,
        "load_outcomes",
        lambda con, outcomes, **kw: sizes.append(len(outcomes)) or real(con, outcomes, **kw),
    )
    db = tmp_path / "batched.duckdb"
    counts = ingest(paths=[str(LIANGSHAN), str(PANZHIHUA), str(WEB)], db=str(db))
    assert sizes == [1, 1, 1]
    assert counts["inputs"] == 3 and counts["documents_added"] == 11 + 8 + 1
    assert counts["state"] == "COMPLETED"
    assert _task_run_names(counts["run_id"]) == [
        "inputs 1-1 of 3 (liangshan_gazette_2020-04.txt)",
        "inputs 2-2 of 3 (panzhihua_gazette_2018-12.txt)",
        "inputs 3-3 of 3 (liangshan_web_2020-06-19.txt)",
    ]

    def rows(path):
        with connect(path, read_only=True) as con:
            return {
                table: con.execute(
                    f"SELECT * EXCLUDE (loaded_at, run_id) FROM {table} ORDER BY ALL"
                ).fetchall()  # noqa: S608
                if table == "fact_document"
                else con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()  # noqa: S608
                for table in ("fact_document", "document_issuer_canonical", "dim_issuer")
            }

    batched, whole = rows(db), rows(loaded[0])
    assert len(batched["document_issuer_canonical"]) == 19
    assert batched == whole


def _task_run_names(flow_run_id: str) -> list[str]:
    """The names of a flow run's task runs, in start order (from the Prefect API)."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[UUID(flow_run_id)]))
        )
    return [r.name for r in sorted(runs, key=lambda r: r.start_time or r.expected_start_time)]


def test_the_ingest_flow_parses_in_a_pool_of_processes(tmp_path, monkeypatch, loaded):
    """Parse processes (here two, as on a 2-core machine) give the same warehouse as parsing in
    the flow's own process (what a run of fewer than MIN_POOL_INPUTS inputs does)."""
    import flows.stream

    monkeypatch.setenv("GAZETTE_PARSE_WORKERS", "2")
    pools = []
    real = flows.stream.parse_pool

    def spy(workers):
        pools.append(workers)
        return real(workers)

    monkeypatch.setattr(flows.stream, "parse_pool", spy)
    db = tmp_path / "pooled.duckdb"
    counts = ingest(paths=[str(LIANGSHAN), str(PANZHIHUA), str(WEB)], db=str(db))
    assert pools == [2]
    assert counts["inputs"] == 3 and counts["documents_added"] == 20
    with connect(db, read_only=True) as con, connect(loaded[0], read_only=True) as ref:
        sql = "SELECT * EXCLUDE (loaded_at, run_id) FROM fact_document ORDER BY document_id"
        assert con.execute(sql).fetchall() == ref.execute(sql).fetchall()
        sql = "SELECT * EXCLUDE (raw_id) FROM fact_task_assignment ORDER BY ALL"
        assert len(con.execute(sql).fetchall()) == 479 + 830 + 83
        assert con.execute(sql).fetchall() == ref.execute(sql).fetchall()
