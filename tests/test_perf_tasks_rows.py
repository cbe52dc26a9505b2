"""Numbered items and label-line containment in transforms/tasks.py against the code they
replaced (the references below), on the seeds, the held-out issues and edge cases."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from conftest import SEEDS

from transforms import tasks

HELDOUT = Path(__file__).resolve().parent / "gold" / "heldout"
TEXTS = sorted(SEEDS.glob("*.txt")) + sorted(HELDOUT.glob("*.txt"))


def _reference_level(m: re.Match[str]) -> int:
    """Depth of a numbered item: 一、/第一条 0, (一) 1, 1. 2, (1) 3."""
    if m["cn"] or m["art"]:
        return 0
    if m["paren"]:
        return 3 if m["paren"].isdigit() else 1
    return 2


def _reference_no(m: re.Match[str]) -> int | None:
    raw = m["arab"] or m["paren"] or m["cn"] or m["art"]
    return tasks._cn_to_int(raw) if raw else None


def _reference_markers(text: str) -> list[tuple[int, int, int | None, int]]:
    return [
        (m.start(), m.end() - 1, _reference_no(m), _reference_level(m))
        for m in tasks._line_matches(tasks._MARKER, text)
    ]


EDGES = [
    "",
    "1.任务\n(一)任务\n（二）任务\n一、总则\n第一条 内容\n第十二项\n(1)甲\n（12）乙\n",
    "  3 . 甲\n\u3000（ 十一 ）乙\n十、丙\n1.5 不是\n2..不是\n第一百条 丁\n123、戊",
]


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_markers_match_the_reference(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert tasks._markers(text) == _reference_markers(text)


def test_markers_match_the_reference_on_edge_cases() -> None:
    for text in EDGES:
        assert tasks._markers(text) == _reference_markers(text), text


def test_within_is_any_over_disjoint_spans() -> None:
    rng = random.Random(3)
    for _ in range(300):
        cuts = sorted(rng.sample(range(200), rng.randrange(0, 20) * 2))
        spans = list(zip(cuts[0::2], cuts[1::2], strict=True))
        starts, ends = [s for s, _ in spans], [e for _, e in spans]
        for pos in range(-1, 201):
            want = any(s <= pos < e for s, e in spans)
            assert tasks._within(starts, ends, pos) == want, (spans, pos)


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_label_lines_are_sorted_and_disjoint(path: Path) -> None:
    """What _within needs of the label-line spans _task_rows gives it."""
    text = path.read_text(encoding="utf-8")
    spans = [
        (m.start(), m.end() - 1) for m in tasks._line_matches(tasks._patterns().label_line, text)
    ]
    for (s1, e1), (s2, _) in zip(spans, spans[1:], strict=False):
        assert s1 < e1 <= s2
