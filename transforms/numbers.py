"""Document numbers (发文字号): find, normalise and parse them.

A number is a series code, a year in brackets and a serial: ``凉府办发〔2020〕5号``. PDF text and
web pages write it as ``凉府办发〔2020〕5 号``, ``凉府办函[2020]12号``, ``川府发（2018）42号`` or
list several at once, ``凉府人〔2020〕1、3、4号``. Orders and decrees have no year:
``国令第707号``, ``省政府令第223号``. The normal form keeps the series, writes the year in
``〔〕`` and drops every space, so the same number always compares equal.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

# ﹝﹞ (small brackets) and 〖〗 come out of some PDF fonts in place of 〔〕.
OPEN = "〔[［(（【﹝〖"
CLOSE = "〕]］)）】﹞〗"
_FW_DIGITS = "０１２３４５６７８９"
_HALF = str.maketrans(_FW_DIGITS, "0123456789")
_FULL_DIGITS = re.compile("[０-９]+")


def _half_digits(text: str) -> str:
    """Full-width digits to ASCII, touching only the runs there are (str.translate looks up
    every character of a whole body). Most bodies have none: ten ``in`` tests (memchr scans)
    find that ~10x faster than the regex scan, which stays cheaper on a short text."""
    if len(text) > 64 and not any(d in text for d in _FW_DIGITS):
        return text
    return _FULL_DIGITS.sub(lambda m: m[0].translate(_HALF), text)


# Words that end running text right before a series code ("印发凉府人〔2020〕1号文").
# They are stripped from the left of a candidate series.
# The series starts right after the rightmost such word.
LEADING_WORDS = (
    "根据", "按照", "依据", "参照", "依照", "对照", "执行", "落实", "贯彻", "转发", "印发",
    "下发", "制发", "发布", "出台", "废止", "停止", "修改", "文件", "是", "以", "由", "和", "与",
    "及", "或", "的", "了", "将", "把", "对", "在", "按", "据", "见", "即", "等", "同",
)  # fmt: skip

_SERIES_CHARS = r"[\u4e00-\u9fa5A-Za-z]"
_NUM_RE = re.compile(
    rf"(?P<series>{_SERIES_CHARS}{{1,16}}?)\s*[{re.escape(OPEN)}]\s*(?P<year>(?:19|20)\s*\d\s*\d)\s*"
    rf"[{re.escape(CLOSE)}]\s*第?\s*(?P<serials>\d+(?:\s*[、,，和及]\s*\d+)*)\s*号"
)
_ORDER_RE = re.compile(rf"(?P<series>{_SERIES_CHARS}{{1,16}}?令)\s*第\s*(?P<serials>\d+)\s*号")
# Announcements and ministerial orders numbered within a year: 财政部公告2021年第8号.
_ANNUAL_KINDS = "公告|通告|令"
_ANNUAL_RE = re.compile(
    rf"(?P<series>{_SERIES_CHARS}{{1,16}}?(?:{_ANNUAL_KINDS}))\s*(?P<year>(?:19|20)\d\d)\s*年\s*第\s*(?P<serials>\d+(?:\s*[、,，和及]\s*\d+)*)\s*号"
)
# Alone on a line, a joint announcement may space its issuers: 财政部 税务总局公告2021年第8号.
_ANNUAL_ANCHORED_RE = re.compile(
    rf"^\s*(?P<series>[\u4e00-\u9fa5][\u4e00-\u9fa5 \u3000]{{0,30}}?(?:{_ANNUAL_KINDS}))\s*(?P<year>(?:19|20)\d\d)\s*年\s*第\s*(?P<serial>\d+)\s*号\s*$"
)
# A date glued before an order's issuer: ``…2020年1月1日省人民政府令`` (digits are not series
# characters, so the candidate starts with the date's last unit) or ``二〇一一年八月二十六日``.
_CN_NUM = "〇零一二三四五六七八九十"
_DATE_HEAD = re.compile(rf"^(?:[{_CN_NUM}]{{2,4}}年)?(?:[{_CN_NUM}]{{1,3}}月)?[{_CN_NUM}]{{1,3}}日")
RULES_PATH = Path(__file__).with_name("rules") / "facts.toml"
# A number standing alone (a header line), so the whole prefix is the series.
_ANCHORED_RE = re.compile(
    rf"^\s*(?P<series>{_SERIES_CHARS}{{1,16}})\s*[{re.escape(OPEN)}]\s*(?P<year>(?:19|20)\s*\d\s*\d)\s*"
    rf"[{re.escape(CLOSE)}]\s*第?\s*(?P<serials>\d+)\s*号\s*$"
)


@dataclass(frozen=True)
class DocNumber:
    """A parsed document number."""

    series: str
    year: int | None
    serial: int
    annual: bool = False  # numbered within a year: 财政部公告2021年第8号, 交通运输部令2020年第5号

    @property
    def text(self) -> str:
        """The normal form: ``凉府办发〔2020〕5号``, ``国令第707号`` or ``财政部公告2021年第8号``."""
        if self.annual:
            return f"{self.series}{self.year}年第{self.serial}号"
        if self.year is None:
            return f"{self.series}第{self.serial}号"
        return f"{self.series}〔{self.year}〕{self.serial}号"


@cache
def _order_rules() -> dict:
    """The ``[orders]`` section of the facts rules (order issuers and their short series)."""
    with RULES_PATH.open("rb") as fh:
        return tomllib.load(fh).get("orders", {})


def _protected_spans(series: str) -> list[tuple[int, int]]:
    """Where words that contain a boundary word sit (和 in 共和国 is no boundary)."""
    spans = []
    for w in _order_rules().get("protected_words", []):
        start = series.find(w)
        while start != -1:
            spans.append((start, start + len(w)))
            start = series.find(w, start + 1)
    return spans


@lru_cache(maxsize=4096)
def _trim_series(series: str) -> str:
    """Drop running text glued to the left of a series code: cut after the rightmost
    boundary word that still leaves at least two characters (``…印发凉府人`` -> ``凉府人``).
    A boundary word inside a protected word (``共和国``) does not count. Cached: ~40 rfind
    calls per series, and the same series recur."""
    protected = _protected_spans(series)
    cut = 0
    for w in LEADING_WORDS:
        i = series.rfind(w)
        while i != -1 and (len(series) - (i + len(w)) < 2 or any(s <= i < e for s, e in protected)):
            i = series.rfind(w, 0, i)
        if i != -1:
            cut = max(cut, i + len(w))
    return series[cut:]


def order_series(raw: str, *, after_digit: bool = False) -> str:
    """The series of an order from the text printed before ``第N号`` (ending in 令).

    The series starts at a sensible boundary: after a date (``2020年1月1日省人民政府令`` ->
    ``省人民政府令``) and after running text; an issuer the rules know maps to its short series
    (``中华人民共和国国务院令`` / ``国务院令`` -> ``国令``); the state's name before a ministry is
    dropped (``中华人民共和国财政部令`` -> ``财政部令``). ``after_digit`` says the text before
    ``raw`` ends in a digit, so a leading 年/月/日 is a date's unit (日照市 is a city).
    """
    conf = _order_rules()
    issuer = raw[:-1] if raw.endswith("令") else raw
    short = conf.get("short_series", {})
    for name in sorted(short, key=len, reverse=True):
        if issuer.endswith(name):
            return f"{short[name]}令"
    if after_digit and issuer[:1] in "年月日":
        issuer = issuer[1:]
    issuer = _DATE_HEAD.sub("", issuer)
    issuer = _trim_series(issuer + "令")[:-1]
    for prefix in conf.get("state_prefixes", []):
        pos = issuer.find(prefix)
        if pos != -1 and len(issuer) > pos + len(prefix):
            issuer = issuer[pos + len(prefix) :]
    return f"{issuer}令"


_DIGIT_RUN = re.compile(r"\d+")


def _year(text: str) -> int:
    """A matched year, spaces dropped (``2 0 2 0``); str.split() drops exactly ``\\s``."""
    return int("".join(text.split()))


def _serials(text: str) -> list[int]:
    return [int(s) for s in _DIGIT_RUN.findall(text)]


def parse_doc_number(text: str | None) -> DocNumber | None:
    """Parse one document number written alone (a header line or a metadata cell)."""
    if not text:
        return None
    s = _half_digits(text).strip()
    if s in {"无", "-", "—", "/", "暂无"}:
        return None
    m = _ANCHORED_RE.match(s)
    if m:
        return DocNumber(m["series"], _year(m["year"]), int(m["serials"]))
    m = _ANNUAL_ANCHORED_RE.match(s)
    if m:
        series = "".join(m["series"].split())
        series = order_series(series) if series.endswith("令") else series
        return DocNumber(series, int(m["year"]), int(m["serial"]), annual=True)
    found = find_doc_numbers(s)
    return found[0] if found else None


def normalize_doc_number(text: str | None) -> str | None:
    """The normal form of a number written alone, or None when it is not one."""
    n = parse_doc_number(text)
    return n.text if n else None


# Cheap anchors: a bracketed year, or 令第. The full patterns only run in a window around them
# (a leftmost series search over a whole body costs ~16 steps per character). A bracketed year
# (``[OPEN]\s*(?:19|20)\s*\d\s*\d\s*[CLOSE]``) is found from its year: a pattern led by the
# opener class tests the class at every position of a body, one led by ``19`` or ``20`` jumps
# from one such literal to the next (~5x fewer instructions); the opener is then looked for
# behind the spaces before the year (``\s`` is what str.isspace accepts).
_YEAR_TAILS = tuple(
    re.compile(rf"{century}\s*\d\s*\d\s*[{re.escape(CLOSE)}]") for century in ("19", "20")
)
_ORDER_ANCHOR = re.compile(r"令\s*第")
_ANNUAL_ANCHOR = re.compile(rf"(?:{_ANNUAL_KINDS})\s*(?:19|20)\d\d\s*年\s*第")
_BACK = 24  # series (<=16) plus spaces before the anchor
_ANNUAL_WORDS = tuple(_ANNUAL_KINDS.split("|"))


def _may_be_annual(s: str) -> bool:
    """Whether ``s`` holds the literal parts of an _ANNUAL_ANCHOR match (第 and a kind): plain
    ``in`` tests, much cheaper than the anchor's scan, skip it in most bodies."""
    return "第" in s and "年" in s and any(w in s for w in _ANNUAL_WORDS)


