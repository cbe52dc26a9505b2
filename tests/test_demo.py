"""The README's first command: scripts/demo.py runs the nightly flow over the sample sites.

Run in-process under Prefect's test harness (the command itself starts an ephemeral server),
twice on one port, as an operator would run it on two nights.
"""

from __future__ import annotations

import socket
import sys

import pytest
from conftest import ROOT

from warehouse.db import connect

sys.path.insert(0, str(ROOT / "scripts"))
import demo  # noqa: E402

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_crawls_every_sample_site_then_fetches_only_list_pages(tmp_path, capsys) -> None:
    db, port = tmp_path / "demo.duckdb", _free_port()
    assert demo.main(["--db", str(db), "--port", str(port)]) == 0
    out = capsys.readouterr().out
    assert "documents_added=24" in out and "quarantined=2" in out
    for site in ("archive", "gkmlpt", "govcn", "hanweb", "jpaas", "trs"):
        assert f"fixture_{site}" in out
    with connect(db, read_only=True) as con:
        # The Panzhihua issue served as a PDF by the gazette archive: its eight documents.
        assert con.execute(
            "SELECT count(DISTINCT document_id) FROM fact_document_appearance"
            " WHERE source_id = 'fixture_archive'"
        ).fetchone() == (8,)
        assert con.execute(
            "SELECT signed_date::VARCHAR FROM documents WHERE doc_number = '攀府发〔2018〕18号'"
        ).fetchall() == [("2018-11-06",)]

    assert demo.main(["--db", str(db), "--port", str(port)]) == 0
    assert "inputs=0" in capsys.readouterr().out
    with connect(db, read_only=True) as con:
        (run,) = con.execute(
            "SELECT run_id FROM pipeline_runs ORDER BY started DESC LIMIT 1"
        ).fetchone()
        outcomes = dict(
            con.execute(
                "SELECT outcome, count(*) FROM fetch_log WHERE run_id = ? GROUP BY ALL", [run]
            ).fetchall()
        )
    assert outcomes["unchanged"] >= 6  # conditional GETs answered 304, one per site at least
    assert "failed" not in outcomes and "blocked" not in outcomes
