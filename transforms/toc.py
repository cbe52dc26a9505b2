"""Read the table of contents (目录) of a gazette issue.

The table of contents lists every document the issue publishes, in order, under section
headings (上级文件, 本级文件, 人事任免 …), and is the best guide to the split. Gazettes print it
in several shapes, all read here:

- page number before the title: ``- 7 凉山州人民政府办公室 关于…的通知（凉府办发〔2020〕5号）``
- page number after the title, with or without dot leaders: ``- 攀枝花市…的通知 36``,
  ``攀枝花市…的通知……………36``, ``…的通知·········· 36``
- section headings plain, in markdown (``## 本级文件``, ``**人事任免**``) or in brackets
- a title broken over two lines (the second line carries the page number)
- the document number in parentheses after the title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from transforms.clean import has_cjk
from transforms.numbers import find_doc_numbers

_MARK = r"(?:[-*•·●◆■□]\s*)?"
# A page number after a title, bare or in brackets: ``…通知 36``, ``…通知……（36）``.
_PAGE = r"(?:(?P<page>\d{1,3})|[（(〔［\[]\s*(?P<ppage>\d{1,3})\s*[)）〕］\]])"
_PAGE_FIRST = re.compile(rf"^{_MARK}(?P<page>\d{{1,3}})\s+(?P<title>\S.*?)\s*$")
# A broken title's first line fills most of a line; a shorter plain line is a heading.
SHORT_HEADING_CHARS = 10
_NUMBER_TAIL = re.compile(r"\s*[（(][^（()）]*(?:〔|\[|［|【|（|\(|令)[^（()）]*号[)）]\s*$")
_HEADING_MARKS = re.compile(
    r"^(?:#{1,6}\s*|\*\*|【|〖|\[|[■□◆◇▲△▶►★☆]\s*)?(?P<name>[^*#【】〖〗\[\]■□◆◇▲△▶►★☆]+?)"
    r"(?:\*\*|】|〗|\])?$"
)
# An ordinal before a section heading: ``一、市政府文件``, ``（二）部门文件``.
_ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}\s*、|[（(]\s*[一二三四五六七八九十]{1,3}\s*[)）])\s*"
)
# A government order listed on its own line (``中华人民共和国国务院令（第738号）``), the
# regulation it publishes on the next: one document.
_ORDER_ENTRY = re.compile(r"^\S{2,30}令\s*[（(]?\s*第\s*\d{1,4}\s*号\s*[)）]?$")
_BRACKETED_ORDER_NO = re.compile(r"[（(](第\d+号)[)）]$")
# Patterns used on every candidate line, compiled once (not looked up in re's cache per call).
_WS = re.compile(r"\s+")
_BASIC_CJK = re.compile("[\u4e00-\u9fff]")
_NOT_TITLE = re.compile(r"[。；]$|[:：]\s*\S{0,3}\d")
_LIST_MARK = re.compile(r"^[-*•·●◆■□]\s")
_MARKED_ENTRY = re.compile(r"^[-*•·●◆■□]\s+(?P<title>\S.*)$")
_HEADING_PUNCT = re.compile(r"[，。：；、\d]")
_PLAIN_HEADING_PUNCT = re.compile(r"[，。：；、]")


@dataclass
class TocEntry:
    """One line of the table of contents: a document's title as listed, and where."""

    title: str  # as printed, number in parentheses removed, spaces kept
    section: str | None
    page: int | None
    doc_number: str | None  # normal form, when the entry prints one
    line: int  # index of the entry's (first) line


@dataclass
class Toc:
    """The table of contents and the lines it occupies (``start`` .. ``end`` exclusive)."""

    entries: list[TocEntry]
    start: int
    end: int


def _page_last(rules: dict[str, Any]) -> re.Pattern[str]:
    return _page_last_for(rules.get("toc", {}).get("leader", r"[.·…\s]{2,}"))


@lru_cache(maxsize=16)
def _page_last_for(leader: str) -> re.Pattern[str]:
    """The page-after-title entry pattern for a leader pattern, compiled once."""
    return re.compile(rf"^{_MARK}(?P<title>\S.*?)(?:{leader}|\s+){_PAGE}\s*$")


