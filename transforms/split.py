"""Split a gazette issue (cleaned lines) into its documents.

The table of contents is the best guide: each entry's title is looked up, in order, among
the header-like lines after the table of contents (fuzzy, since the listed title may lack
the issuer, put a space between issuer and title, or differ by a repeated word). Without a
table of contents, or for entries it cannot place, a document starts where the header
pattern says so: a title line ending in a genre word followed by a number line or a date
line, a personnel digest title (1—2月人事任免) or an order head (XX人民政府令 / 第N号).
Attachments (附件) have titles but no number or date line under them, so they stay with
their parent.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from transforms.clean import is_issuer_line, is_number_line, rule_re
from transforms.headers import (
    ends_like_title,
    is_header_date_line,
    is_preamble_line,
    is_stop_line,
    key,
    title_block,
)
from transforms.numbers import parse_doc_number
from transforms.toc import Toc, TocEntry

MATCH_THRESHOLD = 0.8
_WS = re.compile(r"\s+")
MAX_HEADER_LINE_CHARS = 150


@dataclass
class Segment:
    """One document's lines: ``start`` .. ``end`` (exclusive) in the cleaned lines."""

    start: int
    end: int
    entry: TocEntry | None = None


def _next(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _window(lines: list[str], i: int, size: int) -> str:
    """The comparison key of the text starting at line ``i``, at least ``size`` long."""
    out = ""
    j = i
    for _ in range(4):
        if j >= len(lines) or len(out) >= size:
            break
        out += key(lines[j])
        j = _next(lines, j + 1)
    return out


def _toc_keys(entry: TocEntry) -> list[str]:
    """The entry's key, and the key without its issuer (headers may print it elsewhere)."""
    k = key(entry.title)
    keys = [k]
    pos = k.find("关于")
    if pos > 0:
        keys.append(k[pos:])
    return keys


def _score(lines: list[str], i: int, keys: list[str]) -> float:
    best = 0.0
    first = key(lines[i])
    for k in keys:
        if len(k) < 2 or not first.startswith(k[:2]):
            continue
        window = _window(lines, i, len(k))[: len(k)]
        best = max(best, SequenceMatcher(None, k, window).ratio())
    return best


def _extend_back(lines: list[str], i: int, floor: int, rules: dict[str, Any]) -> int:
    """Move a start found on a ``关于…`` line up over issuer lines printed above it."""
    if not key(lines[i]).startswith("关于"):
        return i
    k = i - 1
    while k >= floor and not lines[k].strip():
        k -= 1
    if k >= floor and is_issuer_line(lines[k], rules):
        return k
    return i


MAX_PREAMBLE_LINES = 4


def _extend_over_preamble(lines: list[str], i: int, floor: int, rules: dict[str, Any]) -> int:
    """Move a start up over a red-head preamble printed above the title (``广东省人民政府文件``
    / ``粤府〔2021〕12号`` / ``统一编号：…``): those lines belong to the document below."""
    start = i
    k = i - 1
    taken = 0
    while k >= floor and taken < MAX_PREAMBLE_LINES:
        if not lines[k].strip():
            k -= 1
            continue
        if not is_preamble_line(lines[k], rules):
            break
        start, taken, k = k, taken + 1, k - 1
    return start


_KEY_DROP = re.compile(r"[^\w\n]+")


def _line_keys(lines: list[str]) -> list[str]:
    """``[key(line) for line in lines]`` in one regex pass over the joined text (``key`` drops
    every non-word character and "_"; the line breaks are kept to split the result again)."""
    if not lines or any("\n" in line for line in lines):
        return [key(line) for line in lines]
    return _KEY_DROP.sub("", "\n".join(lines)).replace("_", "").split("\n")


class _LineIndex:
    """The lines after the table of contents indexed once by the first two characters of
    their key: only a line whose key starts like an entry's can score above zero, so each
    entry is compared with those lines alone instead of with every line.

    Keys are computed when asked for: the head of most lines is their first two characters
    (when both are letters, digits or Chinese, ``key`` keeps them), and only the lines an
    entry is compared with need the whole key (a regex pass over every line costs more).
    """

    def __init__(
        self, lines: list[str], begin: int, rules: dict[str, Any], heads: set[str]
    ) -> None:
        """Index the lines from ``begin`` on whose key starts with one of ``heads`` (the heads
        of every entry's keys: no other line is ever a candidate)."""
        self.lines, self.rules = lines, rules
        self._keys: dict[int, str] = {}
        self.by_head: dict[str, list[int]] = {h: [] for h in heads}
        slow: list[int] = []
        for i in range(begin, len(lines)):
            head = lines[i][:2]
            # A key holds only what str.isalnum accepts, so a wanted head is two such
            # characters; a line starting with two of them has them as its key's head.
            if head in heads:
                self.by_head[head].append(i)
            elif head and not (len(head) == 2 and head.isalnum()):
                slow.append(i)
        # The others (``（二）…``, ``1.…``): key filters character by character, so the key of
        # a line's first characters starts like the line's; those keys in one regex pass.
        prefixes = _line_keys([lines[i][:8] for i in slow])
        for i, pre in zip(slow, prefixes, strict=True):
            head = pre[:2] if len(pre) >= 2 else self.key(i)[:2]
            if head in heads:
                self.by_head[head].append(i)
        self._usable: dict[int, bool] = {}

    def key(self, i: int) -> str:
        """``key(lines[i])``, computed once."""
        k = self._keys.get(i)
        if k is None:
            k = self._keys[i] = key(self.lines[i])
        return k

    def candidates(self, keys: list[str], pos: int) -> list[int]:
        """Lines from ``pos`` on whose key starts like one of ``keys``, in order."""
        heads = {k[:2] for k in keys if len(k) >= 2}
        out: list[int] = []
        for h in heads:
            idx = self.by_head.get(h, [])
            out.extend(idx[bisect_left(idx, pos) :])
        return sorted(set(out)) if len(heads) > 1 else out

    def usable(self, i: int) -> bool:
        """May line ``i`` start a title (not blank, not too long, not a stop line unless
        it names an issuer)?"""
        if i not in self._usable:
            line = self.lines[i]
            s = line.strip()
            self._usable[i] = not (
                not s
                or len(s) > MAX_HEADER_LINE_CHARS
                or is_stop_line(line, self.rules)
                and not is_issuer_line(s, self.rules)
            )
        return self._usable[i]

    def window(self, i: int, size: int) -> str:
        """:func:`_window` from the precomputed keys."""
        out = ""
        j = i
        for _ in range(4):
            if j >= len(self.lines) or len(out) >= size:
                break
            out += self.key(j)
            j = _next(self.lines, j + 1)
        return out

    def score(self, i: int, keys: list[str], best: float) -> float:
        """:func:`_score` of line ``i``, except that a key whose similarity cannot exceed
        ``best`` nor reach 0.9 (its quick upper bound says so) is not compared in full:
        the result differs only where it does not matter to :func:`locate_entries`."""
        out = 0.0
        first = self.key(i)
        for k in keys:
            if len(k) < 2 or not first.startswith(k[:2]):
                continue
            window = self.window(i, len(k))[: len(k)]
            if window == k:
                return 1.0
            sm = SequenceMatcher(None, k, window)
            floor = min(max(best, out), 0.9)
            # The bounds are never negative: with nothing to beat yet they cannot settle it.
            if floor > 0.0 and (sm.real_quick_ratio() < floor or sm.quick_ratio() < floor):
                continue
            out = max(out, sm.ratio())
        return out


def locate_entries(lines: list[str], toc: Toc, rules: dict[str, Any]) -> list[tuple[int, TocEntry]]:
    """Where each table-of-contents entry's document starts, in order; entries that cannot be
    placed are left out (the header pattern may still find them)."""
    found: list[tuple[int, TocEntry]] = []
    pos = toc.end
    index: _LineIndex | None = None
    for entry in toc.entries:
        order = _find_order(lines, pos, entry, rules)
        if order is not None:
            found.append((order, entry))
            pos = order + 1
            continue
        if index is None:
            heads = {k[:2] for e in toc.entries for k in _toc_keys(e) if len(k) >= 2}
            index = _LineIndex(lines, toc.end, rules, heads)
        keys = _toc_keys(entry)
        best, best_i = 0.0, None
        for i in index.candidates(keys, pos):
            if not index.usable(i):
                continue
            score = index.score(i, keys, best)
            if score >= 0.9:
                best, best_i = score, i
                break
            if score > best:
                best, best_i = score, i
        if best_i is not None and best >= MATCH_THRESHOLD:
            start = _extend_back(lines, best_i, pos, rules)
            start = _extend_over_preamble(lines, start, pos, rules)
            found.append((start, entry))
            pos = best_i + 1
    return found


def _find_order(lines: list[str], pos: int, entry: TocEntry, rules: dict[str, Any]) -> int | None:
    """Where an order listed as ``XX办法（市政府令第12号）`` starts: its ``XX令`` / ``第12号``
    head (the listed title is the regulation's name, printed further down)."""
    number = parse_doc_number(entry.doc_number) if entry.doc_number else None
    if number is None or number.year is not None or not number.series.endswith("令"):
        return None
    conf = rules.get("headers", {})
    head = rule_re(conf.get("order_head", r"^$^"))
    serial = rule_re(conf.get("order_number", r"^$^"))
    for i in range(pos, len(lines)):
        if head.match(lines[i].strip()):
            j = _next(lines, i + 1)
            m = serial.match(lines[j].strip()) if j < len(lines) else None
            if m and int(m["serial"]) == number.serial:
                return i
    return None


def header_starts(lines: list[str], begin: int, rules: dict[str, Any]) -> list[int]:
    """Document starts found by the header pattern alone (no table of contents needed)."""
    conf = rules.get("headers", {})
    personnel = rule_re(conf.get("personnel_title", r"^$^"))
    order_head = rule_re(conf.get("order_head", r"^$^"))
    order_number = rule_re(conf.get("order_number", r"^$^"))
    red_head = rule_re(conf.get("red_head", r"^$^"))
    starts: list[int] = []
    i = _next(lines, begin)
    while i < len(lines):
        s = lines[i].strip()
        nxt = _next(lines, i + 1)
        if order_head.match(s) and nxt < len(lines) and order_number.match(lines[nxt].strip()):
            starts.append(i)
            i = _next(lines, nxt + 1)
            continue
        if red_head.match(s) and nxt < len(lines) and is_number_line(lines[nxt]):
            starts.append(i)  # a red head and its number above the title
            i = _next(lines, nxt + 1)
            i = _next(lines, (title_block(lines, i, rules) or [i - 1])[-1] + 1)
            continue
        if personnel.match(_WS.sub("", s)):
            starts.append(i)
            i = nxt
            continue
        after = _numbered_title_end(lines, i, rules)
        if after is not None:
            starts.append(i)
            i = _next(lines, after + 1)
            continue
        i = nxt
    return starts


def _numbered_title_end(lines: list[str], i: int, rules: dict[str, Any]) -> int | None:
    """When a title (not a signature) starts at ``i`` and is followed by a number or date
    line, the index of that line; else None."""
    if is_stop_line(lines[i], rules) or _after_open_sentence(lines, i, rules):
        return None
    block = title_block(lines, i, rules)
    if not block or not ends_like_title("".join(lines[k] for k in block), rules):
        return None
    if all(is_issuer_line(lines[k], rules) for k in block):
        return None
    after = _next(lines, block[-1] + 1)
    for _ in range(2):  # an issuer printed between title and date (公报, 公告)
        if after < len(lines) and is_issuer_line(lines[after], rules):
            after = _next(lines, after + 1)
    if after < len(lines) and (is_number_line(lines[after]) or is_header_date_line(lines[after])):
        return after
    return None


def _after_open_sentence(lines: list[str], i: int, rules: dict[str, Any]) -> bool:
    """True when the line before ``i`` is running text that has not ended (so ``i`` is its
    continuation, not a title)."""
    k = i - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    if k < 0:
        return False
    prev = lines[k].strip()
    ends = rules.get("clean", {}).get("sentence_end", "。")
    return len(prev) > MAX_HEADER_LINE_CHARS // 2 and prev[-1] not in ends


def _fill_gaps(
    lines: list[str], toc: Toc, placed: list[tuple[int, TocEntry]], rules: dict[str, Any]
) -> list[tuple[int, TocEntry | None]]:
    """Placed entries, plus header-pattern starts for entries the lookup could not place
    (at most as many as are missing; they carry no entry, so no section)."""
    starts: list[tuple[int, TocEntry | None]] = list(placed)
    missing = len(toc.entries) - len(placed)
    if missing <= 0:
        return starts
    taken = {s for s, _ in placed}
    extra = [i for i in header_starts(lines, toc.end, rules) if all(abs(i - t) > 3 for t in taken)]
    starts.extend((i, None) for i in extra[:missing])
    return sorted(starts, key=lambda t: t[0])


def split_issue(
    lines: list[str], toc: Toc | None, rules: dict[str, Any], *, begin: int = 0
) -> list[Segment]:
    """The documents of an issue as line ranges, each with its table-of-contents entry.

    With a table of contents every placed entry starts a document and nothing else does
    (what the issue lists is what it publishes); without one the header pattern decides.
    """
    if toc is not None:
        placed = locate_entries(lines, toc, rules)
        if placed and len(placed) >= max(1, len(toc.entries) // 2):
            starts = _fill_gaps(lines, toc, placed, rules)
        else:
            starts = [(s, None) for s in header_starts(lines, toc.end, rules)]
    else:
        starts = [(s, None) for s in header_starts(lines, begin, rules)]
    segments = []
    for n, (start, entry) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        while end > start and not lines[end - 1].strip():
            end -= 1
        segments.append(Segment(start, end, entry))
    return segments
