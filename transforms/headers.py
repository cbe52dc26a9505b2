"""The header of one document: title, issuers, number, date and genre.

A gazette prints a document as a title (often ``issuer 关于…的通知``, the issuer and the
title split by a space or a line break, the title itself broken over lines), a number line
(``凉府办发〔2020〕5号``), the body, and a signature block (one or more issuing bodies, then
the date). Speeches and work reports have no number; their date sits in parentheses under
the title (``(2020年1月31日)``). Government orders are headed ``XX人民政府令`` / ``第N号``
and name the regulation they publish in 《》. Word lists (title endings, genres, issuer
suffixes) come from the rule set.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from transforms.clean import (
    has_cjk,
    is_date_line,
    is_issuer_line,
    is_number_line,
    normalise_punct,
    overlap_join,
    rule_re,
    strip_signature_note,
)
from transforms.dates import parse_date
from transforms.numbers import DocNumber, find_doc_numbers, order_series, parse_doc_number

MAX_TITLE_LINES = 4
MAX_TITLE_LINE_CHARS = 90


@dataclass
class Header:
    """What a document's header and signature say about it."""

    title: str | None = None
    doc_number: DocNumber | None = None
    issuers: list[str] = field(default_factory=list)
    signed_date: dt.date | None = None
    genre: str = "其他"
    body_start: int = 0  # index (in the document's lines) of the first body line
    title_lines: int = 0


_NOT_KEY = re.compile(r"[\W_]+")


def key(text: str) -> str:
    """A comparison key: letters, digits and Chinese only (spaces, brackets, quotes gone).

    ``[\\W_]`` is exactly what ``str.isalnum`` rejects, so a text that is all letters and
    digits is its own key: one C test, where the substitution looks up the Unicode category
    of every character (~30 ns each)."""
    return text if text.isalnum() else _NOT_KEY.sub("", text)


def _nonblank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def title_endings(rules: dict[str, Any]) -> list[str]:
    """Words a title ends with, longest first."""
    return sorted(rules.get("headers", {}).get("title_endings", []), key=len, reverse=True)


def ends_like_title(text: str, rules: dict[str, Any]) -> bool:
    """True when ``text`` ends with a genre word (通知, 意见, 讲话, 任免 …)."""
    s = key(text)
    return any(s.endswith(e) for e in title_endings(rules))


def genre_of(title: str | None, rules: dict[str, Any]) -> str:
    """The genre a title's last word names; 其他 when it names none of the listed genres."""
    if not title:
        return "其他"
    conf = rules.get("headers", {})
    s = key(title)
    alias = conf.get("genre_alias", {})
    for word in sorted(alias, key=len, reverse=True):
        if s.endswith(word):
            return alias[word]
    for word in sorted(conf.get("genres", []), key=len, reverse=True):
        if s.endswith(word):
            return word
    return "其他"


_DATE_UNDER_TITLE = re.compile(r"^[（(]|^[—\-]{1,2}")
_DATE_OPEN = re.compile(r"^[（(—\-]")
_STOP_PUNCT = re.compile(r"[，。；：,;:]")
_WS = re.compile(r"\s+")
_NAMED = re.compile(r"《([^《》\n]{2,80})》")
_TITLE_NUMBER = re.compile(r"[（(]([^（）()]*号)[）)]$")


def is_header_date_line(line: str) -> bool:
    """A date printed under a title: ``(2020年1月31日)`` or
    ``——2021年1月5日在县第十八届人民代表大会第五次会议上``."""
    s = line.strip()
    if is_date_line(s):
        return True
    return len(s) <= 60 and bool(_DATE_UNDER_TITLE.match(s)) and parse_date(s) is not None


def is_stop_line(line: str, rules: dict[str, Any]) -> bool:
    """A line that cannot be part of a title: a number, a date, a salutation, running text."""
    s = line.strip()
    conf = rules.get("headers", {})
    return (
        not has_cjk(s)
        or "\t" in line
        or is_number_line(s)
        or is_header_date_line(s)
        or bool(rule_re(conf.get("salutation", r"^$^")).match(s))
        or bool(rule_re(conf.get("closing_note", r"^$^")).match(s))
        or bool(_STOP_PUNCT.search(s))
        or len(s) > MAX_TITLE_LINE_CHARS
    )


