"""A fixture web site built from the real samples and seeds, served by pytest-httpserver.

``build_fixture_site(httpserver)`` serves, on 127.0.0.1, one small site per portal family
(TRS ``index_N``, Hanweb datastore + data proxy, JPaaS shell + JSON unit API, www.gov.cn
``home_N``, gkmlpt JSON, a gazette archive of issue PDFs), detail pages in UTF-8 and GBK (one
GBK page declares no charset at all), robots.txt, ETag/304 support and faults (404, 500 then
success, 429 with Retry-After then success, a read that times out once, a WAF 412, a page
truncated mid-tag, a link to another host). It counts every request the server sees, so tests
and flow tests can say how many requests a crawl made. The demo (``scripts/demo.py``) serves it
too, for the nightly flow to crawl.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import io
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from sources.definitions import SiteDefinition, parse_site_toml

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SAMPLES = SHARED / "samples" / "portal"
SEEDS = SHARED / "seeds"
READ_DELAY = 0.35  # the slow page answers after this many seconds, once (tests time out at 0.2)
RETRY_AFTER = "2"


@dataclass(frozen=True)
class FixtureDetail:
    """A detail page (or issue PDF) the fixture lists: where, when, and what a fetch meets."""

    site_id: str
    url: str
    date: dt.date
    title: str
    encoding: str | None  # what the bytes are in (None for PDF)
    fault: str | None = (
        None  # None, '404', '500', '429', 'timeout', 'waf', 'truncated', 'robots', 'offsite'
    )
    content: bytes = b""


@dataclass
class FixtureSite:
    """The served fixture: site definitions pointing at it, what it lists, what it was asked."""

    server: HTTPServer
    site_tomls: dict[str, str]
    sites: dict[str, SiteDefinition]
    details: list[FixtureDetail]
    requests: list[str] = field(default_factory=list)  # "METHOD path?query" in arrival order

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    @property
    def site(self) -> SiteDefinition:
        """The TRS site, the one with every fault on it."""
        return self.sites["fixture_trs"]

    @property
    def site_toml(self) -> str:
        return self.site_tomls["fixture_trs"]

    def request_count(self, path_prefix: str = "") -> int:
        return sum(1 for r in self.requests if r.split(" ", 1)[1].startswith(path_prefix))

    def reset_counts(self) -> None:
        self.requests.clear()

    def details_of(self, site_id: str) -> list[FixtureDetail]:
        return [d for d in self.details if d.site_id == site_id]


# -- page makers ------------------------------------------------------------------------------
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _gbk(html: str, declare: bool) -> bytes:
    """A sample page re-encoded in GBK, its charset declaration edited to gbk or removed."""
    if declare:
        html = re.sub(r"charset=utf-8", "charset=gbk", html, flags=re.I)
    else:
        html = re.sub(r"<meta[^>]*charset[^>]*>", "", html, flags=re.I)
    return html.encode("gbk", errors="xmlcharrefreplace")


def _seed_page(text: str) -> bytes:
    """A seed saved as text, wrapped as a UTF-8 portal page."""
    title = re.search(r"^标\s*题\s*[:：](.+)$", text, re.M).group(1).strip()
    body = "".join(f"<p>{line}</p>\n" for line in text.splitlines() if line.strip())
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="ArticleTitle" '
        f'content="{title}"><title>{title}</title></head><body>{body}</body></html>'
    ).encode()


def _cut_mid_tag(page: bytes) -> bytes:
    """The page cut off inside a tag past its first half, as a dropped connection leaves it."""
    return page[: page.index(b"<div", len(page) // 2) + 4]


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF holding ``lines`` (ASCII; the crawler stores PDF bytes, never reads them)."""
    doc = pdfium.PdfDocument.new()
    page = doc.new_page(595, 842)
    for n, line in enumerate(lines):
        obj = pdfium_raw.FPDFPageObj_NewTextObj(doc, b"Helvetica", ctypes.c_float(12))
        buf = (line + "\0").encode("utf-16-le")
        pdfium_raw.FPDFText_SetText(
            obj, ctypes.cast(ctypes.c_char_p(buf), ctypes.POINTER(pdfium_raw.FPDF_WCHAR))
        )
        pdfium_raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 50, 780 - 20 * n)
        pdfium_raw.FPDFPage_InsertObject(page, obj)
    pdfium_raw.FPDFPage_GenerateContent(page)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _li(href: str, title: str, date: dt.date, fmt: str = "%Y-%m-%d") -> str:
    return f'<li><a href="{href}" target="_blank" title="{title}">{title}</a><span>{date.strftime(fmt)}</span></li>'


