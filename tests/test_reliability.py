"""Fault suite: bad input, crashes, overlapping writers, republished and duplicate documents.

Each case runs for real (generated bad files, a subprocess killed with SIGKILL, two processes
writing at once) and asserts the exact warehouse contents afterwards. No Prefect here: the
flows' steps (flows.steps.ingest_files) give the same guarantees and start in a second.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

from flows.steps import ingest_files, parse_one
from sources.local import read_file
from warehouse.db import WarehouseBusy, connect, open_db

LIANGSHAN = SEEDS / "liangshan_gazette_2020-04.txt"
WEB = SEEDS / "liangshan_web_2020-06-19.txt"
PY = sys.executable


def q(db, sql, params=None):
    with connect(db, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def one(db, sql, params=None):
    return q(db, sql, params)[0][0]


def _issue_copies(tmp: Path, n: int) -> list[Path]:
    """n distinct gazette issues: the Liangshan seed moved to other years (numbers, dates, issue)."""
    text = LIANGSHAN.read_text(encoding="utf-8")
    out = []
    for i in range(n):
        p = tmp / f"issue_{i:03d}.txt"
        year = str(1990 + i)
        p.write_text(
            text.replace("2020年", f"{year}年")
            .replace("〔2020〕", f"〔{year}〕")
            .replace("[2020]", f"[{year}]"),
            encoding="utf-8",
        )
        out.append(p)
    return out


# ------------------------------------------------------------------------------ bad input
def _bad_inputs(tmp: Path) -> dict[str, Path]:
    from transforms.pdf import pdf_to_text  # noqa: F401  (the PDF reader the pipeline uses)

    good_pdf = _tiny_pdf()
    files = {
        "empty.txt": b"",
        "junk.txt": os.urandom(4096),
        "truncated.pdf": good_pdf[: len(good_pdf) // 2],
        "encrypted.pdf": good_pdf.replace(
            b"trailer\n<<",
            b"trailer\n<< /Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>",
            1,
        )
        if b"trailer\n<<" in good_pdf
        else b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<</Encrypt<</Filter/Standard/V 1/R 2/O<00>/U<00>/P -4>>/Root 1 0 R>>\n%%EOF",
        "nobody.html": b"<html><head><title>x</title></head><body><script>alert(1)</script></body></html>",
        "nodocs.txt": "这是一段没有任何公文结构的文字。\n只有两行，没有标题，没有文号，也没有日期。\n".encode(),
        "unknown_encoding.txt": bytes([0x81, 0x30, 0xFF, 0xFE, 0x80]) * 200,
    }
    out = {}
    for name, data in files.items():
        (tmp / name).write_bytes(data)
        out[name] = tmp / name
    return out


def _tiny_pdf() -> bytes:
    import io

    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    doc.new_page(200, 200)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_bad_inputs_are_quarantined_and_the_run_carries_on(tmp_path, db_path):
    bad = _bad_inputs(tmp_path)
    counts = ingest_files(db_path, [*bad.values(), WEB])
    assert counts["quarantined"] == len(bad) == 7
    assert counts["documents_added"] == 1  # the good page still loads
    rows = {
        Path(uri).name: (stage, reason)
        for uri, stage, reason in q(db_path, "SELECT uri, stage, reason FROM quarantine")
    }
    assert set(rows) == set(bad)
    for name, (_stage, reason) in rows.items():
        assert name in reason, f"the reason must name the file: {reason}"
    assert "empty" in rows["empty.txt"][1]
    assert "binary" in rows["junk.txt"][1] or "encoding" in rows["junk.txt"][1]
    assert "PDF" in rows["truncated.pdf"][1] or "pdf" in rows["truncated.pdf"][1]
    assert rows["unknown_encoding.txt"][0] in ("decode", "parse")
    # Nothing fetched is lost: every bad file's bytes are in the raw layer, linked from quarantine.
    assert (
        one(
            db_path,
            "SELECT count(*) FROM quarantine q JOIN raw_item r USING (raw_id) JOIN raw_blob b USING (sha256)",
        )
        == 7
    )
    # After a "fix" (here: the same bytes, reprocessed), still quarantined, attempts counted.
    ingest_files(db_path, [bad["empty.txt"]], force=True)
    assert one(db_path, "SELECT attempts FROM quarantine WHERE uri LIKE '%empty.txt'") == 2


def test_oversized_input_is_refused_in_bounded_memory(tmp_path):
    big = tmp_path / "big.txt"
    line = ("凉山州人民政府办公室关于印发某某工作方案的通知。" * 40 + "\n").encode()
    with big.open("wb") as f:
        for _ in range((100 * 1024 * 1024) // len(line) + 1):
            f.write(line)
    db = tmp_path / "big.duckdb"
    script = textwrap.dedent(
        f"""
        import resource, json
        from flows.steps import ingest_files
        counts = ingest_files({str(db)!r}, [{str(big)!r}])
        print(json.dumps({{"counts": counts, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
        """
    )
    out = subprocess.run(
        [PY, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True
    )
    import json

    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["counts"]["quarantined"] == 1
    assert result["rss_mb"] < 1024, f"peak RSS {result['rss_mb']:.0f} MB"
    ((stage, reason),) = q(db, "SELECT stage, reason FROM quarantine")
    assert stage == "limits" and "big.txt" in reason and "more than" in reason


# ------------------------------------------------------------------------------ crashes
@pytest.mark.parametrize(("batch_size", "kill_after"), [(1, 5), (4, 1)])
def test_sigkill_mid_load_leaves_each_input_all_or_nothing(tmp_path, batch_size, kill_after):
    inputs = _issue_copies(tmp_path, 40)
    db = tmp_path / "kill.duckdb"
    # What each input must give, from the same parser in this process (the oracle).
    expected = {}
    for p in inputs:
        o = parse_one(stage_items_dry(p), p.read_bytes())
        expected[str(p.resolve())] = (o.parsed.documents.height, o.parsed.appointments.height)
    script = textwrap.dedent(
        f"""
        import sys
        from flows.steps import load_outcomes, parse_one, stage_items
        from sources.local import read_file
        from warehouse.db import connect
        items = [read_file(p) for p in {[str(p) for p in inputs]!r}]
        with connect({str(db)!r}) as con:
            refs = stage_items(con, items)
            outcomes = [parse_one(r, it.content) for r, it in zip(refs, items)]
            print("LOADING", flush=True)
            load_outcomes(con, outcomes, progress=lambda m: print(m, flush=True), batch_size={batch_size})
        print("DONE", flush=True)
        """
    )
    proc = subprocess.Popen([PY, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    loaded_lines = 0
    for line in proc.stdout:  # kill after a few inputs committed: mid-way through the load
        if line.startswith("loaded"):
            loaded_lines += 1
            if loaded_lines == 5:
                time.sleep(0.05)
                os.kill(proc.pid, signal.SIGKILL)
                break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    # Each input is either fully there (marked parsed) or not there at all.
    done = 0
    for uri, (n_docs, n_appts) in expected.items():
        parsed = one(db, "SELECT parsed_sha256 IS NOT NULL FROM raw_item WHERE uri = ?", [uri])
        docs = one(db, "SELECT count(*) FROM fact_document_appearance WHERE source_uri = ?", [uri])
        appts = one(
            db,
            "SELECT count(*) FROM fact_appointment WHERE document_id IN (SELECT document_id FROM fact_document WHERE defining_uri = ?)",
            [uri],
        )
        assert (docs, appts) in ((0, 0), (n_docs, n_appts)), uri
        assert parsed == (docs == n_docs)
        done += docs == n_docs
    assert kill_after * batch_size <= done < len(inputs)
    # The next run completes the rest, and totals are exact.
    ingest_files(db, inputs)
    assert one(db, "SELECT count(*) FROM fact_document_appearance") == sum(
        d for d, _ in expected.values()
    )
    assert one(db, "SELECT count(*) FROM fact_appointment") == sum(a for _, a in expected.values())
    assert one(db, "SELECT count(*) FROM raw_item WHERE parsed_sha256 IS NULL") == 0


def test_a_fatal_database_error_stops_the_run_with_one_clear_message(
    tmp_path, db_path, monkeypatch
):
    """DuckDB invalidates a connection after a fatal error (out of memory in a checkpoint): the
    run must stop with one message naming the inputs, quarantine none of them as bad, and leave
    the warehouse for the next run to complete."""
    import duckdb

    import warehouse.load as load
    from warehouse.db import WarehouseInvalidated

    issues = _issue_copies(tmp_path, 3)
    real = load._load_facts

    def fatal_once(con, has_prior):
        monkeypatch.setattr(load, "_load_facts", real)
        raise duckdb.FatalException("Failed to create checkpoint: failed to pin block")

    monkeypatch.setattr(load, "_load_facts", fatal_once)
    with pytest.raises(WarehouseInvalidated) as err:
        ingest_files(db_path, issues)
    message = str(err.value)
    assert "issue_000.txt" in message and "failed to pin block" in message
    assert "Nothing of this batch was committed" in message
    assert one(db_path, "SELECT count(*) FROM fact_document") == 0
    assert one(db_path, "SELECT count(*) FROM quarantine") == 0  # good inputs are not "bad"
    assert one(db_path, "SELECT count(*) FROM raw_item") == 3  # bytes first: all kept

    counts = ingest_files(db_path, issues)  # the next run completes the load
    assert counts["quarantined"] == 0 and counts["documents_added"] == 3 * 11
    assert one(db_path, "SELECT count(DISTINCT first_raw_id) FROM fact_document") == 3


def stage_items_dry(path: Path):
    """A RawRef for a file without a warehouse (the oracle parse)."""
    from flows.steps import RawRef

    it = read_file(path)
    return RawRef("x", it.source_id, it.uri, it.kind, it.sha256, it.encoding)


# ------------------------------------------------------------------------------ writers
def test_second_writer_gets_a_clear_message(db_path):
    open_db(db_path).close()
    holder = subprocess.Popen(
        [
            PY,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db_path)!r}); print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseBusy, match=r"in use by process \d+.*one writer"):
            open_db(db_path, wait=0.5)
    finally:
        holder.kill()
        holder.wait()
    assert open_db(db_path, wait=5).execute("SELECT count(*) FROM fact_document").fetchone() == (0,)


def test_two_overlapping_runs_both_complete(tmp_path):
    (tmp_path / "a").mkdir()
    a = _issue_copies(tmp_path / "a", 4)
    b_dir = tmp_path / "b"
    b_dir.mkdir()
    b = [b_dir / "web.txt"]
    b[0].write_bytes(WEB.read_bytes())
    db = tmp_path / "both.duckdb"
    open_db(db).close()
    script = "import sys; from flows.steps import ingest_files; print(ingest_files(sys.argv[1], sys.argv[2:], wait=120))"
    p1 = subprocess.Popen(
        [PY, "-c", script, str(db), *map(str, a)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    p2 = subprocess.Popen(
        [PY, "-c", script, str(db), *map(str, b)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert p1.wait(timeout=300) == 0 and p2.wait(timeout=300) == 0
    per_issue = one(
        db, "SELECT count(*) FROM fact_document_appearance WHERE source_uri LIKE '%issue_000.txt'"
    )
    assert per_issue == 11
    assert one(db, "SELECT count(*) FROM fact_document_appearance") == 4 * 11 + 1
    assert one(db, "SELECT count(*) FROM raw_item") == 5


# ------------------------------------------------------------------------------ updates, duplicates
def _page(
    title: str,
    number: str,
    body: str,
    date: str | None = "2020年06月16日",
    issuer: str | None = "凉山州人民政府办公室",
) -> bytes:
    rows = [("标　　题", title), ("发文字号", number), ("成文日期", date), ("发文机关", issuer)]
    table = "".join(f"<tr><td>{k}:</td><td>{v}</td></tr>" for k, v in rows if v)
    return (
        f"<html><head><meta charset='utf-8'><meta name='ArticleTitle' content=\"{title}\"></head><body>"
        f"<table class='bd1'>{table}</table><div id='UCAP-CONTENT'>{body}</div></body></html>"
    ).encode()


def test_republished_document_keeps_previous_version(tmp_path, db_path):
    page = tmp_path / "page.html"
    title = "凉山州人民政府办公室关于做好防汛工作的通知"
    page.write_bytes(
        _page(
            title, "凉府办函〔2020〕99号", "<p>各县（市）人民政府：</p><p>请于6月30日前报送。</p>"
        )
    )
    ingest_files(db_path, [page])
    page.write_bytes(
        _page(
            title,
            "凉府办函〔2020〕99号",
            "<p>各县（市）人民政府：</p><p>请于7月15日前报送（更正）。</p>",
        )
    )
    counts = ingest_files(db_path, [page])
    assert counts["documents_updated"] == 1 and counts["documents_added"] == 0
    assert q(db_path, "SELECT count(*), max(version) FROM fact_document") == [(1, 2)]
    ((old_body,),) = q(db_path, "SELECT body FROM document_history WHERE version = 1")
    assert "6月30日" in old_body
    ((new_body,),) = q(db_path, "SELECT body FROM fact_document")
    assert "7月15日" in new_body
    assert one(db_path, "SELECT count(*) FROM raw_item") == 2  # both versions kept raw


def test_duplicates_under_other_urls_or_whitespace_are_stored_once(tmp_path, db_path):
    body = "<p>各县（市）人民政府：</p><p>现将有关事项通知如下。</p>"
    title = "凉山州人民政府办公室关于开展安全检查的通知"
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    first.write_bytes(_page(title, "凉府办函〔2020〕77号", body))
    second.write_bytes(_page(title, "凉府办函〔2020〕77号", body.replace("。", "。  \n ")))
    ingest_files(db_path, [first, second])
    assert one(db_path, "SELECT count(*) FROM documents") == 1
    assert one(db_path, "SELECT n_appearances FROM documents") == 2
    first.write_bytes(_page(title, "凉府办函〔2020〕77号", body.replace("</p>", " </p>\n")))
    counts = ingest_files(db_path, [first])
    assert counts["documents_updated"] == 0
    assert one(db_path, "SELECT version FROM fact_document") == 1


def test_a_second_source_fills_gaps_but_never_redefines(tmp_path, db_path):
    """The first URI defines the document; another URI with the same number only fills empty
    fields (date, issuers), never the title or body, and adds an appearance."""
    number, title = "凉府办函〔2020〕88号", "关于做好森林防火工作的通知"
    first, second = tmp_path / "portal.html", tmp_path / "mirror.html"
    first.write_bytes(
        _page(title, number, "<p>各县（市）人民政府：</p><p>第一稿。</p>", None, None)
    )
    ingest_files(db_path, [first])
    assert q(db_path, "SELECT signed_date, issuers FROM fact_document") == [(None, [])]
    second.write_bytes(
        _page(title + "（转载）", number, "<p>各县（市）人民政府：</p><p>转载。</p>")
    )
    counts = ingest_files(db_path, [second])
    assert counts["documents_added"] == 0 and counts["documents_updated"] == 0
    row = q(
        db_path, "SELECT title, body, signed_date::VARCHAR, issuers, version FROM fact_document"
    )
    assert len(row) == 1
    got_title, body, signed, issuers, version = row[0]
    assert (got_title, signed, issuers, version) == (
        title,
        "2020-06-16",
        ["凉山州人民政府办公室"],
        1,
    )
    assert "第一稿" in body and "转载" not in body
    assert one(db_path, "SELECT n_appearances FROM documents") == 2
    third = tmp_path / "other.html"  # issuers already set: a third source does not replace them
    third.write_bytes(_page(title, number, "<p>三。</p>", "2020年06月17日", "凉山州人民政府"))
    ingest_files(db_path, [third])
    assert q(db_path, "SELECT signed_date::VARCHAR, issuers FROM fact_document") == [
        ("2020-06-16", ["凉山州人民政府办公室"])
    ]


def test_facts_come_from_the_defining_uri_whatever_the_order_in_a_batch(tmp_path, db_path):
    """A reprocess loads a mirror and the defining page in one batch, the mirror first: the
    document keeps the citations of its defining page (a batch-wide dedupe once kept the
    mirror's copy of them, which the load then discarded as not the defining URI's)."""
    number, title = "凉府办函〔2020〕77号", "关于做好森林草原防灭火工作的通知"
    body = "<p>各县（市）人民政府：</p><p>根据《凉山州人民政府关于加强防火工作的意见》（凉府发〔2019〕3号），现通知如下。</p>"
    page, mirror = tmp_path / "b-page.html", tmp_path / "a-mirror.html"
    page.write_bytes(_page(title, number, body))
    ingest_files(db_path, [page])
    cited = "SELECT cited_doc_number FROM citations"
    assert q(db_path, cited) == [("凉府发〔2019〕3号",)]
    mirror.write_bytes(_page(title + "（转载）", number, body))
    ingest_files(db_path, [mirror, page], force=True)  # one batch, the mirror first
    assert q(db_path, cited) == [("凉府发〔2019〕3号",)]
    assert one(db_path, "SELECT defining_uri FROM fact_document").endswith("b-page.html")
    assert one(db_path, "SELECT n_appearances FROM documents") == 2


def test_a_correction_is_kept_when_a_mirror_comes_first_in_the_batch(tmp_path, db_path):
    """The defining page republished with a correction, loaded in one batch after a mirror of
    it: the correction is a new version (the mirror's row once spoke for the document)."""
    number, title = "凉府办函〔2020〕66号", "关于做好汛期安全工作的通知"
    page, mirror = tmp_path / "b-page.html", tmp_path / "a-mirror.html"
    page.write_bytes(_page(title, number, "<p>各县（市）人民政府：</p><p>第一稿。</p>"))
    ingest_files(db_path, [page])
    mirror.write_bytes(_page(title, number, "<p>各县（市）人民政府：</p><p>第一稿。</p>"))
    page.write_bytes(_page(title, number, "<p>各县（市）人民政府：</p><p>更正稿。</p>"))
    counts = ingest_files(db_path, [mirror, page])  # one batch, the mirror first
    assert counts["documents_updated"] == 1
    body, version = q(db_path, "SELECT body, version FROM fact_document")[0]
    assert "更正稿" in body and version == 2
    assert one(db_path, "SELECT count(*) FROM document_history") == 1


# ------------------------------------------------------------------------------ security
def test_hostile_titles_are_stored_verbatim(tmp_path, db_path):
    title = "关于'; DROP TABLE fact_document; --\"和“引号”的通知"
    page = tmp_path / "hostile.html"
    page.write_bytes(_page(title.replace('"', "&quot;"), "凉府办函〔2020〕66号", "<p>正文。</p>"))
    ingest_files(db_path, [page])
    # The title as printed, quotes and all (the issuer is put in front of a bare 关于… title).
    assert q(db_path, "SELECT title FROM documents") == [("凉山州人民政府办公室" + title,)]
    assert one(db_path, "SELECT value FROM document_metadata WHERE key = '标题'") == title
    assert one(db_path, "SELECT count(*) FROM fact_document") == 1


def test_warehouse_file_is_owner_only(db_path):
    open_db(db_path).close()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_writers_in_threads_are_serialised_by_the_lock(db_path):
    import threading

    order: list[str] = []

    def second_writer() -> None:
        with connect(db_path, wait=30) as con:
            con.execute("INSERT INTO probe VALUES (2)")
            order.append("second in")

    with connect(db_path) as con:  # holds the writer lock
        con.execute("CREATE TABLE probe (x INT)")
        t = threading.Thread(target=second_writer)
        t.start()
        time.sleep(0.5)
        order.append("first out")
        with (
            pytest.raises(WarehouseBusy, match=r"being written by process \d+"),
            connect(db_path, wait=0.2),
        ):
            pass
        con.execute("INSERT INTO probe VALUES (1)")
    t.join(timeout=30)
    assert order == ["first out", "second in"]
    assert q(db_path, "SELECT x FROM probe ORDER BY x") == [(1,), (2,)]
