"""The rules generalise: small synthetic issues in other cities' styles (not in the seeds).

Each issue is written here from real-looking text: another masthead, a table of contents with
dot leaders and page numbers after the title, markdown section headings, ``[2020]`` brackets,
dates in Chinese numerals, a government order (第X号), running headers and page numbers
between pages, a county gazette without a table of contents.
"""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.gazette import parse_gazette_text
from transforms.model import ParseError

CITY_ISSUE = """宜宾市人民政府公报
2020年第3期（总第152期）

目  录

## 市政府令

宜宾市城市绿化管理办法（市政府令第12号）··········· 2

## 市政府文件

宜宾市人民政府关于调整宜宾市最低工资标准的通知…………………… 5
宜宾市人民政府办公室关于印发宜宾市2020年
  政务公开工作要点的通知 ················ 7

宜宾市人民政府令

第 12 号

《宜宾市城市绿化管理办法》已经2020年2月20日市人民政府第56次常务会议通过，现予公布，自2020年4月1日起施行。

市长  张三

二〇二〇年三月二日

宜宾市城市绿化管理办法

第一条  为了促进城市绿化事业的发展，改善生态环境，根据有关法律法规，结合本市实际，制定本办法。

- 2 -

宜宾市人民政府公报  2020年第3期

第二条  本办法适用于本市城市规划区内的城市绿化规划、建设、保护和管理。

宜宾市人民政府
关于调整宜宾市最低工资标准的通知

宜府发[2020]5 号

各区县人民政府，市政府各部门：

经市政府同意，现将我市最低工资标准调整如下：月最低工资标准调整为1650元，非全日制用工小时最低工资标准调整为17元。本通知自2020年4月1日起执行，请各地各部门认真贯彻执行，切实保障劳动者合法
- 6 -
权益。

宜宾市人民政府

二〇二〇年三月十日

宜宾市人民政府办公室
关于印发宜宾市2020年政务公开工作要点的通知

宜府办发〔2020〕18号

各区县人民政府，市政府各部门：

现将《宜宾市2020年政务公开工作要点》印发给你们，请认真贯彻落实。

宜宾市人民政府办公室

2020 年 3 月 16 日

宜宾市2020年政务公开工作要点

一、加强政策解读。（责任单位：市政府办公室）
"""

COUNTY_ISSUE = """平昌县人民政府公报
2021年第2期

平昌县人民政府
关于2021年县政府工作报告重点任务分工的通知

平府发（2021）3 号

各乡镇人民政府，县级各部门：

现将2021年县政府工作报告重点任务分工通知如下，请抓好落实。

附件：2021年县政府工作报告重点任务分工表

平昌县人民政府

2021 年 3 月 5 日

附件

2021年县政府工作报告重点任务分工表

序号	工作任务	责任单位
1	推进乡村振兴	县农业农村局

李四县长在全县经济工作会议上的讲话

（二〇二一年一月十日）

同志们，今天我们召开全县经济工作会议，主要任务是总结去年工作，安排今年工作。

平昌县财政局 平昌县人力资源和社会保障局
关于做好2021年公益性岗位补贴发放工作的通知

平财社〔2021〕7号

各乡镇人民政府：

为做好公益性岗位补贴发放工作，现将有关事项通知如下。

平昌县财政局 平昌县人力资源和社会保障局

2021年2月26日
"""


def test_city_issue_with_dot_leaders_orders_and_running_headers():
    parsed = parse_gazette_text(CITY_ISSUE)
    docs = parsed.documents
    assert docs.height == 3
    assert docs["section"].to_list() == ["市政府令", "市政府文件", "市政府文件"]
    assert docs["page"].to_list() == [2, 5, 7]
    order = docs.row(0, named=True)
    assert order["doc_number"] == "宜宾市人民政府令第12号"
    assert order["title"] == "宜宾市城市绿化管理办法"
    assert order["genre"] == "办法"
    assert order["issuers"] == ["宜宾市人民政府"]
    assert order["signed_date"] == dt.date(2020, 3, 2)
    wage = docs.row(1, named=True)
    assert wage["title"] == "宜宾市人民政府关于调整宜宾市最低工资标准的通知"
    assert wage["doc_number"] == "宜府发〔2020〕5号"
    assert (wage["series"], wage["doc_year"], wage["serial"]) == ("宜府发", 2020, 5)
    assert wage["signed_date"] == dt.date(2020, 3, 10)
    # The page break (page number line) inside a sentence is healed, no furniture is left.
    assert "切实保障劳动者合法权益。" in wage["body"]
    assert "公报" not in "".join(docs["body"].to_list())
    assert "- 2 -" not in order["body"]
    points = docs.row(2, named=True)
    assert points["title"] == "宜宾市人民政府办公室关于印发宜宾市2020年政务公开工作要点的通知"
    assert points["doc_number"] == "宜府办发〔2020〕18号"
    assert points["signed_date"] == dt.date(2020, 3, 16)
    assert parsed.issue.gazette == "宜宾市人民政府公报"
    assert (parsed.issue.year, parsed.issue.issue_no, parsed.issue.total_issue_no) == (2020, 3, 152)