def _page_of(m: re.Match[str]) -> int:
    """The page number of an entry match, bare or bracketed."""
    groups = m.groupdict()
    return int(groups.get("page") or groups["ppage"])


def _entry(line: str, rules: dict[str, Any]) -> tuple[str, int | None] | None:
    """(title, page) when ``line`` looks like a table-of-contents entry, else None."""
    conf = rules.get("toc", {})
    leader = conf.get("leader", r"[.·…\s]{2,}")
    return _entry_for(line.strip(), leader, tuple(conf.get("sections", [])))


@lru_cache(maxsize=4096)
def _entry_for(s: str, leader: str, sections: tuple[str, ...]) -> tuple[str, int | None] | None:
    """:func:`_entry` of a stripped line, cached: finding where the table of contents starts
    asks it of each line twice (as a line and as the next line), and reading it once more."""
    if not s or "\t" in s:
        return None
    for rx in (_PAGE_FIRST, _page_last_for(leader)):
        m = rx.match(s)
        if m and _title_like(m["title"]):
            return m["title"].strip(" .·…-"), _page_of(m)
    m = _MARKED_ENTRY.match(s)
    if m and _title_like(m["title"]) and not _section_name(s, sections):
        return m["title"].strip(), None
    return None


def _title_like(title: str) -> bool:
    core = _WS.sub("", title)
    cjk = len(_BASIC_CJK.findall(core))
    return cjk >= 4 and not _NOT_TITLE.search(core)


def is_section_heading(line: str, rules: dict[str, Any]) -> str | None:
    """The section name when ``line`` is a table-of-contents heading, else None."""
    return _section_name(line, rules.get("toc", {}).get("sections", []))


def _section_name(line: str, known: list[str] | tuple[str, ...]) -> str | None:
    """:func:`is_section_heading` with the rule set's section names given."""
    raw = line.strip()
    s = _ORDINAL.sub("", raw)  # 一、市政府文件 / （二）部门文件: the ordinal marks a heading
    m = _HEADING_MARKS.match(s)
    if not m:
        return None
    name = _WS.sub("", m["name"])
    if name in known:
        return name
    marked = raw != m["name"].strip()
    if marked and 2 <= len(name) <= 12 and has_cjk(name) and not _HEADING_PUNCT.search(name):
        return name
    return None


def _split_number(title: str) -> tuple[str, str | None]:
    m = _NUMBER_TAIL.search(title)
    if not m:
        return title, None
    found = find_doc_numbers(m.group(0))
    return title[: m.start()].rstrip(), (found[0].text if found else None)


def read_toc(lines: list[str], rules: dict[str, Any]) -> Toc | None:
    """The table of contents near the top of the issue, or None when the issue has none.

    It starts at the first run of entry lines (a heading just above belongs to it) and ends
    at the first line that is neither an entry, a heading, a continuation nor blank. A
    plain short line followed by entries is a heading even when the rules do not list it.
    """
    conf = rules.get("toc", {})
    limit = min(len(lines), int(conf.get("max_start", 250)))
    toc_heading = re.compile(conf.get("heading", r"^$^"))
    start = None
    for i in range(limit):
        if _entry_at(lines, i, rules) and _next_entry(lines, i + 1, rules):
            start = i
            break
    if start is None:
        return None
    # Walk back over a section heading (and a 目录 line) directly above the first entry.
    first = start
    k = start - 1
    while k >= 0 and (
        not lines[k].strip() or is_section_heading(lines[k], rules) or toc_heading.match(lines[k])
    ):
        if lines[k].strip():
            first = k
        k -= 1
    section = None
    entries: list[TocEntry] = []
    i = first
    end = first
    while i < len(lines):
        s = lines[i].strip()
        if not s or toc_heading.match(s):
            i += 1
            continue
        heading = is_section_heading(s, rules)
        got = _entry(s, rules)
        if heading and not got:
            section, end, i = heading, i + 1, i + 1
            continue
        if got is None and _short_heading(lines, i, rules):
            section, end, i = _WS.sub("", s), i + 1, i + 1
            continue
        if got is None and i + 1 < len(lines):  # a title broken before its page number
            cont = _page_last(rules).match(lines[i + 1].strip())
            if (
                cont
                and _title_like(s + cont["title"])
                and not _LIST_MARK.match(lines[i + 1].strip())
            ):
                got = (s, None)
        if got is None and _plain_heading(lines, i, rules):
            section, end, i = _WS.sub("", s), i + 1, i + 1
            continue
        if got is None:
            break
        title, page = got
        # A title broken over two lines: this entry has no page, the next line has one
        # and no list mark of its own.
        if page is None and i + 1 < len(lines):
            nxt = lines[i + 1].strip()
            cont = _page_last(rules).match(nxt)
            if cont and not _LIST_MARK.match(nxt) and not is_section_heading(nxt, rules):
                title, page, i = title + cont["title"], _page_of(cont), i + 1
        title, number = _split_number(title.strip(" .·…．•⋯-—_"))
        entries.append(TocEntry(title, section, page, number, i))
        end = i + 1
        i += 1
    entries = merge_order_entries(entries)
    return Toc(entries, first, end) if entries else None


