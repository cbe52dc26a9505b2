"""Document numbers cited in a body (引用文号).

A body cites other documents by number: ``印发凉府人〔2020〕1、3、4号文件``,
``《…》（国发〔2019〕3号）``, ``国令第707号``. Each cited number is one row, lists expanded,
the document's own number left out and duplicates within the document removed. Finding and
normalising a number is :mod:`transforms.numbers`' job; this module only prepares the text
(numbers broken over a line break, running text glued to a series) and decides what to keep.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache, lru_cache
from pathlib import Path

from transforms.numbers import OPEN, DocNumber, find_doc_numbers, normalize_doc_number

RULES_PATH = Path(__file__).with_name("rules") / "facts.toml"

_OPEN_CC = re.escape(OPEN)
# ``凉府办发〔2020〕`` / ``5号``: a break between the bracketed year and the serial.
_SERIAL = r"(?=第?\s*\d+(?:\s*[、,，]\s*\d+)*\s*号)"
_SERIAL_BREAK = re.compile(rf"([〕\]］)）】])[ \t]*\n[ \t]*{_SERIAL}")
# The break of a _SERIAL_BREAK match alone. It starts with a literal, so the engine jumps from
# newline to newline; _SERIAL_BREAK starts at every closing bracket, ``)`` and ``）`` included.
_SERIAL_LINE = re.compile(rf"\n[ \t]*{_SERIAL}")
# A bracketed year's end or 令第, as separate patterns: each starts with a literal, so a search
# jumps to candidates (one alternation of them tests a class at every position, ~3x slower).
_YEAR_CLOSE = r"\s*\d\s*\d\s*[〕\]］)）】]"
_CUES = tuple(re.compile(p) for p in (rf"19{_YEAR_CLOSE}", rf"20{_YEAR_CLOSE}", r"令\s*第"))


@cache
def rules() -> dict:
    """The ``[citations]`` section of the facts rules, read once."""
    with RULES_PATH.open("rb") as fh:
        return tomllib.load(fh)["citations"]


@lru_cache(maxsize=4096)
def _trim(series: str) -> str:
    """Cut running text still glued to a series (rules' extra boundary words, length cap);
    cached, as the same series recur."""
    r = rules()
    cut = 0
    for w in r["leading_words"]:
        i = series.rfind(w)
        if i != -1 and len(series) - (i + len(w)) >= 2:
            cut = max(cut, i + len(w))
    series = series[cut:]
    return series[-r["max_series_len"] :]


# A line that starts with a series code and a bracketed year (a candidate to join upward). The
# pattern starts at the line break, a literal found by a fast search (a leading ``[ \t]*`` would
# make the engine try every position); the spaces before the break are taken by hand.
_CODE_BREAK = re.compile(
    rf"\n[ \t]*(?=(?P<head>[\u4e00-\u9fa5]{{1,8}})\s*[{_OPEN_CC}]\s*(?:19|20)\d\d)"
)


@cache
def _break_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    r = rules()
    return tuple(r["break_before_number"]), tuple(r["title_endings"])


def _joins(prev_line: str, head: str) -> bool:
    """Whether a break between ``prev_line`` and a line starting with a code is inside text.

    Joined: ``…印发`` / ``凉府人〔2020〕1号`` (the line ends in a word that goes on to cite), and
    ``…(a long wrapped line)凉府`` / ``办发〔2020〕5号`` (a short head after a full line that does
    not end like a title). Kept apart: a title line above its own number.
    """
    words, titles = _break_words()
    if not prev_line:
        return False
    if prev_line.endswith(words):
        return True
    return (
        len(prev_line) >= 30
        and len(head) <= 4
        and "\u4e00" <= prev_line[-1] <= "\u9fa5"
        and not prev_line.endswith(titles)
    )


def _join_breaks(body: str) -> str:
    """Undo line breaks that fall inside a document number or right before one."""
    if _SERIAL_LINE.search(body):  # rare: most bodies need no substitution
        body = _SERIAL_BREAK.sub(r"\1", body)
    if "\n" not in body:
        return body
    out: list[str] = []
    last = prev_end = 0
    for m in _CODE_BREAK.finditer(body):
        start = m.start()  # the match starts at the spaces before the break
        while start > prev_end and body[start - 1] in " \t":
            start -= 1
        prev_end = m.end()
        line_start = body.rfind("\n", 0, start) + 1
        if _joins(body[line_start:start].rstrip(), m["head"]):
            out.append(body[last:start])
            last = m.end()
    out.append(body[last:])
    return "".join(out)


def find_citations(body: str | None, own_number: str | None = None) -> list[DocNumber]:
    """Cited numbers in order of first appearance, own number and duplicates removed."""
    if not body or not any(rx.search(body) for rx in _CUES):
        return []
    own = normalize_doc_number(own_number) if own_number else None
    seen: set[str] = set()
    out: list[DocNumber] = []
    for n in find_doc_numbers(_join_breaks(body)):
        series = _trim(n.series)
        if len(series) < 2 and n.year is not None:
            continue
        n = DocNumber(series, n.year, n.serial)
        if n.text == own or n.text in seen:
            continue
        seen.add(n.text)
        out.append(n)
    return out


def extract_citations(body: str | None, own_number: str | None = None) -> list[dict]:
    """Cited numbers as dicts (cited_doc_number, series, doc_year, serial) for one body."""
    return [
        {"cited_doc_number": n.text, "series": n.series, "doc_year": n.year, "serial": n.serial}
        for n in find_citations(body, own_number)
    ]
