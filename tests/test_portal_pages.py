"""Portal detail pages (real HTML in ../shared/samples/portal) -> exactly one document each.

Expected values were read by hand from each page's metadata block (索引号 / 发文机关 / 文号 /
成文日期 …) and its body; abbreviated issuers are expected in full where the page makes the full
name knowable (SiteName 江西省人民政府, the title's issuer prefix).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from transforms.model import DOCUMENT_SCHEMA, METADATA_SCHEMA, ParseError
from transforms.portal import parse_portal_html

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "portal"
D = dt.date

# file -> (title, doc_number, signed_date, issuers, published_date, genre)
PAGES = {
    "govcn/row01_guofa_2019_5.html": (
        "国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见",
        "国发〔2019〕5号", D(2019, 1, 27), ["国务院"], D(2019, 2, 15), "意见",
    ),
    "govcn/row05_guofa_2019_3.html": (
        "国务院关于促进综合保税区高水平开放高质量发展的若干意见",
        "国发〔2019〕3号", D(2019, 1, 12), ["国务院"], D(2019, 1, 25), "意见",
    ),
    "govcn/row19_guobanfa_1996_25.html": (
        "国务院办公厅、中央军委办公厅关于加强对侵华日军遗弃化学武器调查和管理工作的通知",
        "国办发〔1996〕25号", D(1996, 6, 29), ["国务院办公厅", "中央军委办公厅"], D(2018, 12, 24), "通知",
    ),
    "govcn/row33_guoling707.html": (
        "中华人民共和国个人所得税法实施条例",
        "国令第707号", D(2018, 12, 18), ["国务院"], D(2018, 12, 22), "其他",
    ),
    "govcn/row38_guobanfamingdian_2018_15.html": (
        "国务院办公厅关于2019年部分节假日安排的通知",
        "国办发明电〔2018〕15号", D(2018, 12, 4), ["国务院办公厅"], D(2018, 12, 6), "通知",
    ),
    "govcn/row54_guobanfa_2018_109.html": (
        "国务院办公厅关于调整国家教材委员会组成人员的通知",
        "国办发〔2018〕109号", D(2018, 11, 20), ["国务院办公厅"], D(2018, 11, 28), "通知",
    ),
    "jiangxi/art_18830_1514486.html": (
        "江西省市场监督管理局食品安全监督抽检信息通告（2020年第10期）",
        None, D(2020, 2, 26), ["江西省市场监督管理局"], D(2020, 2, 26), "其他",
    ),
    "jiangxi/art_4969_1497540.html": (
        "江西省人民政府办公厅印发关于金融支持防控疫情稳定经济增长若干措施的通知",
        "赣府厅字〔2020〕14号", D(2020, 2, 9), ["江西省人民政府办公厅"], D(2020, 2, 9), "通知",
    ),
    "jiangxi/art_4975_1503934.html": (
        "江西省人民政府办公厅关于新时代推进普通高中育人方式改革的实施意见",
        "赣府厅发〔2020〕4号", D(2020, 2, 5), ["江西省人民政府办公厅"], D(2020, 2, 13), "意见",
    ),
    "jiangxi/art_4975_1510362.html": (
        "江西省人民政府办公厅关于促进3岁以下婴幼儿照护服务发展的实施意见",
        "赣府厅发〔2020〕6号", D(2020, 2, 21), ["江西省人民政府办公厅"], D(2020, 2, 26), "意见",
    ),
    "jiangxi/art_4975_1510362.raw.html": (
        "江西省人民政府办公厅关于促进3岁以下婴幼儿照护服务发展的实施意见",
        "赣府厅发〔2020〕6号", D(2020, 2, 21), ["江西省人民政府办公厅"], D(2020, 2, 26), "意见",
    ),
    "jiangxi/art_4975_1533696.html": (
        "江西省人民政府办公厅关于加快发展流通促进商业消费的实施意见",
        "赣府厅发〔2020〕7号", D(2020, 2, 28), ["江西省人民政府办公厅"], D(2020, 3, 6), "意见",
    ),
    "jiangxi/art_4975_1566875.html": (
        "江西省人民政府关于修改《江西省流动人口服务和管理办法》的决定",
        "省政府令第223号", D(2020, 3, 13), ["江西省人民政府"], D(2020, 3, 10), "决定",
    ),
    "jiangxi/art_5358_1580134.html": (
        "2020年全省粮食和物资储备改革发展工作要点",
        "赣粮办发〔2020〕3号", D(2020, 3, 13), ["江西省粮食和物资储备局"], D(2020, 3, 13), "其他",
    ),
    "jiangxi/art_5400_1505309.html": (
        # The page's own title starts at 关于; the issuer prefix comes from 发文机关.
        "江西省市场监督管理局关于疫情防控期间进一步加强食品经营监管工作的通知",
        "赣市监新冠〔2020〕21号", D(2020, 2, 13), ["江西省市场监督管理局"], D(2020, 2, 14), "通知",
    ),
}  # fmt: skip


def parse(name: str, **kw):
    return parse_portal_html((SAMPLES / name).read_text(encoding="utf-8"), **kw)


def doc(name: str, **kw) -> dict:
    p = parse(name, **kw)
    assert p.kind == "portal_page"
    assert p.documents.height == 1
    return p.documents.row(0, named=True)


def meta(name: str, **kw) -> dict[str, str]:
    p = parse(name, **kw)
    return dict(zip(p.metadata["key"], p.metadata["value"], strict=True))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_gives_its_own_metadata(name: str) -> None:
    title, number, signed, issuers, published, genre = PAGES[name]
    d = doc(name)
    assert d["seq"] == 0
    assert d["title"] == title
    assert d["doc_number"] == number
    assert d["signed_date"] == signed
    assert d["issuers"] == issuers
    assert d["published_date"] == published
    assert d["genre"] == genre
    assert d["section"] is None
    assert d["body"] and "\n" in d["body"]


def test_frames_carry_the_contract_schemas() -> None:
    p = parse("govcn/row01_guofa_2019_5.html")
    assert dict(p.documents.schema) == DOCUMENT_SCHEMA
    assert dict(p.metadata.schema) == METADATA_SCHEMA
    assert p.metadata["seq"].unique().to_list() == [0]


def test_joint_issuers_row19() -> None:
    d = doc("govcn/row19_guobanfa_1996_25.html")
    assert d["issuers"] == ["国务院办公厅", "中央军委办公厅"]
    assert (d["series"], d["doc_year"], d["serial"]) == ("国办发", 1996, 25)
    lines = d["body"].splitlines()
    # The header keeps its line structure; the signature block ends the body.
    assert lines[:4] == [
        "国务院办公厅、中央军委办公厅",
        "关于加强对侵华日军遗弃化学武器",
        "调查和管理工作的通知",
        "国办发〔1996〕25号",
    ]
    assert lines[-1] == "一九九六年六月二十九日"


def test_order_number_row33() -> None:
    d = doc("govcn/row33_guoling707.html")
    assert (d["doc_number"], d["series"], d["doc_year"], d["serial"]) == (
        "国令第707号",
        "国令",
        None,
        707,
    )
    assert d["genre"] == "其他"  # 实施条例: a 令 publishing a regulation


def test_mingdian_series_row38() -> None:
    d = doc("govcn/row38_guobanfamingdian_2018_15.html")
    assert (d["series"], d["doc_year"], d["serial"]) == ("国办发明电", 2018, 15)


def test_no_number_page_stated_as_wu() -> None:
    d = doc("jiangxi/art_18830_1514486.html")
    assert d["doc_number"] is None and d["series"] is None
    assert meta("jiangxi/art_18830_1514486.html")["文号"] == "无"  # as printed


def test_interpretation_page() -> None:
    name = "jiangxi/art_14236_1508410.html"
    d = doc(name)
    assert d["title"] == "解读《江西省2020年国民经济和社会发展计划》"
    assert d["doc_number"] is None
    assert d["genre"] == "其他"
    assert d["published_date"] == D(2020, 2, 20)
    assert d["signed_date"] is None
    m = meta(name)
    assert m["page_kind"] == "解读"
    assert m["interprets"] == "江西省人民政府关于下达江西省2020年国民经济和社会发展计划的通知"
    assert (
        m["发布日期"] == "2020-02-20 11:42"
    )  # the time bar's 浏览次数/字体 chrome is not part of it
    assert doc("jiangxi/art_14236_1508410.raw.html")["title"] == d["title"]


def test_metadata_rows_keep_every_stated_field() -> None:
    m = meta(
        "jiangxi/art_4975_1510362.html",
        url="http://www.jiangxi.gov.cn/art/2020/2/26/art_4975_1510362.html",
    )
    assert m["索引号"] == "014500815/2020-02346"
    assert m["发文机关"] == "省政府办公厅"  # the label as printed keeps the abbreviation
    assert m["文号"] == "赣府厅发〔2020〕6号"
    assert m["主题分类"] == "卫健、体育"
    assert m["组配分类"] == "政策文件"
    assert m["成文日期"] == "2020-02-21"
    assert m["meta:SiteName"] == "江西省人民政府"
    assert m["meta:ColumnName"] == "政策文件"
    assert m["meta:PubDate"] == "2020-02-26 10:44"
    assert (
        m["meta:ArticleTitle"] == "江西省人民政府办公厅关于促进3岁以下婴幼儿照护服务发展的实施意见"
    )
    assert m["相关解读"] == "解读《关于促进3岁以下婴幼儿照护服务发展的实施意见》"
    assert m["url"].endswith("art_4975_1510362.html")
    g = meta("govcn/row54_guobanfa_2018_109.html")
    assert (g["索引号"], g["主题分类"], g["标题"]) == (
        "000014349/2018-00210",
        "国务院组织机构\\其他",
        "国务院办公厅关于调整国家教材委员会组成人员的通知",
    )
    assert g["发布日期"] == "2018年11月28日"


def test_body_has_no_page_chrome() -> None:
    for name in PAGES:
        body = doc(name)["body"]
        for chrome in (
            "扫一扫",
            "相关解读",
            "来源：",
            "浏览次数",
            "function",
            "document.",
            "打印本页",
        ):
            assert chrome not in body, (name, chrome)
    inline = doc("jiangxi/art_18830_1514486.html")["body"].splitlines()
    # Inline <span>s join into one paragraph per line.
    assert (
        inline[0]
        == "近期，江西省市场监督管理局组织食品安全监督抽检肉制品、粮食加工品2大类食品共314批次样品。现将具体情况通告如下："
    )
    assert inline[-2:] == ["江西省市场监督管理局", "2020年2月26日"]


def test_site_name_argument_expands_abbreviations() -> None:
    html = (SAMPLES / "govcn/row54_guobanfa_2018_109.html").read_text(encoding="utf-8")
    html = html.replace("<td>国务院办公厅</td>", "<td>省政府办公厅</td>", 1)
    p = parse_portal_html(html, site_name="江西省人民政府")
    # The title's prefix (国务院办公厅) does not end like 省政府办公厅, so the site name decides.
    assert p.documents["issuers"][0].to_list() == ["江西省人民政府办公厅"]


# --- families without a sample page: built from a sample page's own text -----------------------


def _row19_body() -> str:
    html = (SAMPLES / "govcn/row19_guobanfa_1996_25.html").read_text(encoding="utf-8")
    start = html.index('id="UCAP-CONTENT">') + len('id="UCAP-CONTENT">')
    return html[start : html.index("</td>", start)]


def test_trs_page_without_table_falls_back_on_meta_title_and_signature() -> None:
    body = _row19_body()
    html = (
        '<html><head><meta name="ArticleTitle" content="国务院办公厅 中央军委办公厅关于加强对侵华日军遗弃化学武器'
        '调查和管理工作的通知"><meta name="PubDate" content="2018-12-24 10:00"></head><body>'
        '<div class="nav">首页 > 政策</div><div class="TRS_Editor">' + body + "</div>"
        '<div class="share">分享到：微信</div><script>var a=1;</script></body></html>'
    )
    d = parse_portal_html(html).documents.row(0, named=True)
    assert (
        d["title"]
        == "国务院办公厅、中央军委办公厅关于加强对侵华日军遗弃化学武器调查和管理工作的通知"
    )
    assert d["doc_number"] == "国办发〔1996〕25号"  # the header line under the title
    assert d["issuers"] == ["国务院办公厅", "中央军委办公厅"]  # the signature block
    assert d["signed_date"] == D(1996, 6, 29)  # 一九九六年六月二十九日 under the signatures
    assert d["published_date"] == D(2018, 12, 24)
    assert "分享到" not in d["body"] and "var a" not in d["body"]


def test_number_inside_title_and_spaced_out_joint_signature() -> None:
    html = (
        "<html><head><title>关于加强化学武器管理的通知(国办发〔1996〕25号)_政策</title></head><body>"
        '<div id="zoom"><p>各省、自治区、直辖市人民政府：</p><p>一、日军遗弃化学武器是历史遗留问题。</p>'
        "<p>交 通 运 输 部　　国 家 发 展 改 革 委</p><p>2020年3月16日</p></div></body></html>"
    )
    d = parse_portal_html(html).documents.row(0, named=True)
    assert d["doc_number"] == "国办发〔1996〕25号"
    assert d["issuers"] == ["交通运输部", "国家发展改革委"]
    assert (
        d["title"] == "交通运输部、国家发展改革委关于加强化学武器管理的通知"
    )  # number cut off, prefix added
    assert d["signed_date"] == D(2020, 3, 16)


def test_jpaas_table_with_values_in_next_cell() -> None:
    body = _row19_body()
    html = (
        '<html><head><meta name="SiteName" content="浙江省人民政府"></head><body><table class="xxgktab">'
        "<tr><td>索引号</td><td>002482410/2020-00012</td><td>组配分类</td><td>政策文件</td></tr>"
        "<tr><td>发布机构</td><td>省政府办公厅</td><td>生成日期</td><td>2020-01-05</td></tr>"
        "<tr><td>文件编号</td><td>浙政办发〔2020〕1 号</td><td>统一编号</td><td>ZJSP00-2020-0001</td></tr>"
        "<tr><td>有效性</td><td>有效</td></tr></table>"
        '<div class="main-txt" id="zoom"><p>浙江省人民政府办公厅关于做好安全工作的通知</p>'
        + body
        + "</div></body></html>"
    )
    p = parse_portal_html(html)
    d = p.documents.row(0, named=True)
    assert d["doc_number"] == "浙政办发〔2020〕1号"
    assert d["signed_date"] == D(2020, 1, 5)
    assert d["issuers"] == ["浙江省人民政府办公厅"]
    assert d["title"] == "浙江省人民政府办公厅关于做好安全工作的通知"
    m = dict(zip(p.metadata["key"], p.metadata["value"], strict=True))
    assert (m["有效性"], m["统一编号"], m["发布机构"]) == (
        "有效",
        "ZJSP00-2020-0001",
        "省政府办公厅",
    )


def test_gkmlpt_detail_json() -> None:
    html = (
        "<html><head><title>x</title></head><body><div id='app'></div><script>"
        'window._CONFIG.DETAIL = {"title": "广州市人民政府办公厅关于印发广州市促进就业若干措施的通知", '
        '"document_number": "穗府办〔2020〕3号", "publisher": "广州市人民政府办公厅", '
        '"identifier": "007482532/2020-00123", "content": "<p>各区人民政府：</p><p>现印发给你们。</p>'
        '<p>广州市人民政府办公厅</p><p>2020年2月10日</p>"};</script></body></html>'
    )
    d = parse_portal_html(html).documents.row(0, named=True)
    assert d["doc_number"] == "穗府办〔2020〕3号"
    assert d["issuers"] == ["广州市人民政府办公厅"]
    assert d["signed_date"] == D(2020, 2, 10)
    assert d["body"].splitlines()[0] == "各区人民政府："


def test_unparseable_pages_raise_with_a_reason() -> None:
    with pytest.raises(ParseError, match="no body"):
        parse_portal_html(
            "<html><body><div class='nav'>首页</div></body></html>", url="http://x/1.html"
        )
    with pytest.raises(ParseError, match="no title"):
        parse_portal_html("<html><body><div id='zoom'><p>正文。</p></div></body></html>")


def test_trs_attachment_links_beside_the_body_are_kept() -> None:
    html = (
        '<html><head><meta name="ArticleTitle" content="国家发展改革委关于印发某规划的通知">'
        '<meta name="ContentSource" content="国家发展改革委"></head><body><div class="article">'
        '<div class="TRS_Editor"><p>各省、自治区、直辖市发展改革委：</p><p>现将规划印发给你们。</p>'
        "<p>国家发展改革委</p><p>2021年12月1日</p></div>"
        '<div class="attachment">附件：<a href="./P020211201123.pdf">某规划全文.pdf</a></div></div>'
        '<div class="footer"><a href="/about.html">关于我们</a></div></body></html>'
    )
    p = parse_portal_html(html)
    d = p.documents.row(0, named=True)
    assert d["body"].splitlines()[-1] == "附件：某规划全文.pdf"
    assert d["issuers"] == ["国家发展改革委"] and d["signed_date"] == D(2021, 12, 1)
    m = dict(zip(p.metadata["key"], p.metadata["value"], strict=True))
    assert m["附件"] == "某规划全文.pdf ./P020211201123.pdf"


def test_words_starting_with_a_level_are_not_abbreviations() -> None:
    html = (SAMPLES / "govcn/row54_guobanfa_2018_109.html").read_text(encoding="utf-8")
    html = html.replace("<td>国务院办公厅</td>", "<td>市场监管总局、市政府</td>", 1)
    p = parse_portal_html(html, site_name="广州市人民政府")
    assert p.documents["issuers"][0].to_list() == ["市场监管总局", "广州市人民政府"]


def test_gkmlpt_timestamp_dates() -> None:
    html = (
        "<html><body><script>window._CONFIG.DETAIL = {"
        '"title": "关于做好春节假期工作的通知", "publisher": "深圳市人民政府办公厅", "date": 1581300000, '
        '"content": "<p>各区人民政府：</p><p>请做好工作。</p>"}; window._CONFIG.TREE = [];</script></body></html>'
    )
    d = parse_portal_html(html).documents.row(0, named=True)
    assert d["published_date"] == D(2020, 2, 10)  # 1581300000 = 2020-02-10 10:00 Beijing time
    assert d["title"] == "深圳市人民政府办公厅关于做好春节假期工作的通知"


def test_hanweb_xxgk_table_with_abbreviated_issuer_in_the_title() -> None:
    body = _row19_body()
    html = (
        '<html><head><meta name="SiteName" content="江苏省人民政府"></head><body>'
        "<form><select><option>标题</option><option>文号</option></select></form>"
        '<table class="xxgk_table"><tbody>'
        "<tr><td>索 引 号：</td><td>014000319/2021-00123</td><td>分　　类：</td><td>综合政务</td></tr>"
        "<tr><td>发布机构：</td><td>省政府办公厅</td><td>发文日期：</td><td>2021-03-02</td></tr>"
        "<tr><td>文　　号：</td><td>苏政办发〔2021〕12号</td><td>时　　效：</td><td></td></tr>"
        '<tr><td>标　　题：</td><td colspan="3">省政府办公厅关于做好春耕生产工作的通知</td></tr>'
        '</tbody></table><div id="zoom">' + body + "</div></body></html>"
    )
    p = parse_portal_html(html)
    d = p.documents.row(0, named=True)
    assert d["title"] == "江苏省人民政府办公厅关于做好春耕生产工作的通知"
    assert d["issuers"] == ["江苏省人民政府办公厅"]
    assert (d["doc_number"], d["signed_date"]) == ("苏政办发〔2021〕12号", D(2021, 3, 2))
    m = dict(zip(p.metadata["key"], p.metadata["value"], strict=True))
    assert m["标题"] == "省政府办公厅关于做好春耕生产工作的通知"  # as printed
    assert m["分类"] == "综合政务" and "时效" not in m  # an empty cell states nothing


def test_label_in_the_middle_of_a_time_bar() -> None:
    html = (
        '<html><head><meta name="ArticleTitle" content="关于印发《某某管理办法》的通知"></head><body>'
        '<div class="pages-date">2021-12-01 10:00 <span>来源：国家发展改革委</span></div>'
        '<div class="TRS_Editor"><p>国家发展改革委关于印发</p><p>《某某管理办法》的通知</p>'
        "<p>发改规划〔2021〕1234号</p><p>各省、自治区、直辖市发展改革委：</p><p>现将办法印发给你们。</p>"
        "<p>国家发展改革委</p><p>2021年11月25日</p></div></body></html>"
    )
    p = parse_portal_html(html)
    d = p.documents.row(0, named=True)
    assert d["title"] == "国家发展改革委关于印发《某某管理办法》的通知"
    assert d["doc_number"] == "发改规划〔2021〕1234号"
    assert d["signed_date"] == D(2021, 11, 25)
    assert (
        dict(zip(p.metadata["key"], p.metadata["value"], strict=True))["来源"] == "国家发展改革委"
    )


def test_real_page_whose_signature_differs_from_its_table() -> None:
    """art_5400_1505309: the table names 江西省市场监督管理局, the notice is signed by the
    bureau's epidemic leading group: the table stands, the signature is kept (issue 4)."""
    d = doc("jiangxi/art_5400_1505309.html")
    m = meta("jiangxi/art_5400_1505309.html")
    assert d["issuers"] == ["江西省市场监督管理局"]
    assert m["disagreement"] == "issuers"
    assert m["body:issuers"] == "江西省局新冠肺炎疫情防控工作领导小组"


def test_agreeing_pages_have_no_disagreement_rows() -> None:
    for name in ["govcn/row19_guobanfa_1996_25.html", "govcn/row33_guoling707.html"]:
        assert "disagreement" not in meta(name)