def title_block(
    lines: list[str], start: int, rules: dict[str, Any], expect: str | None = None
) -> list[int]:
    """Indexes of the lines that make up the title starting at ``start``.

    Lines are taken until a number/date/salutation line or running text; when the title so
    far ends with a genre word and the next line is not needed (it is a stop line, or the
    expected title from the table of contents is already covered), the title ends there.
    """
    taken: list[int] = []
    i = _nonblank(lines, start)
    while i < len(lines) and len(taken) < MAX_TITLE_LINES:
        if is_stop_line(lines[i], rules) or (taken and _opens_paragraph(lines[i], rules)):
            break
        taken.append(i)
        so_far = "".join(lines[k] for k in taken)
        nxt = _nonblank(lines, i + 1)
        if expect and _covers(so_far, expect):
            break  # the listed title is complete, whatever word it ends with (…解读)
        if ends_like_title(so_far, rules):
            if nxt >= len(lines) or is_stop_line(lines[nxt], rules):
                break
            if expect is not None and len(key(so_far)) >= 0.9 * len(key(expect)):
                break
            if expect is None and not _continues(lines[nxt], rules):
                break
        i = nxt
    if taken and not ends_like_title("".join(lines[k] for k in taken), rules):
        # No genre word: keep the lines up to the last that ended like a title, if any.
        for n in range(len(taken), 0, -1):
            if ends_like_title("".join(lines[k] for k in taken[:n]), rules):
                return taken[:n]
    return taken


def _opens_paragraph(line: str, rules: dict[str, Any]) -> bool:
    """A numbered heading (一、 / （一） / 第一条 / 1.) opens the body, never continues a title."""
    pattern = rules.get("clean", {}).get("paragraph_start")
    return bool(pattern) and bool(rule_re(pattern).match(line.strip()))


def _covers(so_far: str, expect: str) -> bool:
    """The title read so far ends the way the table of contents' title does."""
    got, want = key(so_far), key(expect)
    return len(want) >= 4 and len(got) >= len(want) * 0.9 and got.endswith(want[-4:])


def _continues(line: str, rules: dict[str, Any]) -> bool:
    """Whether a line after a complete-looking title still belongs to it (a genre word at
    the end of a broken title: ``…的`` / ``通知``)."""
    s = key(line)
    return bool(s) and len(s) <= 6 and ends_like_title(s, rules)


def join_title(parts: list[str]) -> str:
    """One title from its printed fragments: spaces and breaks removed, repeats at a break
    dropped, punctuation full-width."""
    out = ""
    for frag in (f for p in parts for f in p.split()):
        out = overlap_join(out, frag, min_overlap=2) if out else frag
    return normalise_punct(out)


def issuers_in_title(parts: list[str], rules: dict[str, Any]) -> list[str]:
    """The bodies named before 关于 in a title (``四川省人民政府办公厅`` / ``关于…``), or
    before another verb the rules list where the title has no 关于 (``国务院任免国家工作人员``)."""
    text = " ".join(p.strip() for p in parts)
    verbs = rules.get("headers", {}).get("title_verbs", ["关于"])
    cuts = [pos for v in verbs if (pos := text.find(v)) > 0]
    if not cuts:
        return []
    head = text[: min(cuts)]
    if not head.strip():
        return []
    names = [strip_signature_note(n, rules) for n in head.split()]
    if names and all(is_issuer_line(n, rules) for n in names):
        return names
    whole = _WS.sub("", head)
    return [whole] if is_issuer_line(whole, rules) else []


def signature(
    lines: list[str], start: int, rules: dict[str, Any]
) -> tuple[list[str], dt.date | None]:
    """Issuers and date of the first signature block after ``start``: issuer lines directly
    followed by a date line. Falls back to the first date line alone (a person signs)."""
    first_date: dt.date | None = None
    for i in range(start, len(lines)):
        s = lines[i].strip()
        if not is_date_line(s):
            continue
        date = parse_date(s)
        first_date = first_date or date
        names: list[str] = []
        k = i - 1
        while k >= start and len(names) < 6:
            t = lines[k].strip()
            if not t:
                k -= 1
                continue
            if not is_issuer_line(t, rules):
                break
            names = [strip_signature_note(n, rules) for n in t.split()] + names
            k -= 1
        if names:
            return names, date
    return [], first_date


def _order_header(lines: list[str], rules: dict[str, Any]) -> Header | None:
    """A government order: ``XX人民政府令`` / ``第N号`` / ``《XX办法》已经…通过，现予公布``."""
    conf = rules.get("headers", {})
    i = _nonblank(lines, 0)
    j = _nonblank(lines, i + 1)
    if j >= len(lines):
        return None
    head = rule_re(conf.get("order_head", r"^$^")).match(lines[i].strip())
    num = rule_re(conf.get("order_number", r"^$^")).match(lines[j].strip())
    if not (head and num):
        return None
    # The series in the normal form citations use (中华人民共和国国务院令 -> 国令).
    number = DocNumber(order_series(head["issuer"] + "令"), None, int(num["serial"]))
    rest = "\n".join(lines[j + 1 :])
    named = _NAMED.search(rest)
    title = normalise_punct(named.group(1)) if named else None
    issuer = head["issuer"]
    _, date = signature(lines, j + 1, rules)
    return Header(title, number, [issuer], date, genre_of(title, rules), j + 1, 2)