def _year_anchors(s: str) -> list[tuple[int, int]]:
    """The spans of the bracketed years in ``s``, in order (see :data:`_YEAR_TAILS`). They
    never overlap: a bracketed year holds no opener but its first character."""
    spans: list[tuple[int, int]] = []
    for tail in _YEAR_TAILS:
        for m in tail.finditer(s):
            k = m.start() - 1
            while k >= 0 and s[k].isspace():
                k -= 1
            if k >= 0 and s[k] in OPEN:
                spans.append((k, m.end()))
    spans.sort()
    return spans


def _spans(anchor: re.Pattern[str], s: str) -> list[tuple[int, int]]:
    """The spans of ``anchor``'s matches in ``s``."""
    return [m.span() for m in anchor.finditer(s)]


def _windowed(
    rx: re.Pattern[str], anchors: list[tuple[int, int]], s: str, ahead: int
) -> list[re.Match[str]]:
    """Matches of ``rx`` that contain one of the ``anchors`` (spans, in order), found in windows
    around them."""
    found: list[re.Match[str]] = []
    last_end = 0
    for start, end in anchors:
        if start < last_end:
            continue
        m = rx.search(s, max(last_end, start - _BACK), min(len(s), end + ahead))
        if m:
            found.append(m)
            last_end = m.end()
    return found


