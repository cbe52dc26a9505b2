"""Detail pages of portal families beyond the samples, as SYNTHETIC pages of the same shape.

Each page below reproduces the layout of a family seen on real pages (TRS WCM ministries with no
metadata table, order pages, Hanweb pages whose CMS markers carry a qualifier, pages whose table
and body disagree, GBK pages decoded before parsing) with text written for this test; the real
pages that showed each failure are not in the repository. Expected values are those the text
below states.
"""

from __future__ import annotations

import datetime as dt

from transforms.portal import parse_portal_html

D = dt.date


def _doc(html: str, **kw) -> tuple[dict, dict[str, str]]:
    p = parse_portal_html(html, **kw)
    assert p.kind == "portal_page" and p.documents.height == 1
    return p.documents.row(0, named=True), dict(
        zip(p.metadata["key"], p.metadata["value"], strict=True)
    )


# TRS WCM ministry page: no metadata table; the number sits in the title (and under the body's
# title), joint issuers sign spaced out, attachments are linked under the text outside its
# container, the date of publication is in <meta name="PubDate">.
TRS_MINISTRY = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>【关于印发《城乡冷链设施补短板行动方案》的通知(农规发〔2031〕77号)】-示例部</title>
<meta name="SiteName" content="中华人民共和国示例部">
<meta name="ColumnName" content="通知">
<meta name="ArticleTitle" content="关于印发《城乡冷链设施补短板行动方案》的通知(农规发〔2031〕77号)">
<meta name="PubDate" content="2031-05-09 10:12:00">
<meta name="ContentSource" content="规划司">
</head><body>
<div class="header"><ul class="nav"><li>首页</li><li>政务公开</li></ul></div>
<div class="path">首页 &gt; 政务公开 &gt; 通知</div>
<div class="article"><h2 class="article_title">关于印发《城乡冷链设施补短板行动方案》的通知(农规发〔2031〕77号)</h2>
<div class="shezhi"><div class="time">发布时间：2031/05/09</div><div class="ly">来源：<span>规划司</span></div></div>
<div class="article_con"><div class=TRS_Editor>
<div style="text-align:center"><strong>农业农村部 商务部关于印发</strong></div>
<div style="text-align:center"><strong>《城乡冷链设施补短板行动方案》的通知</strong></div>
<div style="text-align:center">农规发〔2031〕77号</div><br/>
<span>各省、自治区、直辖市农业农村厅（委），商务主管部门：</span><br/>
<span>　　《城乡冷链设施补短板行动方案》已经同意，现印发给你们，请结合实际认真组织实施。</span><br/><br/>
<div style="text-align:center">农 业 农 村 部</div>
<div style="text-align:center">商　务　部</div>
<div style="text-align:center">2031年4月28日</div>
</div></div>
<div class="attachment">附件：<a href="./P020310509000000000001.pdf">城乡冷链设施补短板行动方案.pdf</a></div>
</div>
<div class="footer">主办单位：示例部办公厅 版权所有</div>
</body></html>"""


def test_trs_ministry_page_without_table() -> None:
    d, m = _doc(TRS_MINISTRY)
    assert d["doc_number"] == "农规发〔2031〕77号"
    assert d["issuers"] == ["农业农村部", "商务部"]
    assert d["title"] == "农业农村部、商务部关于印发《城乡冷链设施补短板行动方案》的通知"
    assert d["signed_date"] == D(2031, 4, 28)
    assert d["published_date"] == D(2031, 5, 9)
    assert d["genre"] == "通知"
    body = d["body"].splitlines()
    assert body[-1] == "附件：城乡冷链设施补短板行动方案.pdf"
    assert not any("主办单位" in s or "首页" in s for s in body)
    assert "disagreement" not in m


# The same layout with the number only under the body's title (nothing in the title).
def test_number_under_the_title_only() -> None:
    html = TRS_MINISTRY.replace("(农规发〔2031〕77号)", "")
    d, m = _doc(html)
    assert d["doc_number"] == "农规发〔2031〕77号"
    assert (d["series"], d["doc_year"], d["serial"]) == ("农规发", 2031, 77)
    assert "disagreement" not in m


# An order (令) page: masthead 中华人民共和国国务院令, 第N号 under it, signed by the premier
# (a person, not an issuer); the issuer series is shortened as the State Council writes it.
ORDER_PAGE = """<html><head><meta name="ArticleTitle" content="示例登记管理条例">
<meta name="PubDate" content="2031-03-02"></head><body>
<div id="UCAP-CONTENT">
<p style="text-align:center">中华人民共和国国务院令</p>
<p style="text-align:center">第 812 号</p>
<p>　　《示例登记管理条例》已经2031年2月14日国务院第90次常务会议通过，现予公布，自2031年6月1日起施行。</p>
<p style="text-align:right">总理　　某某某</p>
<p style="text-align:right">2031年2月20日</p>
<p style="text-align:center">示例登记管理条例</p>
<p>　　第一条　为了规范示例登记，制定本条例。</p>
</div></body></html>"""


def test_order_page_number_from_masthead() -> None:
    d, m = _doc(ORDER_PAGE)
    assert (d["doc_number"], d["series"], d["serial"]) == ("国令第812号", "国令", 812)
    assert d["signed_date"] == D(2031, 2, 20)
    assert d["title"] == "示例登记管理条例"
    assert "disagreement" not in m


def test_order_page_with_table_in_short_form_agrees() -> None:
    """A provincial order: the table writes 省政府令第45号, the masthead 示例省人民政府令 /
    第45号: the same number, no disagreement."""
    html = ORDER_PAGE.replace("中华人民共和国国务院令", "示例省人民政府令").replace(
        "第 812 号", "第45号"
    )
    table = (
        '<table class="xxgk_table"><tr><td>文 号</td><td>省政府令第45号</td>'
        "<td>成文日期</td><td>2031-02-20</td></tr></table>"
    )
    d, m = _doc(html.replace("<body>", "<body>" + table))
    assert d["doc_number"] == "省政府令第45号"
    assert "disagreement" not in m


# Issue 4: the table and the body disagree on number, date and issuers.
DISAGREE = """<html><head><meta name="SiteName" content="示例市人民政府"></head><body>
<table class="xxgktab">
<tr><td>索引号：</td><td>000000001/2031-00012</td><td>发布机构：</td><td>示例市人民政府办公室</td></tr>
<tr><td>文件编号：</td><td>示府办发〔2031〕12号</td><td>生成日期：</td><td>2031-07-01</td></tr>
<tr><td>标题：</td><td>示例市人民政府办公室关于做好夏季防汛工作的通知</td></tr>
</table>
<div class="main-txt" id="zoom">
<p>示例市人民政府办公室关于做好夏季防汛工作的通知</p>
<p>示府办发〔2031〕21号</p>
<p>各县（区）人民政府，市政府各部门：</p>
<p>　　为做好今年夏季防汛工作，现就有关事项通知如下。</p>
<p>示例市应急管理局</p>
<p>2031年6月28日</p>
</div></body></html>"""


def test_table_wins_and_the_body_is_kept_when_they_disagree() -> None:
    d, m = _doc(DISAGREE)
    assert d["doc_number"] == "示府办发〔2031〕12号"
    assert d["signed_date"] == D(2031, 7, 1)
    assert d["issuers"] == ["示例市人民政府办公室"]
    assert m["body:doc_number"] == "示府办发〔2031〕21号"
    assert m["body:signed_date"] == "2031-06-28"
    assert m["body:issuers"] == "示例市应急管理局"
    assert m["disagreement"] == "doc_number,signed_date,issuers"


def test_agreeing_body_adds_no_disagreement_rows() -> None:
    html = DISAGREE.replace("〔2031〕21号", "〔2031〕12号").replace("2031年6月28日", "2031年7月1日")
    html = html.replace("<p>示例市应急管理局</p>", "<p>示例市政府办公室</p>")  # abbreviated
    d, m = _doc(html)
    assert d["doc_number"] == "示府办发〔2031〕12号"
    assert not any(k.startswith("body:") or k == "disagreement" for k in m)


# Hanweb pages: the CMS markers carry a qualifier (<$[标题名称(html)]>, <$[信息内容]>) and the
# heading elements hold the site's name, not the title.
HANWEB_QUALIFIED = """<html><head><title>示例省发展和改革委员会 通知公告 标题</title></head><body>
<h1 class="logo">示例省发展和改革委员会</h1>
<p class="bt-art-title"><!--<$[标题名称(html)]>begin-->示例省成品油价格调整公告（2031年第3号）<!--<$[标题名称(html)]>end--></p>
<span class="bt-date">2031-02-03</span>
<div class="bt-content zoom"><!--<$[信息内容]>begin--><!--ZJEG_RSS.content.begin-->
<p>根据国家公布的调价信息，现将我省汽、柴油最高零售价格公布如下。</p>
<p>相关文章：示例省成品油价格调整公告（2031年第2号）</p>
<!--ZJEG_RSS.content.end--><!--<$[信息内容]>end--></div>
</body></html>"""


def test_hanweb_qualified_markers_and_related_articles() -> None:
    d, m = _doc(HANWEB_QUALIFIED)
    assert d["title"] == "示例省成品油价格调整公告（2031年第3号）"
    assert d["genre"] == "公告"
    assert d["body"] == "根据国家公布的调价信息，现将我省汽、柴油最高零售价格公布如下。"


# An old county site declares GBK; the fetcher decodes it, so the parser gets a str whose
# <meta charset> no longer applies.
def test_gbk_declared_page_arrives_decoded() -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        '</head><body><table class="xxgk_table"><tr><td>标　　题</td>'
        "<td>示例县人民政府关于公布县级权责清单的通知</td></tr>"
        "<tr><td>发文字号</td><td>示县政发〔2031〕3号</td><td>成文日期</td><td>2031年01月05日</td></tr>"
        "<tr><td>发文机关</td><td>县政府</td></tr></table>"
        '<div id="zoom"><p>各乡镇人民政府，县直各部门：</p><p>现将县级权责清单予以公布。</p></div>'
        "</body></html>"
    )
    data = html.encode("gb18030")
    d, _ = _doc(data.decode("gb18030"), site_name="示例县人民政府")
    assert d["title"] == "示例县人民政府关于公布县级权责清单的通知"
    assert d["doc_number"] == "示县政发〔2031〕3号"
    assert d["signed_date"] == D(2031, 1, 5)
    assert d["issuers"] == ["示例县人民政府"]