def _trs_list(rows: list[str], page: int, pages: int) -> str:
    """The NDRC TRS list sample with its rows and pager replaced."""
    html = _read(SAMPLES / "lists" / "ndrc_trs_list_index.html")
    html = re.sub(
        r'(<ul class="u-list">).*?(</ul>\s*<p class="clr">)',
        lambda m: m.group(1) + "\n".join(rows) + '\n</ul>\n<p class="clr">',
        html,
        count=1,
        flags=re.S,
    )
    return re.sub(r"createPageHTML\(\d+, \d+,", f"createPageHTML({pages}, {page},", html)


def _hanweb_column(records: list[str], total: int, per_page: int) -> str:
    """The Jiangsu Hanweb column sample with its datastore records and jpage numbers replaced."""
    html = _read(SAMPLES / "lists" / "jiangsu_hanweb_jpage_list.html")
    recs = "".join(f"<record><![CDATA[{r}]]></record>\n" for r in records)
    html = re.sub(r"(<record><!\[CDATA\[.*?\]\]></record>\s*)+", recs, html, count=1, flags=re.S)
    html = html.replace("totalRecord:138", f"totalRecord:{total}").replace(
        "perPage:10", f"perPage:{per_page}"
    )
    return html.replace("<!-- [abridged", "<!-- [was abridged")


def _hanweb_proxy(records: list[str], total: int) -> str:
    recs = "".join(f"<record><![CDATA[{r}]]></record>\n" for r in records)
    return (
        f"<datastore><totalrecord>{total}</totalrecord><recordset>\n{recs}</recordset></datastore>"
    )


def _jpaas_unit(rows: list[str], page: int, rows_per_page: int, count: int) -> str:
    """The Zhejiang JPaaS unit API sample with its list rows and pager attributes replaced."""
    data = json.loads(_read(SAMPLES / "lists" / "zj_jpaas_unit_api_response.json"))
    html = data["data"]["html"]
    html = re.sub(
        r'(<div class="page-content">).*?(</div>)',
        lambda m: m.group(1) + "\n".join(rows) + m.group(2),
        html,
        count=1,
        flags=re.S,
    )
    html = re.sub(r'rows="\d+"', f'rows="{rows_per_page}"', html)
    html = re.sub(r'count="\d+"', f'count="{count}"', html)
    html = re.sub(r'pageNo="\d+"', f'pageNo="{page}"', html)
    data["data"]["html"] = html
    return json.dumps(data, ensure_ascii=False)


# -- the server ------------------------------------------------------------------------------
class _Routes:
    """Path -> response, with ETag/304, per-path hit counts and one-shot faults."""

    def __init__(self, fixture: FixtureSite) -> None:
        self.fixture = fixture
        self.static: dict[str, tuple[bytes, str]] = {}
        self.faults: dict[str, str] = {}
        self.dynamic: dict[str, Any] = {}
        self.hits: Counter[str] = Counter()

    def add(
        self,
        path: str,
        body: bytes | str,
        content_type: str = "text/html",
        fault: str | None = None,
    ) -> None:
        self.static[path] = (body.encode() if isinstance(body, str) else body, content_type)
        if fault:
            self.faults[path] = fault

    def __call__(self, request: Request) -> Response:
        query = request.query_string.decode()
        self.fixture.requests.append(
            f"{request.method} {request.path}{'?' + query if query else ''}"
        )
        path = request.path
        self.hits[path] += 1
        if path in self.dynamic:
            return self.dynamic[path](request)
        fault = self.faults.get(path)
        first = self.hits[path] == 1
        if fault == "500" and first:
            return Response("server busy", status=500)
        if fault == "429" and first:
            return Response("too many requests", status=429, headers={"Retry-After": RETRY_AFTER})
        if fault == "timeout" and first:
            time.sleep(READ_DELAY)
        if fault == "waf":
            return Response(
                "<html><script>var _0x=1;document.cookie='x';location.reload()</script></html>",
                status=412,
                content_type="text/html",
            )
        if path not in self.static:
            return Response("not found", status=404)
        body, content_type = self.static[path]
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        # No charset in the header: pages must be decoded from their bytes and meta tags.
        return Response(body, status=200, content_type=content_type, headers={"ETag": etag})


def _site_toml(name: str, family: str, start: str, extra: str = "") -> str:
    return (
        f'name = "{name}"\nfamily = "{family}"\nstart_urls = ["{start}"]\n'
        f"rate_limit_seconds = 0\nverified = true  # a fixture, served by the test itself\n{extra}"
    )


