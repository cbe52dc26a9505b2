"""The distributed ingest (Dask fan-out, Parquet staging, one loader) builds the same warehouse
as the plain single-process ingest."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEEDS

from flows.parquet_io import read_parsed, write_parsed
from flows.steps import ingest_files
from transforms.gazette import parse_gazette_text
from warehouse.db import connect

TABLES = ("fact_document", "fact_appointment", "fact_citation", "fact_task_assignment")


def _snapshot(db: Path) -> dict[str, object]:
    with connect(db, read_only=True) as con:
        out: dict[str, object] = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
            for t in TABLES
        }
        out["ids"] = sorted(
            r[0] for r in con.execute("SELECT document_id FROM fact_document").fetchall()
        )
        out["numbers"] = sorted(
            r[0]
            for r in con.execute(
                "SELECT doc_number FROM fact_document WHERE doc_number IS NOT NULL"
            ).fetchall()
        )
    return out


def test_parquet_round_trip_keeps_every_frame(tmp_path: Path) -> None:
    parsed = parse_gazette_text(
        (SEEDS / "panzhihua_gazette_2018-12.txt").read_text(encoding="utf-8")
    )
    back = read_parsed(write_parsed(parsed, tmp_path / "raw1"))
    assert back.documents.height == 8
    assert back.documents["doc_number"][0] == "川府发〔2018〕42号"
    assert back.issue is not None and (back.issue.issue_no, back.issue.total_issue_no) == (12, 250)
    for name in ("documents", "appointments", "citations", "tasks", "metadata"):
        assert getattr(back, name).equals(getattr(parsed.conformed(), name)), name


def test_distributed_flow_equals_plain_ingest(tmp_path: Path, prefect_harness) -> None:
    distributed = pytest.importorskip("distributed")
    from flows.distributed import run_distributed

    seeds = sorted(str(p) for p in SEEDS.glob("*.txt"))
    plain_db, dist_db = tmp_path / "plain.duckdb", tmp_path / "dist.duckdb"
    ingest_files(plain_db, seeds)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        counts = run_distributed(seeds, db=str(dist_db), address=cluster.scheduler_address)
        assert counts["inputs"] == 3 and counts["quarantined"] == 0
        plain, dist = _snapshot(plain_db), _snapshot(dist_db)
        assert dist == plain
        assert dist["fact_document"] == 20  # 11 Liangshan issue + 8 Panzhihua issue + 1 portal page
        assert "凉府办发〔2020〕5号" in dist["numbers"]
        # A rerun finds every input loaded already: nothing is parsed or loaded again.
        again = run_distributed(seeds, db=str(dist_db), address=cluster.scheduler_address)
    assert again["skipped"] == 3 and again["inputs"] == 0
    assert not any((tmp_path / "dist.duckdb.staging").rglob("*.parquet"))  # staging cleaned up
