"""The raw layer's two homes: small inputs in the warehouse file, large ones in the raw store.

A whole gazette issue (the seeds: 74-131 KB) goes to ``<warehouse>.raw/<sha[:2]>/<sha>``; a
portal page under ``INLINE_MAX_BYTES`` stays in ``raw_blob.content``. Either way the bytes come
back unchanged for a reprocess, and a raw store file that went missing is reported by name and
quarantined, not crashed on.
"""

from __future__ import annotations

import hashlib
import stat

import pytest
from conftest import SAMPLES, SEEDS

from flows.steps import ingest_files
from warehouse.db import connect
from warehouse.raw import INLINE_MAX_BYTES, RawStoreError, read_raw

ISSUE = SEEDS / "liangshan_gazette_2020-04.txt"
PAGE = SAMPLES / "govcn" / "row05_guofa_2019_3.html"


def _blob_rows(db):
    with connect(db, read_only=True) as con:
        return {
            sha: (content, path)
            for sha, content, path in con.execute(
                "SELECT sha256, content, file_path FROM raw_blob"
            ).fetchall()
        }


def test_a_whole_issue_goes_to_the_raw_store_and_a_page_stays_inline(db_path):
    issue, page = ISSUE.read_bytes(), PAGE.read_bytes()
    assert len(page) <= INLINE_MAX_BYTES < len(issue)
    counts = ingest_files(db_path, [ISSUE, PAGE])
    assert counts["quarantined"] == 0 and counts["documents_added"] >= 10

    rows = _blob_rows(db_path)
    issue_sha, page_sha = (hashlib.sha256(b).hexdigest() for b in (issue, page))
    content, rel = rows[issue_sha]
    assert content is None and rel == f"{db_path.name}.raw/{issue_sha[:2]}/{issue_sha}"
    stored = db_path.parent / rel
    assert stored.read_bytes() == issue
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE((db_path.parent / f"{db_path.name}.raw").stat().st_mode) == 0o700
    assert rows[page_sha] == (page, None)

    with connect(db_path, read_only=True) as con:
        raw_ids = dict(con.execute("SELECT sha256, raw_id FROM raw_item").fetchall())
        assert read_raw(con, raw_ids[issue_sha])["content"] == issue
        assert read_raw(con, raw_ids[page_sha])["content"] == page


def test_the_same_issue_under_another_name_is_stored_once(tmp_path, db_path):
    copy = tmp_path / "copy_of_issue.txt"
    copy.write_bytes(ISSUE.read_bytes())
    ingest_files(db_path, [ISSUE, copy])
    store = db_path.parent / f"{db_path.name}.raw"
    assert len([p for p in store.rglob("*") if p.is_file()]) == 1
    with connect(db_path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw_item").fetchone() == (2,)
        assert con.execute("SELECT count(*) FROM raw_blob").fetchone() == (1,)


def test_a_missing_or_altered_raw_file_is_named(db_path):
    ingest_files(db_path, [ISSUE])
    sha = hashlib.sha256(ISSUE.read_bytes()).hexdigest()
    stored = db_path.parent / f"{db_path.name}.raw" / sha[:2] / sha
    with connect(db_path, read_only=True) as con:
        (raw_id,) = con.execute("SELECT raw_id FROM raw_item").fetchone()
        stored.write_bytes(b"not the issue")
        with pytest.raises(RawStoreError, match=f"{stored}.*does not match"):
            read_raw(con, raw_id)
        stored.unlink()
        with pytest.raises(RawStoreError, match=f"{stored} is missing"):
            read_raw(con, raw_id)


@pytest.mark.usefixtures("prefect_harness")
def test_reprocess_quarantines_an_input_whose_raw_file_is_gone(db_path, monkeypatch):
    import flows.stream
    from flows.ingest import reprocess

    # A batch at a time (memory bounded by two batches): here one input per batch.
    monkeypatch.setattr(flows.stream, "CHUNK_SIZE", 1)
    batches = []
    real_run_batches = flows.stream.run_batches

    def spy(con, batches_in, **kw):
        def seen():
            for b in batches_in:
                batches.append(len(b.jobs))
                yield b

        return real_run_batches(con, seen(), **kw)

    monkeypatch.setattr(flows.stream, "run_batches", spy)
    ingest_files(db_path, [ISSUE, PAGE])
    sha = hashlib.sha256(ISSUE.read_bytes()).hexdigest()
    stored = db_path.parent / f"{db_path.name}.raw" / sha[:2] / sha
    stored.unlink()

    counts = reprocess(db=str(db_path))
    # ingest: a batch per input; reprocess: the page, then the issue with nothing left to parse
    assert batches == [1, 1, 1, 0]
    assert counts["quarantined"] == 1 and counts["state"] == "COMPLETED_WITH_QUARANTINE"
    assert counts["documents_unchanged"] == 1  # the page, re-derived from its inline bytes
    with connect(db_path, read_only=True) as con:
        stage, reason = con.execute("SELECT stage, reason FROM quarantine").fetchone()
        docs = con.execute("SELECT count(*) FROM fact_document").fetchone()[0]
    assert stage == "raw" and str(stored) in reason and str(ISSUE.resolve()) in reason
    assert docs >= 11  # nothing that was loaded is lost

    stored.parent.mkdir(exist_ok=True)
    stored.write_bytes(ISSUE.read_bytes())  # the raw store restored from a backup
    again = reprocess(db=str(db_path), only_quarantined=True)
    assert again["quarantined"] == 0
    with connect(db_path, read_only=True) as con:
        assert con.execute("SELECT resolved_at IS NOT NULL FROM quarantine").fetchone() == (True,)


def test_the_encoding_is_detected_once_when_the_bytes_are_first_stored(
    tmp_path, db_path, monkeypatch
):
    import flows.steps

    gbk = tmp_path / "page_gbk.html"
    gbk.write_bytes(PAGE.read_text(encoding="utf-8").encode("gb18030"))
    calls = []
    real = flows.steps.detect_encoding
    monkeypatch.setattr(flows.steps, "detect_encoding", lambda b: calls.append(1) or real(b))

    first = ingest_files(db_path, [ISSUE, PAGE, gbk])
    assert first["quarantined"] == 0 and len(calls) == 3
    with connect(db_path, read_only=True) as con:
        enc = dict(con.execute("SELECT uri, encoding FROM raw_item").fetchall())
        titles = con.execute(
            "SELECT count(DISTINCT title), count(*) FROM fact_document_appearance a"
            " JOIN fact_document d USING (document_id) WHERE a.source_uri LIKE '%.html'"
        ).fetchone()
    assert enc[str(gbk.resolve())] == "gb18030"
    assert enc[str(PAGE.resolve())] == enc[str(ISSUE.resolve())] == "utf-8"
    assert titles == (1, 2)  # the GB18030 copy reads as the same document

    again = ingest_files(db_path, [ISSUE, PAGE, gbk])  # nothing new: nothing decoded
    assert again["skipped"] == 3 and len(calls) == 3
