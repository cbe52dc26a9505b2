"""Crawls of the fixture site: what is fetched, handed on, skipped, and how many requests."""

from __future__ import annotations

import datetime as dt
import hashlib
import time

import pytest
from fixture_site import RETRY_AFTER, build_fixture_site

from sources.crawl import crawl
from sources.encoding import decode
from sources.http import Fetcher, MemoryValidators

D = dt.date


@pytest.fixture
def fixture(httpserver):
    return build_fixture_site(httpserver)


class Run:
    """A fetcher with test timings, plus everything handed to on_raw."""

    def __init__(self, validators: MemoryValidators | None = None) -> None:
        self.waits: list[float] = []
        self.validators = validators or MemoryValidators()
        self.fetcher = Fetcher(
            connect_timeout=1.0,
            read_timeout=0.2,
            retries=3,
            backoff=0.01,
            validators=self.validators,
            sleep=self.waits.append,
        )
        self.raws = []

    def on_raw(self, raw) -> None:
        self.raws.append(raw)
        self.validators.remember(raw)

    def crawl(self, site, **kw):
        return crawl(site, fetcher=self.fetcher, on_raw=self.on_raw, **kw)


def test_full_crawl_of_trs_site_fetches_hands_on_and_records_faults(fixture):
    run = Run()
    report = run.crawl(fixture.site)
    by_fault = {d.fault: d for d in fixture.details_of("fixture_trs")}
    fetched = {r.uri for r in run.raws if r.kind == "portal_page"}
    expected = {
        d.url
        for d in fixture.details_of("fixture_trs")
        if d.fault in (None, "500", "429", "timeout", "truncated")
    }
    assert fetched == expected and len(fetched) == 8
    assert report.list_pages == 3 and report.detail_fetched == 8
    assert report.failed == [(by_fault["404"].url, "HTTP 404")]
    blocked = dict(report.blocked)
    assert blocked[by_fault["robots"].url] == "disallowed by robots.txt"
    assert "WAF JavaScript challenge" in blocked[by_fault["waf"].url]
    assert report.offsite == [by_fault["offsite"].url]
    assert fixture.request_count("/offsite") == 0 and fixture.request_count("/trs/private") == 0
    assert float(RETRY_AFTER) in run.waits  # 429 Retry-After honoured
    log = {
        url: (status, outcome, attempts) for url, status, outcome, _, attempts in report.responses
    }
    assert log[by_fault["500"].url] == (200, "ok", 2) and log[by_fault["429"].url] == (200, "ok", 2)
    assert log[by_fault["timeout"].url][:2] == (200, "ok") and log[by_fault["timeout"].url][2] >= 2
    assert log[by_fault["404"].url] == (404, "failed", 1) and log[by_fault["waf"].url] == (
        412,
        "blocked",
        1,
    )
    # Raw first: each list page is handed on before the detail pages it lists.
    kinds = [r.kind for r in run.raws]
    assert kinds[0] == "list_page" and kinds.count("list_page") == 3
    served = {d.url: d for d in fixture.details_of("fixture_trs")}
    for raw in run.raws:
        if raw.kind == "list_page":
            continue
        d = served[raw.uri]
        assert raw.http_status == 200
        assert raw.sha256 == hashlib.sha256(d.content).hexdigest()
        assert raw.hints["list_date"] == d.date.isoformat()
        text, encoding = decode(raw.content)
        assert encoding == raw.encoding and "\ufffd" not in text
    gbk = [r for r in run.raws if r.uri.endswith(("t20200320_2.html", "t20200310_3.html"))]
    assert [r.encoding for r in gbk] == ["gb18030", "gb18030"]
    assert "2020年全省粮食和物资储备改革发展工作要点" in gbk[0].content.decode(gbk[0].encoding)
    assert "江西省流动人口服务和管理办法" in gbk[1].content.decode(
        gbk[1].encoding
    )  # no charset at all
    liangshan = next(r for r in run.raws if r.uri.endswith("t20200619_1.html"))
    assert liangshan.encoding == "utf-8" and "凉府办发〔2020〕20号" in liangshan.content.decode(
        "utf-8"
    )
    truncated = next(r for r in run.raws if r.uri == by_fault["truncated"].url)
    assert truncated.hints.get("truncated") == "true" and truncated.content.endswith(b"<div")
    assert report.newest_date == D(2020, 6, 19)


