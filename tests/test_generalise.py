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


# Issue 3, second pass: shapes seen in provincial and State Council gazettes (synthetic text).
PROVINCE_ISSUE = """湖东省人民政府公报
2021年第6期（总第718期）
湖东省人民政府办公厅主办          2021年3月25日出版

目    录

【省政府令】
湖东省城市供水管理办法（省政府令第251号）……………………………………（3）

【省政府文件】
湖东省人民政府关于公布第三批省级历史文化名镇名村的通知
（湖政发〔2021〕4号）……………………………………………………………（9）
湖东省人民政府关于同意设立湖东青山经济开发区的批复
（湖政函〔2021〕12号）…………………………………………………………（11）

【省政府办公厅文件】
湖东省人民政府办公厅关于进一步加强农村供水保障工作的意见
（湖政办发〔2021〕7号）…………………………………………………………（12）

【政策解读】
《湖东省城市供水管理办法》解读……………………………………………………（16）

【人事任免】
湖东省人民政府任免名单……………………………………………………………（18）

湖东省人民政府令

第251号

《湖东省城市供水管理办法》已经2021年2月26日省人民政府第88次常务会议审议通过，现予公布，自2021年5月1日起施行。

省长  王五

2021年3月3日

湖东省城市供水管理办法

第一条  为了加强城市供水管理，保障城市生活、生产用水，根据有关法律法规，结合本省实际，制定本办法。

第二条  本办法适用于本省行政区域内城市供水的规划、建设、经营和管理。

湖东省人民政府公报  2021年第6期  ·3·

第三条  省住房城乡建设主管部门负责全省城市供水的监督管理工作。

湖东省人民政府关于公布第三批省级历史文化名镇名村的通知

湖政发〔2021〕4号

各市州人民政府，省政府各部门：

经省人民政府同意，现将第三批省级历史文化名镇名村名单予以公布。各地要切实做好保护工作。

湖东省人民政府

2021年2月8日

湖东省人民政府关于同意设立湖东青山经济开发区的批复

湖政函〔2021〕12号

青山市人民政府：

你市《关于申请设立湖东青山经济开发区的请示》（青政〔2020〕45号）收悉。经研究，现批复如下：同意设立湖东青山经济开发区。

湖东省人民政府

2021年2月20日

湖东省人民政府办公厅关于进一步加强农村供水保障工作的意见

湖政办发〔2021〕7号

各市州人民政府，省政府各部门：

为进一步加强农村供水保障工作，经省人民政府同意，提出如下意见。

一、强化规划引领。各地要编制农村供水专项规划。（省水利厅、省发展改革委负责）

二、加大资金投入。（省财政厅负责，各市州人民政府落实）

湖东省人民政府办公厅

2021年3月1日

《湖东省城市供水管理办法》解读

一、制定背景

城市供水事关群众切身利益。为规范城市供水管理，省司法厅会同省住房城乡建设厅起草了本办法。

二、主要内容

本办法共六章三十条，主要规定了规划建设、水质管理和法律责任等内容。

湖东省人民政府任免名单

（2021年2月26日）

任命张三为湖东省水利厅副厅长；
免去李四的湖东省交通运输厅副厅长职务。
"""


def test_province_issue_with_bracketed_pages_numbers_on_a_second_line_and_a_reading():
    """【】 headings, pages printed ``……（9）``, the number listed on its own line under the
    title, a 政策解读 whose title ends in 解读 followed by a ``一、`` heading, a 任免名单."""
    parsed = parse_gazette_text(PROVINCE_ISSUE)
    docs = parsed.documents.to_dicts()
    assert parsed.issue.issue_no == 6 and parsed.issue.total_issue_no == 718
    assert [d["section"] for d in docs] == [
        "省政府令", "省政府文件", "省政府文件", "省政府办公厅文件", "政策解读", "人事任免",
    ]  # fmt: skip
    assert [d["page"] for d in docs] == [3, 9, 11, 12, 16, 18]
    assert docs[0]["doc_number"] == "湖东省人民政府令第251号"
    assert docs[2]["doc_number"] == "湖政函〔2021〕12号" and docs[2]["genre"] == "批复"
    assert docs[4]["title"] == "《湖东省城市供水管理办法》解读"
    assert docs[5]["title"] == "湖东省人民政府任免名单"
    assert docs[5]["signed_date"] == dt.date(2021, 2, 26)
    assert parsed.warnings == []
    persons = parsed.appointments.filter(parsed.appointments["seq"] == 5)["person"].to_list()
    assert persons == ["张三", "李四"]