def find_doc_numbers(text: str) -> list[DocNumber]:
    """Every document number cited in running text, lists expanded, in order of appearance.

    ``凉府人〔2020〕1、3、4号`` gives three numbers. Duplicates are kept; callers decide.
    """
    s = _half_digits(text)
    out: list[tuple[int, DocNumber]] = []
    for m in _windowed(_NUM_RE, _year_anchors(s), s, 200):
        series = _trim_series(m["series"])
        year = _year(m["year"])
        out.extend((m.start(), DocNumber(series, year, n)) for n in _serials(m["serials"]))
    annual_spans = []
    for m in _windowed(_ANNUAL_RE, _spans(_ANNUAL_ANCHOR, s), s, 60) if _may_be_annual(s) else ():
        raw = m["series"]
        series = order_series(raw) if raw.endswith("令") else _trim_series(raw)
        annual_spans.append((m.start(), m.end()))
        out.extend(
            (m.start(), DocNumber(series, int(m["year"]), n, annual=True))
            for n in _serials(m["serials"])
        )
    for m in _windowed(_ORDER_RE, _spans(_ORDER_ANCHOR, s), s, 40):
        if any(a <= m.start() < b for a, b in annual_spans):
            continue
        after_digit = m.start() > 0 and s[m.start() - 1].isdigit()
        series = order_series(m["series"], after_digit=after_digit)
        out.extend((m.start(), DocNumber(series, None, n)) for n in _serials(m["serials"]))
    out.sort(key=lambda t: t[0])
    return [n for _, n in out]
