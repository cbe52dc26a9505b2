"""Dates as gazettes print them: Arabic or Chinese numerals, spaced out, ISO-ish or dotted.

Gazettes write the same date as ``2020年2月3日``, ``2020 年 3 月 16 日``,
``二〇〇四年六月二十六日``, ``2020-06-16`` or ``2020.6.16``. Every extractor calls
:func:`parse_date` so that one function decides what a date is.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

_DIGIT = {
    "〇": 0, "○": 0, "零": 0, "Ｏ": 0, "О": 0, "o": 0, "O": 0,
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip

CN_NUM = "〇○零ＯО一二三四五六七八九十"
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_FULL_DIGIT_RUN = re.compile("[０-９]+")


def _half(text: str) -> str:
    """Full-width digits to ASCII, only where there are any."""
    return _FULL_DIGIT_RUN.sub(lambda m: m[0].translate(_FULLWIDTH_DIGITS), text)


# One pattern for every written form; groups y/m/d hold Arabic or Chinese numerals.
DATE_RE = re.compile(
    rf"(?P<y>(?:19|20)\s*\d\s*\d|[{CN_NUM}]{{4}})\s*年\s*"
    rf"(?P<m>\d{{1,2}}|[{CN_NUM}]{{1,3}})\s*月\s*"
    rf"(?P<d>\d{{1,2}}|[{CN_NUM}]{{1,3}})\s*日"
)
ISO_DATE_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[-/.．]\s*(?P<m>\d{1,2})\s*[-/.．]\s*(?P<d>\d{1,2})(?!\d)"
)


def cn_to_int(text: str) -> int | None:
    """Read a number written in Arabic digits or Chinese numerals (一, 十二, 二十六, 二〇二〇).

    Digit-by-digit forms (二〇二〇) are read positionally; forms with 十 (二十六) additively.
    """
    text = _half(text).replace(" ", "")
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        t = _DIGIT.get(tens) if tens else 1
        u = _DIGIT.get(units) if units else 0
        if t is None or u is None:
            return None
        return t * 10 + u
    value = 0
    for ch in text:
        if ch not in _DIGIT:
            return None
        value = value * 10 + _DIGIT[ch]
    return value


@lru_cache(maxsize=4096)
def _make(y: str, m: str, d: str) -> dt.date | None:
    """The date of three matched numerals, or None (cached: an issue repeats its dates)."""
    year, month, day = cn_to_int(y), cn_to_int(m), cn_to_int(d)
    if year is None or month is None or day is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str | None) -> dt.date | None:
    """The first date written in ``text``, or None; never raises on odd input."""
    if not text:
        return None
    text = _half(text)
    m = DATE_RE.search(text) or ISO_DATE_RE.search(text)
    if not m:
        return None
    return _make(m["y"], m["m"], m["d"])


def find_dates(text: str) -> list[tuple[int, dt.date]]:
    """Every date in ``text`` with its character offset, in order."""
    text = _half(text)
    found = []
    for rx in (DATE_RE, ISO_DATE_RE):
        for m in rx.finditer(text):
            d = _make(m["y"], m["m"], m["d"])
            if d:
                found.append((m.start(), d))
    return sorted(found)


_DATE_WRAP = "()（）　 "


def _strippable(ch: str) -> bool:
    """Whether ``line.strip().strip(_DATE_WRAP)`` would remove ``ch`` at the end of a line."""
    return ch.isspace() or ch in _DATE_WRAP


def is_date_line(line: str) -> bool:
    """True when a line holds a date and nothing else (a signature date, ``(2020年1月31日)``)."""
    # DATE_RE ends in 日 and ISO_DATE_RE in a digit (``\d``: str.isdecimal): most lines of
    # an issue end otherwise and need no match at all (nor any stripping, when their last
    # character is not one that strip() would remove).
    last = line[-1:]
    if not last or (last != "日" and not last.isdecimal() and not _strippable(last)):
        return False
    s = line.strip().strip(_DATE_WRAP)
    if not s or (s[-1] != "日" and not s[-1].isdecimal()):
        return False
    m = DATE_RE.fullmatch(s) or ISO_DATE_RE.fullmatch(s)
    return bool(m and _make(m["y"], m["m"], m["d"]))
