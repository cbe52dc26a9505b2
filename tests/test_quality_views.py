"""The warehouse records where a page's metadata table and its text disagree (the table wins)."""

from __future__ import annotations

from conftest import SAMPLES

from flows.steps import ingest_files
from warehouse.db import connect


def test_table_and_signature_disagreement_is_kept(db_path):
    page = SAMPLES / "jiangxi" / "art_5400_1505309.html"
    ingest_files(db_path, [page])
    with connect(db_path, read_only=True) as con:
        rows = con.execute(
            "SELECT fields, table_issuers, body_issuers FROM metadata_disagreements"
        ).fetchall()
        issuers = con.execute("SELECT issuers FROM documents").fetchall()
    # The table says the bureau issued it; the signature is the bureau's epidemic leading group.
    assert rows == [("issuers", ["江西省市场监督管理局"], "江西省局新冠肺炎疫情防控工作领导小组")]
    assert issuers == [(["江西省市场监督管理局"],)]