def build_fixture_site(httpserver: HTTPServer) -> FixtureSite:
    """Serve the fixture on ``httpserver`` and return its definitions and expectations."""
    fixture = FixtureSite(httpserver, {}, {}, [])
    routes = _Routes(fixture)
    base = f"http://127.0.0.1:{httpserver.port}"
    D = dt.date
    jx = SAMPLES / "jiangxi"
    gv = SAMPLES / "govcn"
    routes.add("/robots.txt", "User-agent: *\nDisallow: /trs/private/\n", "text/plain")

    # TRS: three list pages, every fault on them.
    trs_items = [
        (
            "/trs/202006/t20200619_1.html",
            "凉山州人民政府办公室关于印发2020年州政府工作报告重点任务分工方案的通知",
            D(2020, 6, 19),
            "utf-8",
            None,
            _seed_page((SEEDS / "liangshan_web_2020-06-19.txt").read_text(encoding="utf-8")),
        ),
        (
            "/trs/202003/t20200320_2.html",
            "2020年全省粮食和物资储备改革发展工作要点",
            D(2020, 3, 20),
            "gbk",
            None,
            _gbk(_read(jx / "art_5358_1580134.html"), declare=True),
        ),
        (
            "/trs/202003/t20200310_3.html",
            "江西省人民政府关于修改《江西省流动人口服务和管理办法》的决定",
            D(2020, 3, 10),
            "gbk",
            None,
            _gbk(_read(jx / "art_4975_1566875.html"), declare=False),
        ),
        (
            "/trs/202002/t20200226_4.html",
            "江西省人民政府办公厅关于促进3岁以下婴幼儿照护服务发展的实施意见",
            D(2020, 2, 26),
            "utf-8",
            None,
            (jx / "art_4975_1510362.raw.html").read_bytes(),
        ),
        (
            f"http://localhost:{httpserver.port}/offsite/t20200225_5.html",
            "另一个网站的文件",
            D(2020, 2, 25),
            None,
            "offsite",
            b"",
        ),
        ("/trs/202002/t20200220_6.html", "已删除的文件", D(2020, 2, 20), None, "404", b""),
        (
            "/trs/202002/t20200215_7.html",
            "服务器繁忙后成功的文件",
            D(2020, 2, 15),
            "utf-8",
            "500",
            (jx / "art_4969_1497540.html").read_bytes(),
        ),
        (
            "/trs/202002/t20200210_8.html",
            "限流后成功的文件",
            D(2020, 2, 10),
            "utf-8",
            "429",
            (jx / "art_5400_1505309.html").read_bytes(),
        ),
        (
            "/trs/202002/t20200205_9.html",
            "读超时后成功的文件",
            D(2020, 2, 5),
            "utf-8",
            "timeout",
            (jx / "art_18830_1514486.html").read_bytes(),
        ),
        ("/trs/202002/t20200203_10.html", "防火墙拦截的文件", D(2020, 2, 3), None, "waf", b""),
        (
            "/trs/202002/t20200201_11.html",
            "截断的页面",
            D(2020, 2, 1),
            "utf-8",
            "truncated",
            _cut_mid_tag((jx / "art_4975_1503934.html").read_bytes()),
        ),
        (
            "/trs/private/t20200120_12.html",
            "robots.txt 禁止的文件",
            D(2020, 1, 20),
            None,
            "robots",
            b"<html></html>",
        ),
    ]
    pages = [trs_items[0:3], trs_items[3:6], trs_items[6:]]
    for n, chunk in enumerate(pages):
        rows = [
            _li(u if u.startswith("http") else "." + u[len("/trs") :], t, d, "%Y/%m/%d")
            for u, t, d, *_ in chunk
        ]
        routes.add(
            "/trs/index.html" if n == 0 else f"/trs/index_{n}.html", _trs_list(rows, n, len(pages))
        )
    for path, title, date, enc, fault, body in trs_items:
        url = path if path.startswith("http") else base + path
        if fault not in ("offsite", "404") and not path.startswith("http"):
            routes.add(path, body, fault=fault)
        elif fault == "404":
            pass
        fixture.details.append(FixtureDetail("fixture_trs", url, date, title, enc, fault, body))

    # Hanweb classic: 7 records, 3 per window (1 per page x group of 3): column page + 2 proxy answers.
    hw = [
        (
            "/art/2020/2/26/art_100_1.html",
            "婴幼儿照护服务发展的实施意见",
            D(2020, 2, 26),
            (jx / "art_4975_1510362.html").read_bytes(),
        ),
        (
            "/art/2020/2/20/art_100_2.html",
            "解读",
            D(2020, 2, 20),
            (jx / "art_14236_1508410.raw.html").read_bytes(),
        ),
        (
            "/art/2020/2/18/art_100_3.html",
            "实施意见（责任单位）",
            D(2020, 2, 18),
            (jx / "art_4975_1503934.html").read_bytes(),
        ),
        (
            "/art/2020/2/14/art_100_4.html",
            "按职责分工负责",
            D(2020, 2, 14),
            (jx / "art_4975_1533696.html").read_bytes(),
        ),
        (
            "/art/2020/2/10/art_100_5.html",
            "文号无",
            D(2020, 2, 10),
            (jx / "art_18830_1514486.html").read_bytes(),
        ),
        (
            "/art/2020/2/6/art_100_6.html",
            "其他系列",
            D(2020, 2, 6),
            (jx / "art_5400_1505309.html").read_bytes(),
        ),
        (
            "/art/2020/2/2/art_100_7.html",
            "其他发文机关",
            D(2020, 2, 2),
            (jx / "art_4969_1497540.html").read_bytes(),
        ),
    ]
    hw_rows = [
        f'<li class="clearfix bt-list-new"><a title="{t}" target="_blank" href="{u}">{t}</a><span class="bt-list-time">{d}</span></li>'
        for u, t, d, _ in hw
    ]
    routes.add("/col/col100/index.html", _hanweb_column(hw_rows[:3], total=len(hw), per_page=1))

    def dataproxy(request: Request) -> Response:
        start, end = int(request.args["startrecord"]), int(request.args["endrecord"])
        return Response(_hanweb_proxy(hw_rows[start - 1 : end], len(hw)), content_type="text/xml")

    routes.dynamic["/module/web/jpage/dataproxy.jsp"] = dataproxy
    for u, t, d, body in hw:
        routes.add(u, body)
        fixture.details.append(FixtureDetail("fixture_hanweb", base + u, d, t, "utf-8", None, body))

    # JPaaS: shell page, unit API with 5 rows, 3 per page.
    jp = [
        ("/col/col200/art/2020/art_" + f"{n:032x}" + ".html", t, d, body)
        for n, (t, d, body) in enumerate(
            [
                (
                    "国务院关于印发…的通知",
                    D(2019, 2, 15),
                    (gv / "row01_guofa_2019_5.html").read_bytes(),
                ),
                (
                    "国务院关于…的意见",
                    D(2019, 1, 24),
                    (gv / "row05_guofa_2019_3.html").read_bytes(),
                ),
                (
                    "国务院办公厅 中央军委办公厅",
                    D(2018, 12, 20),
                    (gv / "row19_guobanfa_1996_25.html").read_bytes(),
                ),
                ("国令第707号", D(2018, 11, 30), (gv / "row33_guoling707.html").read_bytes()),
                (
                    "国办发明电〔2018〕15号",
                    D(2018, 10, 8),
                    (gv / "row38_guobanfamingdian_2018_15.html").read_bytes(),
                ),
            ],
            start=1,
        )
    ]
    jp_rows = [
        f'<li class="clearfix"><a class="bt-left" title="{t}" href="{u}" target="_blank">{t}</a><span class="bt-right">{d}</span></li>'
        for u, t, d, _ in jp
    ]
    shell = _read(SAMPLES / "lists" / "zj_jpaas_list_shell.html").replace(
        "https://fgdnyd.fzggw.zj.gov.cn/trace.bundle.js", "/trace.bundle.js"
    )
    routes.add("/col/col200/index.html", shell)

    def unit_api(request: Request) -> Response:
        page = int(request.args.get("pageNo", 1))
        rows = jp_rows[(page - 1) * 3 : page * 3]
        return Response(_jpaas_unit(rows, page, 3, len(jp)), content_type="application/json")

    routes.dynamic["/api-gateway/jpaas-publish-server/front/page/build/unit"] = unit_api
    for u, t, d, body in jp:
        routes.add(u, body)
        fixture.details.append(FixtureDetail("fixture_jpaas", base + u, d, t, "utf-8", None, body))

    # www.gov.cn: home.htm, home_1.htm, then 404 (the end of the list).
    gc = [
        (
            "/zhengce/content/2018-12/29/content_1.htm",
            "国务院办公厅关于…组成人员的通知",
            D(2018, 12, 29),
            (gv / "row54_guobanfa_2018_109.html").read_bytes(),
        ),
        (
            "/zhengce/content/2018-11/30/content_2.htm",
            "国务院令第707号",
            D(2018, 11, 30),
            (gv / "row33_guoling707.html").read_bytes(),
        ),
    ]
    routes.add(
        "/zhengce/zuixin/home.htm",
        "<html><body><ul>" + _li(gc[0][0], gc[0][1], gc[0][2]) + "</ul></body></html>",
    )
    routes.add(
        "/zhengce/zuixin/home_1.htm",
        "<html><body><ul>" + _li(gc[1][0], gc[1][1], gc[1][2]) + "</ul></body></html>",
    )
    for u, t, d, body in gc:
        routes.add(u, body)
        fixture.details.append(FixtureDetail("fixture_govcn", base + u, d, t, "utf-8", None, body))

    # gkmlpt: one JSON page (with a BOM), epoch dates, total 2.
    gk = [
        (
            "/gkmlpt/content/0/2019/post_1.html",
            "国务院关于…的意见",
            D(2019, 1, 24),
            (gv / "row05_guofa_2019_3.html").read_bytes(),
        ),
        (
            "/gkmlpt/content/0/2018/post_2.html",
            "国办发明电",
            D(2018, 10, 8),
            (gv / "row38_guobanfamingdian_2018_15.html").read_bytes(),
        ),
    ]
    noon = dt.time(12, 0)
    articles = [
        {
            "id": n,
            "title": t,
            "url": base + u,
            "date": int(dt.datetime.combine(d, noon, dt.UTC).timestamp()),
            "document_number": "",
            "publisher": "国务院",
        }
        for n, (u, t, d, _) in enumerate(gk, 1)
    ]
    routes.add(
        "/gkmlpt/api/all/5",
        "\ufeff" + json.dumps({"articles": articles, "total": len(gk)}, ensure_ascii=False),
        "application/json",
    )
    for u, t, d, body in gk:
        routes.add(u, body)
        fixture.details.append(FixtureDetail("fixture_gkmlpt", base + u, d, t, "utf-8", None, body))

    # Gazette archive: issue 12 is the whole Panzhihua seed as a PDF (CJK text layer); the
    # older issues are cover-only PDFs (nothing to split: they end in quarantine if parsed).
    from pdfmaker import pdf_from_text

    seed_text = (SEEDS / "panzhihua_gazette_2018-12.txt").read_text(encoding="utf-8")
    seed = seed_text.splitlines()
    issues = [
        ("/gb/2018/gb_12.pdf", "2018年第12期", D(2018, 12, 31)),
        ("/gb/2018/gb_11.pdf", "2018年第11期", D(2018, 11, 30)),
        ("/gb/2018/gb_10.pdf", "2018年第10期", D(2018, 10, 31)),
    ]
    rows = [_li(u, t, d) for u, t, d in issues]
    routes.add("/gb/index.html", "<html><body><ul>" + "".join(rows) + "</ul></body></html>")
    for u, t, d in issues:
        if t == "2018年第12期":
            pdf = pdf_from_text(seed_text)
        else:
            pdf = make_pdf(
                [seed[1], f"{t} {d.isoformat()}"]
            )  # 'PANZHIHUASHI RENMINZHENGFU GONGBAO'
        routes.add(u, pdf, "application/pdf")
        fixture.details.append(FixtureDetail("fixture_archive", base + u, d, t, None, None, pdf))

    fixture.site_tomls = {
        "fixture_trs": _site_toml(
            "TRS 测试站",
            "trs",
            f"{base}/trs/index.html",
            'rules = "liangshan"\n[selectors]\nitem = "ul.u-list > li"\n',
        ),
        "fixture_hanweb": _site_toml("Hanweb 测试站", "hanweb", f"{base}/col/col100/index.html"),
        "fixture_jpaas": _site_toml("JPaaS 测试站", "jpaas", f"{base}/col/col200/index.html"),
        "fixture_govcn": _site_toml(
            "中国政府网 测试站", "govcn", f"{base}/zhengce/zuixin/home.htm"
        ),
        "fixture_gkmlpt": _site_toml(
            "gkmlpt 测试站", "gkmlpt", f"{base}/gkmlpt/api/all/5?page=1&sid=2"
        ),
        "fixture_archive": _site_toml(
            "公报 测试站", "archive", f"{base}/gb/index.html", 'gazette = "攀枝花市人民政府公报"\n'
        ),
    }
    fixture.sites = {k: parse_site_toml(k, v) for k, v in fixture.site_tomls.items()}
    httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(routes)
    return fixture
