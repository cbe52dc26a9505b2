"""Tables of contents in the shapes gazettes print them."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.clean import clean_lines
from transforms.rules import load_rules
from transforms.toc import is_section_heading, read_toc

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
RULES = load_rules(None)


def _toc(name: str):
    text = (SEEDS / f"{name}.txt").read_text(encoding="utf-8")
    rules = load_rules(None, text)
    return read_toc(clean_lines(text, rules), rules)


def test_liangshan_toc_page_before_title_with_numbers():
    toc = _toc("liangshan_gazette_2020-04")
    assert len(toc.entries) == 11
    assert [e.page for e in toc.entries] == [2, 4, 7, 7, 9, 10, 11, 13, 14, 19, 20]
    assert [e.section for e in toc.entries].count("主动公开文件") == 8
    e = toc.entries[2]
    assert e.title == "凉山州人民政府办公室 关于印发凉山州州本级行政权力清单（2019年本）的通知"
    assert e.doc_number == "凉府办发〔2020〕5号"
    assert (
        toc.entries[9].title == "关于印发《凉山州阶段性减征城镇职工基本医疗保险费实施细则》的通知"
    )
    assert (toc.entries[10].title, toc.entries[10].section) == ("1—2月人事任免", "人事任免")


def test_panzhihua_toc_page_after_title():
    toc = _toc("panzhihua_gazette_2018-12")
    assert [e.page for e in toc.entries] == [2, 9, 12, 16, 22, 28, 31, 36]
    assert [e.section for e in toc.entries] == ["上级文件"] * 4 + ["本级文件"] * 3 + ["人事任免"]
    assert toc.entries[-1].title == "攀枝花市人民政府关于卢海滨免职的通知"


def test_dot_leaders_markdown_headings_and_broken_titles():
    lines = [
        "目 录",
        "## 市政府文件",
        "宜宾市人民政府关于调整最低工资标准的通知………………… 5",
        "宜宾市人民政府办公室关于印发宜宾市2020年",
        "  政务公开工作要点的通知 ··········· 7",
        "**部门文件**",
        "· 宜宾市财政局关于做好预算公开工作的通知（宜财预[2020]3号）.......... 12",
        "",
        "宜宾市人民政府",
        "关于调整最低工资标准的通知",
    ]
    toc = read_toc(lines, RULES)
    assert [(e.title, e.section, e.page, e.doc_number) for e in toc.entries] == [
        ("宜宾市人民政府关于调整最低工资标准的通知", "市政府文件", 5, None),
        ("宜宾市人民政府办公室关于印发宜宾市2020年政务公开工作要点的通知", "市政府文件", 7, None),
        ("宜宾市财政局关于做好预算公开工作的通知", "部门文件", 12, "宜财预〔2020〕3号"),
    ]
    assert toc.end == 7


def test_section_headings():
    assert is_section_heading("本级文件", RULES) == "本级文件"
    assert is_section_heading("【规范性文件】", RULES) == "规范性文件"
    assert is_section_heading("## 市政府令", RULES) == "市政府令"
    assert is_section_heading("各县(市)人民政府:", RULES) is None


def test_no_toc():
    assert (
        read_toc(
            ["平昌县人民政府", "关于做好工作的通知", "平府发〔2021〕3号", "各乡镇：", "正文。"],
            RULES,
        )
        is None
    )


def test_rule_sets_are_detected_from_the_masthead_and_merged_over_the_default():
    from transforms.rules import RulesError, load_rules

    ls = (SEEDS / "liangshan_gazette_2020-04.txt").read_text(encoding="utf-8")
    pz = (SEEDS / "panzhihua_gazette_2018-12.txt").read_text(encoding="utf-8")
    assert load_rules(None, ls)["name"] == "liangshan"
    assert load_rules(None, pz)["gazette"] == "攀枝花市人民政府公报"
    assert load_rules(None, "某县人民政府公报\n")["name"] == "default"
    merged = load_rules("liangshan")
    assert merged["toc"]["sections"][:3] == ["政府工作通报选刊", "主动公开文件", "人事任免"]
    assert "上级文件" in merged["toc"]["sections"]  # default list extended, not replaced
    assert merged["headers"]["genres"] == load_rules(None)["headers"]["genres"]
    with pytest.raises(RulesError, match="no gazette rule set named 'nowhere'"):
        load_rules("nowhere")