def test_county_issue_without_toc_splits_on_header_patterns():
    parsed = parse_gazette_text(COUNTY_ISSUE)
    docs = parsed.documents
    assert docs.height == 3  # the attachment's table and title stay with their parent
    first, speech, joint = (docs.row(i, named=True) for i in range(3))
    assert first["title"] == "平昌县人民政府关于2021年县政府工作报告重点任务分工的通知"
    assert first["doc_number"] == "平府发〔2021〕3号"
    assert first["signed_date"] == dt.date(2021, 3, 5)
    assert "2021年县政府工作报告重点任务分工表" in first["body"]
    assert "推进乡村振兴\t县农业农村局" in first["body"]
    assert speech["title"] == "李四县长在全县经济工作会议上的讲话"
    assert speech["genre"] == "讲话"
    assert speech["doc_number"] is None
    assert speech["signed_date"] == dt.date(2021, 1, 10)
    assert joint["issuers"] == ["平昌县财政局", "平昌县人力资源和社会保障局"]
    assert (
        joint["title"]
        == "平昌县财政局平昌县人力资源和社会保障局关于做好2021年公益性岗位补贴发放工作的通知"
    )
    assert joint["doc_number"] == "平财社〔2021〕7号"
    assert joint["section"] is None
    assert (parsed.issue.gazette, parsed.issue.year, parsed.issue.issue_no) == (
        "平昌县人民政府公报",
        2021,
        2,
    )


def test_text_without_any_document_is_refused():
    with pytest.raises(ParseError, match="no recognisable document"):
        parse_gazette_text("这是一段没有标题也没有文号的文字。\n只有两行。\n")
    with pytest.raises(ParseError, match="no recognisable document"):
        parse_gazette_text("   \n")


GAP_ISSUE = """某县政务公报
2022年第1期

县政府文件
- 1 某县人民政府关于做好春耕生产工作的通知
- 3 某县人民政府办公室关于加强防汛工作的紧急通知
- 5 某县人民政府办公室关于印发某县2022年民生实事的通知

某县人民政府
关于做好春耕生产工作的通知

某府发〔2022〕1号

各乡镇人民政府：

做好春耕生产工作。

某县人民政府

2022年2月1日

某县人民政府办公室
关于切实做好2022年汛期安全防范工作的通知

某府办发〔2022〕2号

各乡镇人民政府：

做好防汛工作。

某县人民政府办公室

2022年3月1日

某县人民政府办公室
关于印发某县2022年民生实事的通知

某府办发〔2022〕3号

各乡镇人民政府：

现将民生实事印发给你们。

某县人民政府办公室

2022年3月9日
"""


def test_toc_entry_that_cannot_be_placed_is_found_by_header_pattern():
    parsed = parse_gazette_text(GAP_ISSUE)
    docs = parsed.documents
    assert docs["doc_number"].to_list() == [
        "某府发〔2022〕1号",
        "某府办发〔2022〕2号",
        "某府办发〔2022〕3号",
    ]
    assert docs["section"].to_list() == ["县政府文件", None, "县政府文件"]
    assert (
        docs.row(1, named=True)["title"]
        == "某县人民政府办公室关于切实做好2022年汛期安全防范工作的通知"
    )
    assert any("关于加强防汛工作的紧急通知" in w for w in parsed.warnings)


REPORT_ISSUE = """通江县人民政府公报
2021年第1期

政府工作报告

——2021年1月5日在通江县第十八届人民代表大会第五次会议上

县长  王五

各位代表：

现在，我代表县人民政府，向大会报告工作，请予审议，并请县政协各位委员提出意见。

通江县人民政府公报

一、2020年工作回顾

过去一年，全县经济社会发展取得新成效。

通江县2020年国民经济和社会发展统计公报

通江县统计局

2021年3月1日

一、综合

全年地区生产总值增长4%。
"""


def test_work_report_dated_under_the_title_and_a_statistics_communique():
    docs = parse_gazette_text(REPORT_ISSUE).documents
    assert docs["title"].to_list() == ["政府工作报告", "通江县2020年国民经济和社会发展统计公报"]
    report, stats = docs.row(0, named=True), docs.row(1, named=True)
    assert report["signed_date"] == dt.date(2021, 1, 5)
    assert report["genre"] == "报告"
    assert "县政府公报" not in report["body"]  # the running header (gazette name) is gone
    assert stats["issuers"] == ["通江县统计局"]
    assert stats["signed_date"] == dt.date(2021, 3, 1)