def merge_order_entries(entries: list[TocEntry]) -> list[TocEntry]:
    """An order's own line and the regulation listed under it as one entry: the regulation's
    title with the order's number (``中华人民共和国国务院令（第738号）`` / ``农村公路养护管理条例``)."""
    out: list[TocEntry] = []
    i = 0
    while i < len(entries):
        e = entries[i]
        nxt = entries[i + 1] if i + 1 < len(entries) else None
        bare = _WS.sub("", e.title)
        # 国务院令（第738号） -> 国务院令第738号, the form find_doc_numbers reads
        unbracketed = _BRACKETED_ORDER_NO.sub(r"\1", bare)
        found = find_doc_numbers(unbracketed) if _ORDER_ENTRY.match(bare) else []
        if (
            found
            and nxt is not None
            and nxt.section == e.section
            and nxt.doc_number is None
            and not _ORDER_ENTRY.match(_WS.sub("", nxt.title))
            and (nxt.page is None or e.page is None or nxt.page == e.page)
        ):
            out.append(TocEntry(nxt.title, e.section, e.page, found[0].text, e.line))
            i += 2
            continue
        out.append(e)
        i += 1
    return out


def _entry_at(lines: list[str], i: int, rules: dict[str, Any]) -> bool:
    """An entry at line ``i``, or a title broken there whose next line ends with the page."""
    if _entry(lines[i], rules):
        return True
    if i + 1 >= len(lines) or not lines[i].strip():
        return False
    nxt = lines[i + 1].strip()
    cont = _page_last(rules).match(nxt)
    return (
        bool(cont) and not _LIST_MARK.match(nxt) and _title_like(lines[i].strip() + cont["title"])
    )


def _next_entry(lines: list[str], i: int, rules: dict[str, Any]) -> bool:
    """True when the next non-blank line after ``i`` is an entry or a heading followed by one."""
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines):
        return False
    if _entry_at(lines, i, rules):
        return True
    return bool(is_section_heading(lines[i], rules)) and _next_entry(lines, i + 1, rules)


def _short_heading(lines: list[str], i: int, rules: dict[str, Any]) -> bool:
    """A plain heading too short to be the first half of a broken title (``国务院部门文件``
    above ``财政部 税务总局关于…的公告 …… 12``): checked before the broken-title reading."""
    s = _WS.sub("", lines[i])
    return len(s) <= SHORT_HEADING_CHARS and _plain_heading(lines, i, rules)


def _plain_heading(lines: list[str], i: int, rules: dict[str, Any]) -> bool:
    """A short unmarked line without punctuation that is followed by an entry."""
    s = _WS.sub("", lines[i])
    if not (2 <= len(s) <= 12) or not has_cjk(s) or _PLAIN_HEADING_PUNCT.search(s):
        return False
    return _next_entry(lines, i + 1, rules)
