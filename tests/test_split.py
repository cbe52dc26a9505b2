"""Splitting an issue: table-of-contents lookup, header patterns, attachments kept."""

from __future__ import annotations

from pathlib import Path

from transforms.clean import clean_lines
from transforms.headers import genre_of, parse_header
from transforms.rules import load_rules
from transforms.split import header_starts, locate_entries, split_issue
from transforms.toc import read_toc

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
RULES = load_rules(None)


def _lines(name: str):
    text = (SEEDS / f"{name}.txt").read_text(encoding="utf-8")
    rules = load_rules(None, text)
    return clean_lines(text, rules), rules


def test_toc_entries_are_found_in_order_even_without_issuer_or_with_repeats():
    lines, rules = _lines("liangshan_gazette_2020-04")
    toc = read_toc(lines, rules)
    placed = locate_entries(lines, toc, rules)
    assert len(placed) == 11
    starts = [s for s, _ in placed]
    assert starts == sorted(starts)
    # The TOC lists 关于印发《…》的通知 without issuer; the header prints it the same way.
    assert lines[starts[9]].startswith("关于印发《凉山州阶段性减征城镇职工基本医疗保险费实施细则》")
    # The TOC prints 凉山州 春雷行动领导小组; the header repeats 保护 across a break.
    assert lines[starts[8]].startswith("凉山州春雷行动领导小组 关于印发")


def test_attachments_do_not_start_documents():
    lines, rules = _lines("liangshan_gazette_2020-04")
    toc = read_toc(lines, rules)
    found = header_starts(lines, toc.end, rules)
    titles = [lines[i] for i in found]
    assert len(found) == 11
    assert not any(t.startswith(("附件", "凉山州阶段性减征", "2019年全州政府网站")) for t in titles)


def test_split_segments_cover_each_document():
    lines, rules = _lines("panzhihua_gazette_2018-12")
    segments = split_issue(lines, read_toc(lines, rules), rules)
    assert len(segments) == 8
    assert lines[segments[1].start] == "四川省人民政府办公厅"  # issuer line above 关于…
    assert all(a.end <= b.start for a, b in zip(segments, segments[1:], strict=False))
    last = lines[segments[-1].start : segments[-1].end]
    assert last[-1] == "2018年11月2日"


def test_header_of_a_split_title_with_space_and_break():
    lines = [
        "四川省人民政府办公厅",
        "",
        "关于印发促进返乡下乡创业 二十二条措施的通知",
        "",
        "川办发〔2018〕85号",
        "",
        "各市（州）人民政府：",
        "正文。",
        "四川省人民政府办公厅",
        "",
        "2018年11月15日",
    ]
    head = parse_header(lines, RULES)
    assert head.title == "四川省人民政府办公厅关于印发促进返乡下乡创业二十二条措施的通知"
    assert head.doc_number.text == "川办发〔2018〕85号"
    assert head.issuers == ["四川省人民政府办公厅"]
    assert head.signed_date.isoformat() == "2018-11-15"
    assert lines[head.body_start] == "各市（州）人民政府："


def test_genres():
    assert genre_of("四川省人民政府办公厅关于促进“互联网+医疗健康”发展的实施意见", RULES) == "意见"
    assert genre_of("…关于缓解中小企业生产经营困难的政策措施", RULES) == "其他"
    assert genre_of("1—2月人事任免", RULES) == "任免"
    assert genre_of("关于同意设立某某镇的复函", RULES) == "批复"
    assert genre_of(None, RULES) == "其他"
