"""The bracket-cue pattern of transforms/tasks.py, grouped by first character, against the flat
alternation it replaced (the reference below): the same matches, so the same task rows, on
the seeds, the held-out issues and edge cases."""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path

import pytest
from conftest import SEEDS

from transforms import tasks
from transforms.tasks import CLOSERS, OPENERS, _alt, _ordered, rules

HELDOUT = Path(__file__).resolve().parent / "gold" / "heldout"
TEXTS = sorted(SEEDS.glob("*.txt")) + sorted(HELDOUT.glob("*.txt"))


def _reference_bracket_cues(labels: str, role_words: list[str]) -> re.Pattern[str]:
    """The flat alternation: labels at openers, bare brackets, role words longest first."""
    role_end = rf"\s*(?=[,，;；。{re.escape(CLOSERS)}])"
    return re.compile(
        "|".join(
            [rf"{re.escape(o)}\s*(?:{labels})\s*[:：]" for o in OPENERS]
            + [re.escape(b) for b in OPENERS + CLOSERS]
            + [w + role_end for w in [*_ordered(role_words), "下同"]]
        )
    )


REFERENCE = _reference_bracket_cues(_alt(rules()["unit_labels"]), rules()["role_words"])

EDGES = [
    "",
    "（责任单位：市财政局）",
    "（ 责任单位 ： 市财政局、市税务局）",
    "〔牵头单位:市发展改革委〕（配合单位：市商务局）",
    "（国家发展改革委、财政部负责）",
    "（A、B牵头，C配合）",
    "（各部门按职责分工分别负责）（按职责分别负责；按职责负责。）",
    "（市委组织部牵头负责 ）、共同负责，分别负责",
    "（列首位的为牵头单位，下同）负责负责，下同下同）",
    "[牵头领导：张三] ［责任主体：乙］ 【承办单位：丙】",
    "((（负责）))」負責）",
    "牵头单位：市财政局\n责任单位：市税务局",
    "负责\n，负责\t）落实  。督办]参加［参与】",
]


def _pieces() -> list[str]:
    words = [*rules()["role_words"], *rules()["unit_labels"], "下同"]
    return [
        *OPENERS,
        *CLOSERS,
        *words,
        "：",
        ":",
        " ",
        "\n",
        "，",
        "。",
        "；",
        "市财政局",
        "分",
        "按职",
    ]


def _random_texts(n: int = 400) -> list[str]:
    rng = random.Random(11)
    pieces = _pieces()
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(n)]


def _spans(rx: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in rx.finditer(text)]


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_grouped_cues_match_the_reference_on_real_text(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _spans(tasks._patterns().bracket_cues, text) == _spans(REFERENCE, text)


def test_grouped_cues_match_the_reference_on_edge_cases() -> None:
    for text in EDGES + _random_texts():
        assert _spans(tasks._patterns().bracket_cues, text) == _spans(REFERENCE, text), text


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_task_rows_unchanged_with_the_reference_pattern(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_text(encoding="utf-8")
    got = tasks._task_rows(text)
    got_brackets = tasks._brackets(text)
    reference = dataclasses.replace(tasks._patterns(), bracket_cues=REFERENCE)
    monkeypatch.setattr(tasks, "_patterns", lambda: reference)
    assert tasks._brackets(text) == got_brackets
    assert tasks._task_rows(text) == got


def _reference_brackets(text: str) -> list[tuple[int, int]]:
    """_brackets as it was: the cue loop, then _Nesting's own pass over the brackets."""
    brackets: list[int] = []
    labels: list[int] = []
    roles: list[int] = []
    for m in tasks._patterns().bracket_cues.finditer(text):
        i = m.start()
        if text[i] not in OPENERS + CLOSERS:
            roles.append(i)
            continue
        brackets.append(i)
        if m.end() > i + 1:
            labels.append(i)
    if not labels and not roles:
        return []
    blanks = [m.start() for m in tasks._BLANK_LINE.finditer(text)] if roles else []
    nesting = tasks._Nesting(text, brackets, blanks)
    spans: set[tuple[int, int]] = set()
    for i in labels:
        c = nesting.close(i)
        if c is not None:
            spans.add((i, c))
    for i in roles:
        o = nesting.open_at(i)
        c = nesting.close(o) if o is not None else None
        if c is not None:
            spans.add((o, c))
    outer: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if not outer or s >= outer[-1][1]:
            outer.append((s, e))
    return outer


def _nesting_texts() -> list[str]:
    """Stray closers, unclosed openers, blank lines, the 600-character limit."""
    rng = random.Random(5)
    pieces = [*_pieces(), "\n\n", "a" * 200, "b" * 599]
    texts = [f"（{'a' * n}负责）" for n in (595, 596, 597, 598, 599)]
    texts += [
        "）（负责）",
        "（（负责）",
        "（a\n\n负责）",
        "（责任单位：甲）（乙负责",
        "）)（责任单位：甲）",
    ]
    return texts + [
        "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(600)
    ]


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_one_pass_scan_matches_the_two_pass_reference_on_real_text(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert tasks._brackets(text) == _reference_brackets(text)
    for part in text.split("\n\n"):  # each paragraph group as a body of its own
        assert tasks._brackets(part) == _reference_brackets(part)


def test_one_pass_scan_matches_the_two_pass_reference_on_edge_cases() -> None:
    for text in EDGES + _random_texts() + _nesting_texts():
        assert tasks._brackets(text) == _reference_brackets(text), text


def test_one_pass_nesting_answers_like_the_two_pass_nesting() -> None:
    for text in EDGES + _nesting_texts():
        nesting, _, _ = tasks._scan(text)
        blanks = [m.start() for m in tasks._BLANK_LINE.finditer(text)]
        nesting.blanks = blanks
        reference = tasks._Nesting(text, nesting.brackets, blanks)
        assert nesting.closer == reference.closer and nesting.top == reference.top, text
        for pos in range(len(text) + 1):
            assert nesting.open_at(pos) == reference.open_at(pos), (text, pos)
