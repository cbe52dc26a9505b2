"""join_paragraphs against its first implementation (a Python loop over every line, each
pair's tests in a fixed order, counts over the whole paragraph so far), kept here as the
reference: the same paragraphs on the seeds, the held-out issues and edge cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import SEEDS

from transforms.clean import (
    _CONTINUES,
    _RUNNING,
    _per_line,
    _tidy,
    clean_lines,
    is_date_line,
    is_issuer_line,
    is_number_line,
    join_paragraphs,
    normalise_punct,
    rule_re,
)
from transforms.rules import load_rules

_GOLD = Path(__file__).resolve().parent / "gold" / "heldout"
_TEXTS = sorted(SEEDS.glob("*.txt")) + sorted(_GOLD.glob("*.txt"))


def _reference_continues(
    prev: str, nxt: str, rules: dict[str, Any], starts, min_chars: int
) -> bool:
    if (
        starts.match(nxt)
        or is_number_line(nxt)
        or is_date_line(nxt)
        or is_date_line(prev)
        or is_issuer_line(nxt, rules)
        or is_issuer_line(prev, rules)
    ):
        return False
    if _CONTINUES.match(nxt):
        return True
    unbalanced = prev.count("（") + prev.count("(") > prev.count("）") + prev.count(")")
    if unbalanced or _RUNNING.search(prev, 0, len(prev) - 1):
        return True
    return len(prev) >= min_chars


def _reference_join_paragraphs(lines: list[str], rules: dict[str, Any]) -> list[str]:
    conf = rules.get("clean", {})
    ends = conf.get("sentence_end", "。！？；")
    starts = rule_re(conf.get("paragraph_start", r"^$^"))
    min_chars = int(conf.get("join_min_chars", 24))
    out: list[str] = []
    for raw in lines:
        if "\t" in raw:
            line = raw.rstrip()
            nxt = line.strip()
        else:
            line = nxt = raw.strip()
        if not nxt:
            continue
        if (
            out
            and out[-1][-1] not in ends
            and "\t" not in out[-1]
            and "\t" not in nxt
            and _reference_continues(out[-1], nxt, rules, starts, min_chars)
        ):
            out[-1] = out[-1] + nxt
        else:
            out.append(line)
    return _per_line(out, lambda t: _tidy(normalise_punct(t)))


def _windows(lines: list[str], size: int = 40) -> list[list[str]]:
    """Overlapping stretches of an issue's lines: bodies start and end anywhere."""
    return [lines[k : k + size] for k in range(0, max(1, len(lines)), size // 2)]


@pytest.mark.parametrize("path", _TEXTS, ids=lambda p: p.name)
def test_join_paragraphs_agrees_with_the_reference_on_real_texts(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    rules = load_rules(None, text)
    lines = clean_lines(text, rules)
    assert join_paragraphs(lines, rules) == _reference_join_paragraphs(lines, rules)
    for window in _windows(lines):
        assert join_paragraphs(window, rules) == _reference_join_paragraphs(window, rules)
        tabbed = [line.replace(" ", "\t", 1) for line in window]
        assert join_paragraphs(tabbed, rules) == _reference_join_paragraphs(tabbed, rules)


_EDGE = [
    [],
    [""],
    ["  ", "\t", ""],
    ["一句话"],
    ["各县（市）人民政府，州级各部门：为进一步加强", "管理工作，现通知如下。"],
    ["（一）加强领导", "各地要高度重视"],  # a numbered heading does not continue
    ["关于做好2020年", "春耕生产的通知"],  # short, no punctuation: not joined
    ["副院长(试用", "期一年);"],  # unbalanced bracket
    ["内容，", "凉山州人民政府"],  # a signature does not join
    ["凉山州人民政府", "2020年3月9日"],  # nor a date
    ["2020年", "3月9日", "下一行"],  # a date broken over two lines, then running text
    ["短行", "凉府办发〔2020〕5号"],  # a number line
    ["\t表头\t列", "续行"],  # a tabbed line never takes a continuation
    ["开头", "\t续行"],  # a line with a leading tab (stripped) may join
    ["a" * 30, "b" * 30, "c" * 30, "。"],  # long lines run on
    ["x" * 85 + "政府", "y"],  # a long previous line is no signature
    ["内容：", "）后文"],  # a closing mark continues
    ["甲乙丙丁（", "戊己）", "庚辛", "壬癸"],
    ["（2020年", "3月9日", "，后文"],  # two lines joined into a date: the next does not join
    ["（2020年", "3月9日", "，后文", "，再后"],
]


@pytest.mark.parametrize("lines", _EDGE)
def test_join_paragraphs_agrees_with_the_reference_on_edge_cases(lines: list[str]) -> None:
    for name in (None, "liangshan", "panzhihua"):
        rules = load_rules(name)
        assert join_paragraphs(lines, rules) == _reference_join_paragraphs(lines, rules)