def test_second_incremental_crawl_fetches_nothing_new(fixture):
    first = Run()
    report1 = first.crawl(fixture.site)
    fixture.reset_counts()
    second = Run(first.validators)  # a new nightly process, validators from the raw store
    report = second.crawl(fixture.site, since=report1.newest_date)
    # robots.txt, list page 0 (ends in older items: stop), the item dated == since re-checked -> 304
    assert fixture.requests == [
        "GET /robots.txt",
        "GET /trs/index.html",
        "GET /trs/202006/t20200619_1.html",
    ]
    assert report.requests == 3 and report.detail_fetched == 0 and report.unchanged == 1
    assert [r.kind for r in second.raws] == ["list_page"]
    assert report.skipped == 2  # the two older items on page 0


def test_backfill_fetches_exactly_the_half_open_range(fixture):
    run = Run()
    report = run.crawl(fixture.site, since=D(2020, 3, 1), until=D(2020, 3, 20))
    assert [r.uri.rsplit("/", 1)[1] for r in run.raws if r.kind != "list_page"] == [
        "t20200310_3.html"
    ]
    assert report.list_pages == 2  # page 1 ends before the range: paging stops there
    assert fixture.request_count("/trs/index_2") == 0
    assert report.skipped == 5  # 06-19 and 03-20 (>= until) newer; 02-26, 02-25, 02-20 older


@pytest.mark.parametrize(
    ("site_id", "list_pages", "kind"),
    [
        ("fixture_hanweb", 3, "portal_page"),
        ("fixture_jpaas", 3, "portal_page"),
        ("fixture_govcn", 2, "portal_page"),
        ("fixture_gkmlpt", 1, "portal_page"),
        ("fixture_archive", 1, "gazette_pdf"),
    ],
)
def test_each_family_site_crawls_all_its_items(fixture, site_id, list_pages, kind):
    run = Run()
    report = run.crawl(fixture.sites[site_id])
    details = fixture.details_of(site_id)
    got = [r for r in run.raws if r.kind == kind]
    assert [r.uri for r in got] == [d.url for d in details]  # newest first, every page
    assert [r.sha256 for r in got] == [hashlib.sha256(d.content).hexdigest() for d in details]
    assert report.list_pages == list_pages and not report.failed and not report.blocked


def test_archive_issue_pdfs_are_stored_raw_with_gazette_name(fixture):
    run = Run()
    report = run.crawl(fixture.sites["fixture_archive"], issues=["2018年第11期"])
    pdfs = [r for r in run.raws if r.kind == "gazette_pdf"]
    assert len(pdfs) == 1 and report.skipped == 2
    pdf = pdfs[0]
    assert (
        pdf.content.startswith(b"%PDF")
        and pdf.encoding is None
        and pdf.media_type == "application/pdf"
    )
    assert pdf.hints == {
        "list_title": "2018年第11期",
        "list_url": fixture.base_url + "/gb/index.html",
        "list_date": "2018-11-30",
        "gazette": "攀枝花市人民政府公报",
    }


def test_nightly_run_over_whole_fixture_when_nothing_changed(fixture, capsys):
    first = Run()
    start = time.monotonic()
    reports = {sid: first.crawl(site) for sid, site in fixture.sites.items()}
    full_seconds = time.monotonic() - start
    full_requests = len(fixture.requests)
    fixture.reset_counts()
    nightly = Run(first.validators)
    again = {
        sid: nightly.crawl(site, since=reports[sid].newest_date)
        for sid, site in fixture.sites.items()
    }
    assert sum(r.detail_fetched for r in again.values()) == 0
    assert sum(r.unchanged for r in again.values()) == 6  # one item per site dated == watermark
    # 1 robots.txt + per site: list pages until one ends before the watermark + one 304.
    # JPaaS needs its shell and API page 1; gov.cn's page 0 ends ON the watermark, so page 1 too.
    assert fixture.request_count("/robots.txt") == 1
    assert fixture.request_count("/zhengce/zuixin/") == 2
    assert len(fixture.requests) == 15
    with capsys.disabled():
        print(
            f"\nfull crawl of fixture: {full_requests} requests in {full_seconds:.2f} s; "
            f"nightly with nothing changed: {len(fixture.requests)} requests"
        )