def parse_header(
    lines: list[str],
    rules: dict[str, Any],
    *,
    expect_title: str | None = None,
    expect_number: str | None = None,
) -> Header:
    """Read the header and signature of one document (its lines, cleaned, not joined).

    ``expect_title``/``expect_number`` come from the table of contents when the issue has
    one; the printed header wins where both are readable.
    """
    order = _order_header(lines, rules)
    if order:
        return order
    first, printed_number = preamble(lines, rules)
    block = title_block(lines, first, rules, expect_title)
    parts = [lines[k] for k in block]
    title = join_title(parts) if parts else None
    if expect_title and (not title or _similar_below(title, expect_title, 0.6)):
        title, parts = join_title([expect_title]), [expect_title]
    head = Header(title=title, doc_number=printed_number, title_lines=len(block))
    i = _nonblank(lines, (block[-1] + 1) if block else first)
    header_date = None
    while i < len(lines):
        s = lines[i].strip()
        if is_number_line(s) and head.doc_number is None:
            head.doc_number = parse_doc_number(s)
        elif header_date is None and is_header_date_line(s) and _DATE_OPEN.match(s):
            header_date = parse_date(s)
        elif _is_register_code(s, rules):
            pass
        else:
            break
        i = _nonblank(lines, i + 1)
    head.body_start = i
    if head.doc_number is None and expect_number:
        head.doc_number = parse_doc_number(expect_number)
    if head.title and head.doc_number is None:  # number printed at the end of the title
        m = _TITLE_NUMBER.search(head.title)
        found = find_doc_numbers(m.group(1)) if m else []
        if found:
            head.doc_number, head.title = found[0], head.title[: m.start()]
    signed_by, signed_on = signature(lines, head.body_start, rules)
    head.issuers = signed_by or issuers_in_title(parts, rules)
    head.signed_date = signed_on if signed_by else (header_date or signed_on)
    if head.signed_date is None:
        head.signed_date = opening_date(lines, head.body_start, rules)
    if head.title and head.title.startswith("关于") and head.issuers:
        head.title = "".join(head.issuers) + head.title
    head.genre = genre_of(head.title, rules)
    return head


def _is_register_code(line: str, rules: dict[str, Any]) -> bool:
    """A normative document's registration code (``ZJAC00-2021-0003``), never body text."""
    pattern = rules.get("headers", {}).get("register_code")
    return bool(pattern) and bool(rule_re(pattern).match(line.strip()))


def is_preamble_line(line: str, rules: dict[str, Any]) -> bool:
    """A line a reprinted red-headed document prints above its title: the masthead
    (``杭州市人民政府文件``), the number, the registration code."""
    s = line.strip()
    red = rules.get("headers", {}).get("red_head")
    return bool(s) and (
        is_number_line(s) or _is_register_code(s, rules) or bool(red and rule_re(red).match(s))
    )


def preamble(lines: list[str], rules: dict[str, Any]) -> tuple[int, DocNumber | None]:
    """Where the title starts after a red-head preamble, and the number printed there.

    Some gazettes reprint a document with its red head (``广东省人民政府文件`` /
    ``粤府〔2021〕12号`` / ``统一编号：…``) above the title instead of the number under it.
    """
    i = _nonblank(lines, 0)
    number = None
    while i < len(lines) and is_preamble_line(lines[i], rules):
        s = lines[i].strip()
        if number is None and is_number_line(s):
            number = parse_doc_number(s)
        i = _nonblank(lines, i + 1)
    return (i, number) if i < len(lines) else (0, None)


def opening_date(lines: list[str], start: int, rules: dict[str, Any]) -> dt.date | None:
    """The date a document's first sentence opens with (``2021年3月19日，国务院任免…``): the
    date of a notice that prints neither a signature nor a date under its title."""
    pattern = rules.get("headers", {}).get("opening_date")
    i = _nonblank(lines, start)
    if not pattern or i >= len(lines):
        return None
    m = rule_re(pattern).match(lines[i].strip())
    return parse_date(m["date"]) if m else None


def _similar(a: str, b: str) -> float:
    ka, kb = key(a), key(b)
    if not ka or not kb:
        return 0.0
    return SequenceMatcher(None, ka, kb).ratio()


def _similar_below(a: str, b: str, threshold: float) -> bool:
    """``_similar(a, b) < threshold``, the full comparison made only when needed: equal keys
    score 1.0 (below 200 characters, where the matcher's junk heuristic stays off), and the
    matcher's cheap upper bounds settle most other pairs."""
    ka, kb = key(a), key(b)
    if not ka or not kb:
        return threshold > 0.0
    if ka == kb and len(kb) < 200:
        return threshold > 1.0
    sm = SequenceMatcher(None, ka, kb)
    if sm.real_quick_ratio() < threshold or sm.quick_ratio() < threshold:
        return True
    return sm.ratio() < threshold


def looks_like_title_line(line: str, rules: dict[str, Any]) -> bool:
    """A short line of Chinese text without sentence punctuation (a title fragment)."""
    s = line.strip()
    return bool(s) and has_cjk(s) and not is_stop_line(s, rules) and not is_issuer_line(s, rules)
