"""The fetcher against a real local HTTP server: politeness, retries, blocks, encodings."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug import Response

from sources.http import (
    BLOCKED,
    DEFAULT_USER_AGENT,
    FAILED,
    OFFSITE,
    OK,
    UNCHANGED,
    Fetcher,
    MemoryValidators,
)

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "portal"
JX_TITLE = "江西省人民政府关于修改《江西省流动人口服务和管理办法》的决定"


def fetcher(**kw) -> tuple[Fetcher, list[float]]:
    waits: list[float] = []
    kw = {
        "connect_timeout": 1.0,
        "read_timeout": 0.2,
        "retries": 2,
        "backoff": 0.5,
        "sleep": waits.append,
    } | kw
    return Fetcher(**kw), waits


@pytest.fixture
def robots(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n"
    )
    return httpserver


def test_user_agent_names_project_and_contact(robots):
    seen = {}

    def handler(request):
        seen["ua"] = request.headers["User-Agent"]
        return Response("<html>ok</html>")

    robots.expect_request("/page.html").respond_with_handler(handler)
    f, _ = fetcher()
    assert f.fetch(robots.url_for("/page.html")).outcome == OK
    assert seen["ua"] == DEFAULT_USER_AGENT and seen["ua"].startswith(
        "gazette-warehouse/0.1 (+https://"
    )


def test_robots_disallow_is_blocked_without_a_request(robots):
    f, _ = fetcher()
    r = f.fetch(robots.url_for("/private/x.html"))
    assert (r.outcome, r.reason) == (BLOCKED, "disallowed by robots.txt")
    assert [req.path for req, _ in robots.log] == ["/robots.txt"]


def test_other_host_is_refused_without_a_request(robots):
    f, _ = fetcher(allowed_hosts=["127.0.0.1"])
    r = f.fetch(f"http://localhost:{robots.port}/page.html")
    assert r.outcome == OFFSITE and "localhost" in r.reason
    assert robots.log == []


def test_429_retry_after_is_honoured_then_succeeds(robots):
    answers = [
        Response("wait", status=429, headers={"Retry-After": "7"}),
        Response("<html>done</html>"),
    ]
    robots.expect_request("/busy").respond_with_handler(lambda request: answers.pop(0))
    f, waits = fetcher()
    r = f.fetch(robots.url_for("/busy"))
    assert (r.outcome, r.status, r.attempts) == (OK, 200, 2) and waits == [7.0]


def test_500_is_retried_with_exponential_backoff_then_fails(robots):
    robots.expect_request("/down").respond_with_data("oops", status=503)
    f, waits = fetcher(retries=3)
    r = f.fetch(robots.url_for("/down"))
    assert r.outcome == FAILED and r.attempts == 4 and r.reason == "HTTP 503 after 4 attempts"
    assert waits == [0.5, 1.0, 2.0]


def test_retry_after_longer_than_cap_gives_up(robots):
    robots.expect_request("/later").respond_with_data(
        "later", status=429, headers={"Retry-After": "3600"}
    )
    f, waits = fetcher(max_wait=60)
    r = f.fetch(robots.url_for("/later"))
    assert r.outcome == FAILED and "3600" in r.reason and waits == [] and r.attempts == 1


def test_read_timeout_is_retried(robots):
    import time

    calls = []

    def slow_once(request):
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.35)
        return Response("<html>late</html>")

    robots.expect_request("/slow").respond_with_handler(slow_once)
    f, _ = fetcher(read_timeout=0.2, retries=3)
    r = f.fetch(robots.url_for("/slow"))
    assert r.outcome == OK and r.attempts >= 2 and r.content == b"<html>late</html>"


def test_waf_412_is_recorded_as_blocked(robots):
    robots.expect_request("/waf").respond_with_data("<script>eval(challenge)</script>", status=412)
    f, waits = fetcher()
    r = f.fetch(robots.url_for("/waf"))
    assert r.outcome == BLOCKED and r.reason == "HTTP 412: WAF JavaScript challenge (not attempted)"
    assert r.attempts == 1 and waits == []


def test_conditional_get_sends_validators_and_304_is_unchanged(robots):
    seen = {}

    def handler(request):
        seen.update(request.headers)
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(
            "<html>body</html>",
            headers={"ETag": '"v1"', "Last-Modified": "Fri, 19 Jun 2020 08:00:00 GMT"},
        )

    robots.expect_request("/doc.html").respond_with_handler(handler)
    validators = MemoryValidators()
    f, _ = fetcher(validators=validators)
    first = f.fetch(robots.url_for("/doc.html"))
    validators.remember(first.to_raw("s", "portal_page"))
    second = f.fetch(robots.url_for("/doc.html"))
    assert second.outcome == UNCHANGED and second.status == 304 and second.content == b""
    assert seen["If-Modified-Since"] == "Fri, 19 Jun 2020 08:00:00 GMT"


def test_rate_limit_waits_between_requests_to_one_host(robots):
    robots.expect_request("/a").respond_with_data("a")
    f, waits = fetcher(min_delay=5.0)
    f.fetch(robots.url_for("/a"))
    f.fetch(robots.url_for("/a"))
    assert len(waits) == 2 and all(4.5 < w <= 5.0 for w in waits)  # after robots.txt, after /a
    assert f.requests_by_host[f"localhost:{robots.port}"] == 3
    assert len(f._sessions) == 1


@pytest.mark.parametrize(
    ("name", "body", "content_type", "encoding"),
    [
        (
            "utf8",
            (SAMPLES / "jiangxi" / "art_4975_1566875.html").read_bytes(),
            "text/html",
            "utf-8",
        ),
        (
            "gbk-meta",
            (SAMPLES / "jiangxi" / "art_4975_1566875.html")
            .read_text(encoding="utf-8")
            .replace("charset=utf-8", "charset=gbk")
            .encode("gbk", "xmlcharrefreplace"),
            "text/html",
            "gb18030",
        ),
        (
            "gbk-bare",
            (SAMPLES / "jiangxi" / "art_4975_1566875.html")
            .read_text(encoding="utf-8")
            .replace("charset=utf-8", "")
            .encode("gbk", "xmlcharrefreplace"),
            "text/html",
            "gb18030",
        ),
        (
            "gb18030-header",
            (SAMPLES / "jiangxi" / "art_4975_1566875.html")
            .read_text(encoding="utf-8")
            .encode("gb18030"),
            "text/html; charset=GB18030",
            "gb18030",
        ),
        (
            "gbk-header-says-utf8",
            (SAMPLES / "jiangxi" / "art_4975_1566875.html")
            .read_text(encoding="utf-8")
            .encode("gbk", "xmlcharrefreplace"),
            "text/html; charset=utf-8",
            "gb18030",
        ),
    ],
)
def test_every_encoding_decodes_without_mojibake(robots, name, body, content_type, encoding):
    robots.expect_request(f"/{name}.html").respond_with_response(
        Response(body, content_type=content_type)
    )
    f, _ = fetcher()
    raw = f.fetch(robots.url_for(f"/{name}.html")).to_raw("jiangxi", "portal_page")
    assert raw.encoding == encoding
    text = raw.content.decode(raw.encoding)
    assert JX_TITLE in text and "\ufffd" not in text


def test_redirects_are_followed_only_to_allowed_hosts(robots):
    robots.expect_request("/old.html").respond_with_data(
        "", status=301, headers={"Location": "/new.html"}
    )
    robots.expect_request("/new.html").respond_with_data("<html>new</html>")
    robots.expect_request("/away.html").respond_with_data(
        "", status=302, headers={"Location": f"http://127.0.0.1:{robots.port}/new.html"}
    )
    f, _ = fetcher(allowed_hosts=["localhost"])
    moved = f.fetch(robots.url_for("/old.html"))
    assert (moved.outcome, moved.url, moved.final_url) == (
        OK,
        robots.url_for("/old.html"),
        robots.url_for("/new.html"),
    )
    assert moved.to_raw("s", "portal_page").hints["final_url"] == robots.url_for("/new.html")
    away = f.fetch(robots.url_for("/away.html"))
    assert away.outcome == OFFSITE and "redirected to http://127.0.0.1" in away.reason
    assert [req.path for req, _ in robots.log].count("/new.html") == 1
