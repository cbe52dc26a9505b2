"""Family modules on real list pages (shared/samples/portal/lists) and the fixture's pages."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from sources.definitions import parse_site
from sources.families import FAMILIES, ListItem
from sources.families._listing import parse_date

LISTS = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "portal" / "lists"
D = dt.date


def site(family: str, **extra):
    return parse_site(
        f"test_{family}",
        {"name": "t", "family": family, "start_urls": ["http://example.gov.cn/"], **extra},
    )


def read(name: str) -> str:
    return (LISTS / name).read_text(encoding="utf-8")


NDRC = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/index.html"
JS = "http://fzggw.jiangsu.gov.cn/col/col284/index.html"
ZJ = "https://fzggw.zj.gov.cn/col/col1229565788/index.html"


def test_trs_ndrc_list_and_pager():
    s = site("trs", selectors={"item": "ul.u-list > li"})
    items = FAMILIES["trs"].parse_list(read("ndrc_trs_list_index.html"), NDRC, s)
    assert len(items) == 9  # the sample keeps 9 of its rows (the rest abridged)
    assert items[0] == ListItem(
        "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/t20260828_1407232.html",
        "关于印发《物流网建设实施方案》的通知(发改经贸〔2026〕1241号)",
        D(2026, 8, 27),
    )
    assert items[-1].date == D(2026, 4, 24)
    # the 相关解读 popup inside a row is not a row of its own
    assert not any("/jd/" in i.url for i in items)
    html = read("ndrc_trs_list_index.html")
    assert (
        FAMILIES["trs"].next_page(NDRC, html, 0, s)
        == "https://www.ndrc.gov.cn/xxgk/zcfb/tz/index_1.html"
    )
    last = html.replace("createPageHTML(20, 0,", "createPageHTML(20, 19,")
    assert FAMILIES["trs"].next_page(NDRC, last, 19, s) is None
    shtml = html.replace('"index", "html"', '"index", "shtml"').replace(
        "createPageHTML(20, 0,", "createPageHTML(20, 4,"
    )
    assert (
        FAMILIES["trs"].next_page("https://x.gov.cn/a/index_4.shtml", shtml, 4, s)
        == "https://x.gov.cn/a/index_5.shtml"
    )
    one_based = html.replace("createPageHTML(20, 0,", "createPageHTML(20, 1,")
    assert (
        FAMILIES["trs"]
        .next_page(NDRC, one_based, 0, site("trs", params={"pager_base": 1}))
        .endswith("/index_1.html")
    )


def test_hanweb_jiangsu_datastore_and_dataproxy():
    s = site("hanweb")
    html = read("jiangsu_hanweb_jpage_list.html")
    items = FAMILIES["hanweb"].parse_list(html, JS, s)
    assert len(items) == 30
    assert items[0] == ListItem(
        "http://fzggw.jiangsu.gov.cn/art/2026/8/28/art_284_11821965.html",
        "江苏省成品油价格调整公告（2026年第16号）",
        D(2026, 8, 28),
    )
    nxt = FAMILIES["hanweb"].next_page(JS, html, 0, s)
    parts = urlsplit(nxt)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path == "/module/web/jpage/dataproxy.jsp"
    assert (
        q["columnid"],
        q["unitid"],
        q["webid"],
        q["startrecord"],
        q["endrecord"],
        q["perpage"],
    ) == ("284", "423656", "3", "31", "60", "10")
    assert q["webname"] == "江苏省发展和改革委员会"
    proxy = (
        "<datastore><recordset>"
        + "".join(
            f"<record><![CDATA[<li><a href='/art/2025/1/{n}/art_284_{n}.html'>t{n}</a><span>2025-01-{n:02d}</span></li>]]></record>"
            for n in range(30, 0, -1)
        )
        + "</recordset></datastore>"
    )
    page2 = FAMILIES["hanweb"].parse_list(proxy, nxt, s)
    assert (
        len(page2) == 30
        and page2[0].url == "http://fzggw.jiangsu.gov.cn/art/2025/1/30/art_284_30.html"
    )
    assert parse_qs(urlsplit(FAMILIES["hanweb"].next_page(nxt, proxy, 1, s)).query)[
        "startrecord"
    ] == ["61"]
    short = proxy.replace("<record>", "<x>", 25)
    assert FAMILIES["hanweb"].next_page(nxt, short, 1, s) is None


def test_jpaas_zhejiang_shell_then_unit_api():
    s = site("jpaas")
    shell = read("zj_jpaas_list_shell.html")
    assert FAMILIES["jpaas"].parse_list(shell, ZJ, s) == []
    api = FAMILIES["jpaas"].next_page(ZJ, shell, 0, s)
    parts = urlsplit(api)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path == "/api-gateway/jpaas-publish-server/front/page/build/unit"
    assert (q["webId"], q["pageId"], q["tagId"], q["pageNo"]) == (
        "3185",
        "1229565788",
        "信息列表",
        "1",
    )
    answer = read("zj_jpaas_unit_api_response.json")
    items = FAMILIES["jpaas"].parse_list(answer, api, s)
    assert len(items) == 15
    assert (
        items[0].title
        == "省发展改革委关于印发《浙江省固定资产投资项目节能审查和碳排放评价实施办法》的通知"
    )
    assert items[0].date == D(2026, 6, 5)
    assert (
        items[6].url == "https://fzggw.zj.gov.cn/art/2025/11/4/art_1229123351_2578716.html"
    )  # //host link
    assert parse_qs(urlsplit(FAMILIES["jpaas"].next_page(api, answer, 1, s)).query)["pageNo"] == [
        "2"
    ]
    last = answer.replace('pageNo=\\"1\\"', 'pageNo=\\"26\\"')  # 26 * 15 >= 388
    assert FAMILIES["jpaas"].next_page(api, last, 25, s) is None


def test_govcn_home_pages_and_bom_json_feed():
    s = site("govcn")
    html = "<ul><li><a href='../content/2020-06/19/content_1.htm'>国务院关于…的通知</a><span>2020-06-19</span></li></ul>"
    url = "https://www.gov.cn/zhengce/zuixin/home.htm"
    assert FAMILIES["govcn"].parse_list(html, url, s) == [
        ListItem(
            "https://www.gov.cn/zhengce/content/2020-06/19/content_1.htm",
            "国务院关于…的通知",
            D(2020, 6, 19),
        )
    ]
    assert (
        FAMILIES["govcn"].next_page(url, html, 0, s)
        == "https://www.gov.cn/zhengce/zuixin/home_1.htm"
    )
    assert (
        FAMILIES["govcn"]
        .next_page("https://www.gov.cn/zhengce/zuixin/home_1.htm", html, 1, s)
        .endswith("home_2.htm")
    )
    assert FAMILIES["govcn"].next_page(url, "<ul></ul>", 0, s) is None
    feed = "\ufeff" + json.dumps(
        {
            "data": [
                {"title": "2020年第17号", "url": "/gongbao/2020/issue_1/", "date": "2020-06-20"}
            ]
        },
        ensure_ascii=False,
    )
    got = FAMILIES["govcn"].parse_list(feed, "https://www.gov.cn/gongbao/gbgl.json", s)
    assert got == [
        ListItem("https://www.gov.cn/gongbao/2020/issue_1/", "2020年第17号", D(2020, 6, 20))
    ]
    assert FAMILIES["govcn"].next_page("https://www.gov.cn/gongbao/gbgl.json", feed, 0, s) is None


def test_gkmlpt_json_with_epoch_dates_and_paging():
    s = site("gkmlpt")
    url = "http://www.gd.gov.cn/gkmlpt/api/all/5?page=1&sid=2"
    body = json.dumps(
        {
            "total": 3,
            "articles": [
                {
                    "id": 1,
                    "title": "广东省人民政府关于…的通知",
                    "url": "http://www.gd.gov.cn/gkmlpt/content/3/3001/post_1.html",
                    "date": 1592539200,
                    "document_number": "粤府〔2020〕40号",
                },
                {
                    "id": 2,
                    "title": "b",
                    "url": "http://www.gd.gov.cn/gkmlpt/content/3/3001/post_2.html",
                    "date": 1592452800,
                },
            ],
        }
    )
    items = FAMILIES["gkmlpt"].parse_list(body, url, s)
    assert [i.date for i in items] == [D(2020, 6, 19), D(2020, 6, 18)]
    assert (
        FAMILIES["gkmlpt"].next_page(url, body, 0, s)
        == "http://www.gd.gov.cn/gkmlpt/api/all/5?page=2&sid=2"
    )
    assert (
        FAMILIES["gkmlpt"].next_page(url.replace("page=1", "page=2"), body, 1, s) is None
    )  # 2 * 2 >= 3


def test_archive_rows_are_issue_pdfs_dated_or_not():
    s = site("archive", kind="gazette_pdf", gazette="攀枝花市人民政府公报")
    html = (
        "<ul><li><a href='/nav.html'>导航</a></li>"
        "<li><a href='2018/gb_12.PDF'>2018年第12期</a><span>2018-12-31</span></li>"
        "<li><a href='2018/gb_11.pdf'>2018年第11期</a></li></ul><a href='index_1.html'>下一页</a>"
    )
    url = "http://www.panzhihua.gov.cn/zwgk/zfgb/index.html"
    items = FAMILIES["archive"].parse_list(html, url, s)
    assert items == [
        ListItem(
            "http://www.panzhihua.gov.cn/zwgk/zfgb/2018/gb_12.PDF", "2018年第12期", D(2018, 12, 31)
        ),
        ListItem("http://www.panzhihua.gov.cn/zwgk/zfgb/2018/gb_11.pdf", "2018年第11期", None),
    ]
    assert (
        FAMILIES["archive"].next_page(url, html, 0, s)
        == "http://www.panzhihua.gov.cn/zwgk/zfgb/index_1.html"
    )
    assert s.kind == "gazette_pdf"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026/08/27", D(2026, 8, 27)),
        ("2020年6月19日", D(2020, 6, 19)),
        ("[2020.03.05]", D(2020, 3, 5)),
        (1592539200, D(2020, 6, 19)),
        (1592539200000, D(2020, 6, 19)),
        ("发改经贸〔2026〕1241号", None),
    ],
)
def test_list_dates(text, expected):
    assert parse_date(text) == expected


TESTED = {
    "trs": test_trs_ndrc_list_and_pager,
    "hanweb": test_hanweb_jiangsu_datastore_and_dataproxy,
    "jpaas": test_jpaas_zhejiang_shell_then_unit_api,
    "govcn": test_govcn_home_pages_and_bom_json_feed,
    "gkmlpt": test_gkmlpt_json_with_epoch_dates_and_paging,
    "archive": test_archive_rows_are_issue_pdfs_dated_or_not,
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_family_module_has_a_test_and_a_fixture_site(family):
    from fixture_site import build_fixture_site  # noqa: F401  (fixture sites are named fixture_<family>)

    module = FAMILIES[family]
    assert family in TESTED, f"family {family} has no list-page test"
    assert callable(module.parse_list) and callable(module.next_page)
    assert module.DEFAULT_KIND in ("portal_page", "gazette_pdf")
    src = (Path(__file__).parent / "fixture_site.py").read_text(encoding="utf-8")
    assert f'"fixture_{family}": _site_toml(' in src, f"family {family} has no fixture site"
