"""Task assignments: numbered tasks and their responsible units, in the five printed styles.

Expected values were read by hand from ../shared/seeds and ../shared/samples/portal: the
portal page 凉府办发〔2020〕20号 lists 149 numbered tasks with 479 responsible units.
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from conftest import GOLD, SAMPLES, SEEDS

from transforms.tasks import CLOSERS, OPENERS, _Nesting, extract_tasks, split_units


def _lines(name: str, start: int, end: int | None = None) -> str:
    lines = (SEEDS / name).read_text(encoding="utf-8").split("\n")
    return "\n".join(lines[start - 1 : end])


def _html_text(path: str) -> str:
    html = (SAMPLES / path).read_text(encoding="utf-8")
    return BeautifulSoup(html, "lxml").get_text("\n")


def _f1(got: set, want: set) -> float:
    tp = len(got & want)
    return 2 * tp / (len(got) + len(want)) if got or want else 1.0


@pytest.fixture(scope="module")
def web_rows() -> list[dict]:
    return extract_tasks((SEEDS / "liangshan_web_2020-06-19.txt").read_text(encoding="utf-8"))


def test_web_page_149_tasks_479_units(web_rows: list[dict]) -> None:
    assert len({r["task_no"] for r in web_rows}) == 149
    assert len(web_rows) == 479  # the page repeats its text: duplicates are removed
    assert {r["role"] for r in web_rows} == {"责任单位"}
    five = [r for r in web_rows if r["task_no"] == 5]
    assert [r["unit"] for r in five] == ["州财政局", "州税务局", "各县(市)人民政府"]
    assert five[0]["task"] == "地方一般公共预算收入增长3%左右。"
    units_143 = [r["unit"] for r in web_rows if r["task_no"] == 143]
    assert units_143 == ["州总工会", "团州委", "州妇联", "州残联", "州科协", "各县(市)人民政府"]


def test_web_page_matches_gold(web_rows: list[dict]) -> None:
    gold = json.loads((GOLD / "liangshan_web_2020-06-19.json").read_text(encoding="utf-8"))
    want = {(g["task_no"], g["unit"]) for g in gold["task_assignments"]}
    got = {(r["task_no"], r["unit"]) for r in web_rows}
    assert _f1(got, want) >= 0.97
    assert got == want


def test_inline_brackets_policy_measures() -> None:
    # 凉府办发〔2020〕6号: (一)…(十二), each ending in (责任单位:…)
    rows = extract_tasks(_lines("liangshan_gazette_2020-04.txt", 162, 215))
    counts = Counter(r["task_no"] for r in rows)
    assert sorted(counts) == list(range(1, 13))
    assert counts[3] == 11 and counts[11] == 2
    first = [r["unit"] for r in rows if r["task_no"] == 1]
    assert first == ["州财政局", "人行凉山州中心支行", "州商务局"]
    assert all("责任单位" not in r["task"] for r in rows)


def test_lead_and_responsible_lines_under_headings() -> None:
    # 凉春雷发〔2020〕1号: (一)…执法行动 / 1.行动目标 / 2.行动重点 / 牵头单位: / 责任单位:
    rows = extract_tasks(_lines("liangshan_gazette_2020-04.txt", 484, 600))
    assert sorted({r["task_no"] for r in rows}) == [1, 2, 3, 4, 5]
    one = [(r["unit"], r["role"]) for r in rows if r["task_no"] == 1]
    assert one[0] == ("州市场监管局", "牵头单位")
    assert ("各县(市)政府", "责任单位") in one and len(one) == 6
    assert {r["task"] for r in rows if r["task_no"] == 1} == {"知识产权保护执法行动"}


def test_tab_separated_table() -> None:
    rows = extract_tasks(_lines("panzhihua_gazette_2018-12.txt", 640, 670))
    assert sorted({r["task_no"] for r in rows}) == list(range(1, 16))
    seven = [r["unit"] for r in rows if r["task_no"] == 7]
    assert seven == ["市发展改革委", "市人力资源社会保障局", "人行攀枝花市中心支行"]
    assert {r["task"] for r in rows if r["task_no"] == 7} == {"健全信用权益保护和信用修复机制"}
    gold = json.loads((GOLD / "panzhihua_gazette_2018-12.json").read_text(encoding="utf-8"))
    want = {
        (g["task_no"], g["unit"])
        for g in gold["task_assignments"]
        if g["doc"] == "攀府发〔2018〕18号"  # the table's document; the others use brackets
    }
    assert _f1({(r["task_no"], r["unit"]) for r in rows}, want) >= 0.97


def test_lead_then_responsible_with_deadline() -> None:
    body = (
        "3. 规范政务服务事项标准。按照统一要求完善要素。（省政府办公厅、省审改办（省委编办）、"
        "省政务服务和资源交易服务中心牵头，各市（州）人民政府、省直各部门负责，2019年12月底前完成）"
    )
    assert [(r["task_no"], r["unit"], r["role"]) for r in extract_tasks(body)] == [
        (3, "省政府办公厅", "牵头"),
        (3, "省审改办(省委编办)", "牵头"),
        (3, "省政务服务和资源交易服务中心", "牵头"),
        (3, "各市(州)人民政府", "负责"),
        (3, "省直各部门", "负责"),
    ]
    assert extract_tasks(body)[0]["task"] == "规范政务服务事项标准。按照统一要求完善要素。"


def test_jiangxi_inline_responsible_units() -> None:
    rows = extract_tasks(_html_text("jiangxi/art_4975_1503934.html"))
    assert len({(r["task_no"], r["task"]) for r in rows}) == 22
    assert len(rows) == 82
    assert "各市、县〔区〕政府" in {r["unit"] for r in rows}  # 各市 alone is not a unit


def test_jiangxi_by_duty_with_lead_first_note() -> None:
    rows = extract_tasks(_html_text("jiangxi/art_4975_1533696.html"))
    roles = Counter(r["role"] for r in rows)
    assert roles == {"按职责分工负责": 84, "牵头单位": 65}
    assert len(rows) == 149


def test_govcn_central_style() -> None:
    rows = extract_tasks(_html_text("govcn/row05_guofa_2019_3.html"))
    assert len(rows) == 48
    first = [(r["unit"], r["role"]) for r in rows if r["task_no"] == 1][:3]
    assert first == [("税务总局", "牵头部门"), ("财政部", "负责"), ("海关总署", "负责")]
    assert "商务部" in {r["unit"] for r in rows}  # 商务部等有关部门 -> 商务部


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("州财政局、州税务局,各县(市)人民政府", ["州财政局", "州税务局", "各县(市)人民政府"]),
        ("省教育厅，各市、县〔区〕政府，赣江新区管委会", ["省教育厅", "各市、县〔区〕政府", "赣江新区管委会"]),
        ("市财政局、市发展改革委等市社会信用体系建设联席会议相关成员单位", ["市财政局", "市发展改革委", "市社会信用体系建设联席会议相关成员单位"]),
        ("商务部、海关总署等有关部门", ["商务部", "海关总署"]),
        ("省审改办（省委编办）；省财政厅", ["省审改办(省委编办)", "省财政厅"]),
    ],
)  # fmt: skip
def test_split_units(text: str, units: list[str]) -> None:
    assert split_units(text) == units


def test_plain_text_without_assignments() -> None:
    assert extract_tasks("一、总体要求\n1. 坚持问题导向。\n主要负责同志负总责。") == []
    assert extract_tasks("") == []


def _scan_close(text: str, start: int, limit: int = 600) -> int | None:
    """Reference for _Nesting.close: count brackets forward from ``start``."""
    depth = 0
    for i in range(start, min(len(text), start + limit)):
        if text[i] in OPENERS:
            depth += 1
        elif text[i] in CLOSERS:
            depth -= 1
            if depth == 0:
                return i
    return None


def _scan_open(text: str, pos: int, limit: int = 600) -> int | None:
    """Reference for _Nesting.open_at: count brackets back from ``pos`` to a blank line."""
    depth = 0
    for i in range(pos - 1, max(-1, pos - limit), -1):
        ch = text[i]
        if ch in CLOSERS:
            depth += 1
        elif ch in OPENERS:
            if depth == 0:
                return i
            depth -= 1
        elif ch == "\n" and i < pos - 1 and text[i - 1 : i] == "\n":
            return None
    return None


def test_bracket_nesting_matches_scanning() -> None:
    """One forward pass over a body's brackets answers what scanning around each cue did."""
    texts = [f"({'a' * n})" for n in (597, 598, 599, 600)]  # the 600-character limit
    rng = random.Random(7)
    pieces = [*OPENERS, *CLOSERS, "\n", "\n\n", "负责，", "市财政局", "a", "b" * 40, "c" * 200]
    for _ in range(600):
        texts.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))))
    for text in texts:
        brackets = [i for i, ch in enumerate(text) if ch in OPENERS + CLOSERS]
        blanks = [i for i in range(1, len(text)) if text[i - 1 : i + 1] == "\n\n"]
        nesting = _Nesting(text, brackets, blanks)
        ends = {0, 1, len(text) - 1, len(text)}
        for pos in {*rng.sample(range(len(text) + 1), min(len(text) + 1, 60)), *brackets, *ends}:
            assert nesting.open_at(pos) == _scan_open(text, pos), (text, pos)
        for start in brackets:
            if text[start] in OPENERS:
                assert nesting.close(start) == _scan_close(text, start), (text, start)
