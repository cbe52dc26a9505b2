"""The nightly and backfill flows against the fixture site on 127.0.0.1, into a real DuckDB file.

The fixture (tests/fixture_site.py) serves six small sites, one per portal family, built from
the real samples and seeds, with faults on the TRS site (404, 500 then 200, 429, a slow read,
a truncated page, a WAF block, a robots.txt disallow, an off-site link).
"""

from __future__ import annotations

import datetime as dt

import pytest
from fixture_site import build_fixture_site

from flows.crawl import backfill, nightly
from warehouse.db import connect

pytestmark = pytest.mark.usefixtures("prefect_harness")

FAST = {
    "read_timeout": 0.25,
    "connect_timeout": 1.0,
    "backoff": 0.01,
    "max_wait": 3.0,
    "min_delay": 0.0,
}


@pytest.fixture
def site_env(httpserver, tmp_path, monkeypatch):
    fixture = build_fixture_site(httpserver)
    sites = tmp_path / "sites"
    sites.mkdir()
    for sid, toml in fixture.site_tomls.items():
        (sites / f"{sid}.toml").write_text(toml, encoding="utf-8")
    monkeypatch.setenv("GAZETTE_SITES_DIR", str(sites))
    return fixture


def _q(db, sql, params=None):
    with connect(db, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_nightly_loads_fixture_then_second_nightly_fetches_nothing(site_env, db_path):
    fixture = site_env
    first = nightly(sources=["fixture_trs"], db=str(db_path), fetcher_options=FAST)
    served = [
        d
        for d in fixture.details_of("fixture_trs")
        if d.fault in (None, "500", "429", "timeout", "truncated")
    ]
    assert first["inputs"] == len(served) == 8
    # The seed page served as UTF-8 lands with its own number and date.
    assert _q(
        db_path, "SELECT signed_date FROM documents WHERE doc_number = '凉府办发〔2020〕20号'"
    ) == [(dt.date(2020, 6, 16),)]
    # Every response was logged; faults with their reasons.
    outcomes = dict(_q(db_path, "SELECT outcome, count(*) FROM fetch_log GROUP BY ALL"))
    assert outcomes["failed"] >= 1 and outcomes["blocked"] >= 2
    assert _q(
        db_path,
        "SELECT count(*) FROM raw_item WHERE source_id = 'fixture_trs' AND kind = 'list_page'",
    ) == [(3,)]
    docs_before = _q(db_path, "SELECT count(*) FROM fact_document")[0][0]
    raw_before = _q(db_path, "SELECT count(*) FROM raw_item")[0][0]

    fixture.reset_counts()
    second = nightly(sources=["fixture_trs"], db=str(db_path), fetcher_options=FAST)
    assert second["documents_added"] == 0 and second["inputs"] == 0
    # robots.txt + list page 1 (ends before the watermark) + one conditional GET answered 304.
    assert len(fixture.requests) == 3
    assert _q(db_path, "SELECT count(*) FROM fact_document")[0][0] == docs_before
    assert _q(db_path, "SELECT count(*) FROM raw_item")[0][0] == raw_before
    runs = _q(db_path, "SELECT flow, state, documents_added FROM pipeline_runs ORDER BY started")
    assert [r[0] for r in runs] == ["nightly", "nightly"] and runs[1][2] == 0


def test_backfill_fetches_exactly_the_range(site_env, db_path):
    fixture = site_env
    counts = backfill(
        source="fixture_trs",
        start=dt.date(2020, 3, 1),
        end=dt.date(2020, 3, 20),
        db=str(db_path),
        fetcher_options=FAST,
    )
    fetched = _q(db_path, "SELECT uri FROM raw_item WHERE kind <> 'list_page'")
    expected = [
        d.url
        for d in fixture.details_of("fixture_trs")
        if dt.date(2020, 3, 1) <= d.date < dt.date(2020, 3, 20)
    ]
    assert sorted(u for (u,) in fetched) == sorted(expected) and len(expected) == 1
    assert counts["pages_fetched"] >= 1


def test_overlapping_runs_are_serialised_and_lose_nothing(site_env, db_path):
    """A nightly crawl and a file ingest at the same time: both complete, every row lands."""
    import threading

    from conftest import SEEDS

    from flows.ingest import ingest

    results: dict[str, dict] = {}
    runs = [
        threading.Thread(
            target=lambda: results.update(
                nightly=nightly(sources=["fixture_trs"], db=str(db_path), fetcher_options=FAST)
            )
        ),
        threading.Thread(
            target=lambda: results.update(ingest=ingest(paths=[str(SEEDS)], db=str(db_path)))
        ),
    ]
    for t in runs:
        t.start()
    for t in runs:
        t.join(timeout=120)
    assert results["nightly"]["inputs"] == 8 and results["ingest"]["inputs"] == 3
    added = results["nightly"]["documents_added"] + results["ingest"]["documents_added"]
    # The seed page and the fixture's copy of it are one document with two appearances.
    assert _q(db_path, "SELECT count(*) FROM fact_document")[0][0] == added
    assert _q(
        db_path, "SELECT n_appearances FROM documents WHERE doc_number = '凉府办发〔2020〕20号'"
    ) == [(2,)]
    states = _q(db_path, "SELECT flow, state FROM pipeline_runs ORDER BY flow")
    assert [f for f, _ in states] == ["ingest", "nightly"] and all(
        s.startswith("COMPLETED") for _, s in states
    )


def test_backfill_of_one_gazette_issue_from_an_archive_of_pdfs(site_env, db_path):
    """The operator names an issue as the archive lists it; only that PDF is fetched and split."""
    fixture = site_env
    counts = backfill(
        source="fixture_archive", issues=["2018年第12期"], db=str(db_path), fetcher_options=FAST
    )
    assert counts["quarantined"] == 0 and counts["documents_added"] == 8
    fetched = [u for (u,) in _q(db_path, "SELECT uri FROM raw_item WHERE kind = 'gazette_pdf'")]
    assert fetched == [fixture.base_url + "/gb/2018/gb_12.pdf"]
    rows = _q(db_path, "SELECT DISTINCT gazette_issue FROM documents")
    assert rows == [("攀枝花市人民政府公报 2018年第12期",)]
    assert ("攀府人〔2018〕10号",) in _q(db_path, "SELECT doc_number FROM documents")
    assert _q(
        db_path,
        "SELECT json_extract_string(hints, '$.gazette') FROM raw_item WHERE kind = 'gazette_pdf'",
    ) == [("攀枝花市人民政府公报",)]