STATE_COUNCIL_ISSUE = """中华人民共和国国务院公报
2021年第9号（总号：1730）

目    录

国务院文件
国务院关于进一步加强湿地保护修复工作的通知 …………………………… 4
国务院办公厅文件
国务院办公厅关于促进家政服务业提质扩容的意见 ………………………… 8
国务院部门文件
财政部 税务总局关于延续小型企业所得税优惠政策的公告 ………………… 12
人事任免
国务院任免国家工作人员 ……………………………………………………… 14

国务院关于进一步加强湿地保护修复工作的通知

国发〔2021〕6号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：

湿地是重要的自然生态系统。为进一步加强湿地保护修复，现就有关事项通知如下。

一、严格湿地用途管控。（自然资源部、国家林草局负责）

二、加强湿地修复。（国家林草局牵头，财政部、生态环境部配合）

国务院

2021年3月2日

（此件公开发布）

国务院办公厅关于促进家政服务业提质扩容的意见

国办发〔2021〕11号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：

家政服务业是新兴产业。经国务院同意，现提出以下意见。

一、加强职业培训。（人力资源社会保障部、商务部负责）

国务院办公厅

2021年3月10日

（此件公开发布）

财政部 税务总局关于延续小型企业所得税优惠政策的公告

财政部 税务总局公告2021年第8号

为支持小型企业发展，现将有关政策公告如下：对小型企业年应纳税所得额不超过100万元的部分，减半征收企业所得税。

财政部  税务总局

2021年3月15日

国务院任免国家工作人员

（2021年3月19日）

任命王甲为国家统计局副局长；免去赵乙的水利部副部长职务。
"""


def test_state_council_issue_counts_in_hao_and_lists_short_headings_before_entries():
    """``2021年第9号（总号：1730）``; headings ``国务院办公厅文件`` just above an entry are not
    the first half of a broken title; ``（此件公开发布）`` closes a document, never a title."""
    parsed = parse_gazette_text(STATE_COUNCIL_ISSUE)
    docs = parsed.documents.to_dicts()
    assert (parsed.issue.year, parsed.issue.issue_no, parsed.issue.total_issue_no) == (
        2021, 9, 1730,
    )  # fmt: skip
    assert [d["section"] for d in docs] == [
        "国务院文件", "国务院办公厅文件", "国务院部门文件", "人事任免",
    ]  # fmt: skip
    assert docs[1]["title"] == "国务院办公厅关于促进家政服务业提质扩容的意见"
    assert docs[1]["doc_number"] == "国办发〔2021〕11号"
    assert docs[2]["issuers"] == ["财政部", "税务总局"] and docs[2]["genre"] == "公告"
    assert docs[3]["title"] == "国务院任免国家工作人员"
    assert parsed.warnings == []


ANNOUNCEMENTS = """国务院公报
2021年第12号（总号：1733）

目 录

国务院部门文件
财政部 税务总局关于延续实施小微企业所得税优惠政策的公告 ········· 20
海关总署关于调整进口货物报关单申报要求的公告 ········· 22

财政部 税务总局关于延续实施小微企业所得税优惠政策的公告
财政部 税务总局公告2021年第8号

为进一步支持小微企业发展，现就有关税收政策公告如下：
一、对小型微利企业年应纳税所得额不超过100万元的部分，减按12.5%计入应纳税所得额。
二、本公告执行期限为2021年1月1日至2022年12月31日。

财政部 税务总局
2021年4月2日

海关总署关于调整进口货物报关单申报要求的公告
海关总署公告2021年第30号

为进一步规范申报，现将有关事项公告如下：
一、自2021年5月1日起，调整报关单部分申报项目。
特此公告。

海关总署
2021年4月8日
"""


def test_department_announcements_numbered_within_a_year():
    docs = parse_gazette_text(ANNOUNCEMENTS).documents
    rows = docs.select(
        "doc_number", "series", "doc_year", "serial", "issuers", "signed_date", "genre"
    ).rows()
    assert rows == [
        ("财政部税务总局公告2021年第8号", "财政部税务总局公告", 2021, 8, ["财政部", "税务总局"], dt.date(2021, 4, 2), "公告"),
        ("海关总署公告2021年第30号", "海关总署公告", 2021, 30, ["海关总署"], dt.date(2021, 4, 8), "公告"),
    ]  # fmt: skip
