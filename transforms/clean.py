"""Undo the damage a PDF-to-text conversion does to a gazette issue.

Text pulled out of a gazette PDF carries page numbers, running headers and footers, blank-line
noise, lines broken mid-sentence (or mid-word: ``(试用`` / ``期一年)``) at page and column
breaks, numbers spaced out (``〔2020〕5 号``, ``2023 年 1 月 3 日``), half- and full-width
punctuation mixed, and, where a page is set in two columns, the lines of both columns
interleaved. Each repair is a small function; patterns that differ between gazettes come from
the rule set (transforms/rules.py), never from code keyed on a city.

The work is done in two passes because the split needs line structure that paragraph joining
destroys: :func:`clean_lines` (furniture out, numbers and columns repaired, one entry per
printed line) runs on the whole issue; :func:`join_paragraphs` and :func:`normalise_punct`
run on one document's body after the split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from operator import itemgetter, not_
from typing import Any

from transforms.dates import is_date_line  # re-exported: headers.py imports it from here
from transforms.numbers import parse_doc_number

CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")
_FULL = "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
_WIDTH = str.maketrans(
    _FULL + "\u3000\u00a0\u2002\u2003\u2009",
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" + "     ",
)
_ZERO_WIDTH = re.compile("[\u200b\ufeff\u00ad]")
# The characters _WIDTH changes or _ZERO_WIDTH removes, in runs: ``str.translate`` walks every
# character of a CJK text through a dict; a regex scan finds the (rare) runs and translates just
# those (same result). The class is written twice (``[c][c]*``, not ``[c]+``) because only a
# pattern that starts with a class gets the engine's fast class scan; a repeat first makes it
# try a match at every position (three times slower on a text without any such character).
_NARROW_CHARS = "[" + re.escape(_FULL + "\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff\u00ad") + "]"
_NARROW_RUN = re.compile(_NARROW_CHARS + _NARROW_CHARS + "*")
_NARROW = {**_WIDTH, **dict.fromkeys(map(ord, "\u200b\ufeff\u00ad"))}


def _narrow(text: str) -> str:
    """``_ZERO_WIDTH.sub("", text.translate(_WIDTH))`` in one scan, fast on text where few
    characters change (the two repairs touch disjoint characters, so one pass does both)."""
    return _NARROW_RUN.sub(lambda m: m[0].translate(_NARROW), text)


# Units and markers that stick to a number: 2020 年, 5 号, 第 12 期, 第 45 次, 3 个.
_UNIT = "年月日号期页次个条名人元万亿%‰亩户家所吨岁周天项件套台辆座间倍"
# Each starts with the space it removes and looks back past it: the regex engine then jumps
# from space to space instead of testing a look-behind at every character (same matches).
_NUM_LEFT = re.compile(rf" (?<=\d )[ ]*(?=[{_UNIT}〕\]）)】])")
_NUM_RIGHT = re.compile(rf" (?<=[{CJK}〔\[（(【] )[ ]*(?=\d+[ ]*[{_UNIT}〕\]）)】])")
_BRACKET_SPACE = re.compile(r" (?<=[〔\[（(【] )[ ]*| [ ]*(?=[〕\]）)】])")
# Spaces and tabs after a closing bracket, before Chinese text. Two patterns, each led by a
# literal (found by a fast search, not a class test at every character): a run starting with a
# space, then one starting with a tab; removing one run never creates another.
_AFTER_CLOSE_SPACE = re.compile(rf" (?<=[）)〕\]】] )[ \t]*(?=[{CJK}“《])")
_AFTER_CLOSE_TAB = re.compile(rf"\t(?<=[）)〕\]】]\t)[ \t]*(?=[{CJK}“《])")
_SPACE_RUN = re.compile(r"[ ]{2,}")
_PAIR_INNER = r"[^()（）\n]"
# A half-width pair to convert: the character before it, one inside it or the one after it is
# Chinese (the inner text holds no bracket of either width and at most 200 characters). The
# three tests are zero-width, so their order changes no match: cheapest and likeliest first.
_PAIRED_PARENS = re.compile(
    rf"\((?:(?<=[{CJK}]\()|(?={_PAIR_INNER}*?[{CJK}])|(?={_PAIR_INNER}{{0,200}}\)[{CJK}]))"
    rf"({_PAIR_INNER}{{0,200}})\)"
)
_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
# Half-width marks in Chinese text, one pattern per mark: each starts with its literal (found by
# a fast search, not a class test at every position), then looks around it. Replacing one mark
# never changes the context of another (neither form is in the look-around classes).
_HALF_PUNCT_EACH = {
    ch: re.compile(rf"{re.escape(ch)}(?:(?<=[{CJK}”》）]{re.escape(ch)})|(?=[{CJK}“《（]))")
    for ch in _HALF_TO_FULL
}
# The same marks where they stay half-width (neither look-around holds): in Chinese text these
# are few, so the others are converted by one ``str.replace`` between them (each mark's fate
# depends on the original text around it only, as in a ``re.sub``).
_HALF_KEEP_EACH = {
    ch: re.compile(rf"{re.escape(ch)}(?<![{CJK}”》）]{re.escape(ch)})(?![{CJK}“《（])")
    for ch in _HALF_TO_FULL
}
_LONE_OPEN = re.compile(rf"\((?=[{CJK}])")
_LONE_CLOSE = re.compile(rf"\)(?<=[{CJK}]\))")
_TIDY = re.compile(r" (?:[ ]*(?=[，。：；、！？）》”])|(?<=[，。：；、！？（《“] )[ ]*)")


def has_cjk(text: str) -> bool:
    """True when ``text`` holds at least one Chinese character."""
    return bool(_CJK_RE.search(text))


def _is_cjk_char(ch: str) -> bool:
    """``has_cjk`` of one character (or of ``""``) without a regex call."""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def normalise_width(line: str) -> str:
    """Full-width digits and letters to ASCII, odd spaces to plain ones, no trailing space."""
    return _narrow(line).rstrip()


def collapse_number_spaces(line: str) -> str:
    """Join numbers to their units and brackets: ``〔2020〕5 号`` -> ``〔2020〕5号``.

    Spaces between Chinese words are kept: they may separate an issuer from a title or
    two columns, which later steps read.
    """
    line = _NUM_LEFT.sub("", line)
    line = _NUM_RIGHT.sub("", line)
    line = _BRACKET_SPACE.sub("", line)
    line = _AFTER_CLOSE_SPACE.sub("", line)
    return _AFTER_CLOSE_TAB.sub("", line) if "\t" in line else line


def _full_pairs(text: str) -> str:
    """``_PAIRED_PARENS.sub(lambda m: f"（{m[1]}）", text)`` without a Python call per pair:
    the split hands back the text between pairs and each pair's inner text (its group)."""
    parts = _PAIRED_PARENS.split(text)
    if len(parts) == 1:
        return text
    parts[1::2] = [f"（{inner}）" for inner in parts[1::2]]
    return "".join(parts)


def normalise_punct(line: str) -> str:
    """Half-width punctuation inside Chinese text to the full-width form (``,`` -> ``，``,
    ``(扩大)`` -> ``（扩大）``) so that the same text always compares equal.

    A pair is converted when the character before or after it, or one inside it, is Chinese.
    One pass converts them all: a pair holds no bracket of either width, so converting one
    never forms or unblocks another pair and never changes a neighbour's context (a nested
    ``((a))`` keeps its outer half-width pair, as it always did).
    """
    if "(" in line or ")" in line:
        line = _full_pairs(line)
        # Lone halves of a pair broken over two lines: full-width in Chinese text.
        line = _LONE_OPEN.sub("（", line)
        line = _LONE_CLOSE.sub("）", line)
    for half, keep in _HALF_KEEP_EACH.items():
        if half in line:
            line = _to_full(line, half, _HALF_TO_FULL[half], keep)
    return line


def _to_full(text: str, half: str, full: str, keep: re.Pattern[str]) -> str:
    """``_HALF_PUNCT_EACH[half].sub(full, text)``: every ``half`` but those ``keep`` finds
    becomes ``full`` (a replace per stretch between kept ones, not a match per mark)."""
    kept = [m.start() for m in keep.finditer(text)]
    if not kept:
        return text.replace(half, full)
    parts: list[str] = []
    prev = 0
    for pos in kept:
        parts += (text[prev:pos].replace(half, full), half)
        prev = pos + 1
    parts.append(text[prev:].replace(half, full))
    return "".join(parts)


def normalise_line(line: str) -> str:
    """Width, number spacing and punctuation of one line (the form rules are written for)."""
    return normalise_punct(collapse_number_spaces(normalise_width(line)))


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation of the patterns (compiled once per rule set, not once per line)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def is_noise(line: str, rules: dict[str, Any]) -> bool:
    """True for page furniture: a page number or a running header/footer line."""
    s = line.strip()
    if not s:
        return False
    noise = rules.get("noise", {})
    rx = _compiled(tuple(noise.get("page_number", []) + noise.get("running_header", [])))
    return bool(rx and rx.match(s))


def drop_noise(lines: list[str], rules: dict[str, Any], *, keep_first: int = 0) -> list[str]:
    """Blank out page numbers and running headers/footers (the line stays, as blank, so that
    line numbers still point into the issue). The first ``keep_first`` lines (the masthead)
    are left alone: there the gazette's name is information, not furniture."""
    noise = rules.get("noise", {})
    rx = _compiled(tuple(noise.get("page_number", []) + noise.get("running_header", [])))
    if rx is None:
        return list(lines)
    match = rx.match  # is_noise, inlined: the pattern is looked up once, not once per line
    return [
        "" if i >= keep_first and (s := line.strip()) and match(s) else line
        for i, line in enumerate(lines)
    ]


def overlap_join(left: str, right: str, *, min_overlap: int = 1) -> str:
    """Join two pieces of one line of text, dropping a piece repeated across the break.

    PDF conversion sometimes prints the characters at a break twice (``知识产权保护`` /
    ``保护执法``, ``副局长`` / ``长职务``); the repeat is removed when it is at least
    ``min_overlap`` characters long.
    """
    left, right = left.rstrip(), right.lstrip()
    for k in range(min(len(left), len(right), 8), min_overlap - 1, -1):
        if k and has_cjk(right[:k]) and left.endswith(right[:k]):
            return left + right[k:]
    return left + right


_SPACES = re.compile(r" +")


def _column_parts(line: str) -> list[str]:
    return [p for p in _SPACES.split(collapse_number_spaces(line.strip())) if p]


def _ends_sentence(text: str, rules: dict[str, Any]) -> bool:
    ends = rules.get("clean", {}).get("sentence_end", "。！？；")
    return bool(text) and text[-1] in ends


def _flow(parts: list[str], rules: dict[str, Any]) -> list[str]:
    """Re-flow the fragments of one column: a fragment that does not end a sentence runs on
    into the next, unless the next is a date or a signature (they stand on their own)."""
    out: list[str] = []
    for part in parts:
        if (
            out
            and not _ends_sentence(out[-1], rules)
            and not out[-1].endswith((":", "："))
            and not is_date_line(part)
            and not is_date_line(out[-1])
            and not is_issuer_line(part, rules)
        ):
            out[-1] = overlap_join(out[-1], part)
        else:
            out.append(part)
    return out


def _is_column_block(rows: list[list[str]]) -> bool:
    """Two columns read across: every row splits in two, the left half is text (not a
    two-character name of a member list) and some half reads as running text or a date."""
    if len(rows) < 3 or any(len(r) != 2 for r in rows):
        return False
    if max(len(r[0]) for r in rows) < 8:
        return False
    texty = any(re.search(r"[，,：:。；]", r[0]) for r in rows)
    dated = any(is_date_line(half) for r in rows for half in r)
    return texty or dated


def recover_columns(lines: list[str], rules: dict[str, Any]) -> list[str]:
    """Undo two-column interleaving: a run of lines that each hold a left- and a right-column
    fragment becomes the left column's text followed by the right column's.

    A two-column page read across gives ``left1 right1`` / ``left2 right2`` …; the text flows
    down the left column and on into the right one, so the left column's last fragment
    continues into the right column's first. Line numbers after this step refer to the
    cleaned text (the contract's ``line_start``/``line_end`` do).
    """
    return _recover_columns(lines, rules)[0]


def _recover_columns(lines: list[str], rules: dict[str, Any]) -> tuple[list[str], list[str]]:
    """:func:`recover_columns`, and each output line with :func:`collapse_number_spaces`
    applied: the column test computes that of every stripped line, which is the same for a
    line without leading whitespace, so the caller need not compute it a second time."""
    stripped = list(map(str.strip, lines))
    # Every line's column parts at once: the number-space repair runs over the whole text.
    collapsed = _per_line(stripped, collapse_number_spaces)
    # A line splits in two columns only if it holds a space: the others are never reordered,
    # and only a stretch of three or more two-part lines may be a column block.
    two = [
        k
        for k, c in enumerate(collapsed)
        if " " in c and "\t" not in lines[k] and len(_column_split(c)) == 2
    ]
    # collapse_number_spaces of each line, where the stripped line's serves (the line has no
    # surrounding whitespace: strip only removes characters, so equal lengths mean equal lines).
    known: list[str | None] = collapsed  # type: ignore[assignment]
    if sum(map(len, lines)) != sum(map(len, stripped)):
        known = [
            c if len(a) == len(b) else None
            for a, b, c in zip(lines, stripped, collapsed, strict=True)
        ]
    out: list[str] = []
    fixed: list[str | None] = []
    done = 0
    for k, m in _stretches(two):
        if m - k < 3:
            continue
        rows = [_column_split(c) for c in collapsed[k:m]]
        if _is_column_block(rows):
            reordered = _reorder(rows, rules)
            out += lines[done:k] + reordered
            fixed += known[done:k] + [None] * len(reordered)
            done = m
    if not done:
        out, fixed = list(lines), known
    else:
        out += lines[done:]
        fixed += known[done:]
    if None not in fixed:
        return out, fixed  # type: ignore[return-value]
    return out, [
        collapse_number_spaces(x) if c is None else c for x, c in zip(out, fixed, strict=True)
    ]


def _stretches(indexes: list[int]) -> list[tuple[int, int]]:
    """Maximal runs of consecutive ``indexes`` as ``(first, last + 1)`` pairs."""
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def _column_split(collapsed: str) -> list[str]:
    """The parts of a line between runs of spaces (a plain split: empty parts dropped)."""
    return [p for p in collapsed.split(" ") if p]


def _reorder(rows: list[list[str]], rules: dict[str, Any]) -> list[str]:
    """A two-column block read down: the left column's text, then the right column's."""
    left = _flow([r[0] for r in rows], rules)
    right = _flow([r[1] for r in rows], rules)
    if not _ends_sentence(left[-1], rules) and not is_date_line(right[0]):
        return [*left[:-1], overlap_join(left[-1], right[0]), *right[1:]]
    return [*left, *right]


def _recover_run(
    run: list[str], rules: dict[str, Any], rows: list[list[str]] | None = None
) -> list[str]:
    """Re-order the two-column stretches inside one run of non-blank lines.

    PDF text often has no blank lines at all, so a two-column stretch sits between ordinary
    lines (a title, a number line): each maximal stretch of lines that split in two is tested
    on its own.
    """
    if rows is None:
        rows = [_column_parts(line) for line in run]
    out: list[str] = []
    k = 0
    while k < len(run):
        m = k
        while m < len(run) and len(rows[m]) == 2:
            m += 1
        if m - k >= 3 and _is_column_block(rows[k:m]):
            out.extend(_reorder(rows[k:m], rules))
            k = m
        elif m > k:
            out.extend(run[k:m])
            k = m
        else:
            out.append(run[k])
            k += 1
    return out


_CJK_CHAR = "\u4e00-\u9fff"
# A space between two Chinese characters. Led by the literal space (then looking back past
# it) so that the engine jumps from space to space (same matches as a look-behind first).
_SPACED_PAIR = re.compile(rf" (?<=[{_CJK_CHAR}] )(?=[{_CJK_CHAR}])")
# Runs of Chinese characters: a run of n holds n - 1 adjacent (tight) pairs.
_CJK_RUN = re.compile(rf"[{_CJK_CHAR}][{_CJK_CHAR}]*")
_WIDE_GAP = re.compile(r" {2,}|\u3000+")


def _tight_pairs(line: str) -> int:
    """How many pairs of Chinese characters in ``line`` stand next to each other."""
    runs = _CJK_RUN.findall(line)
    return sum(map(len, runs)) - len(runs)


def collapse_spaced_cjk(line: str) -> str:
    """``川 办 发〔2018〕85 号`` -> ``川办发〔2018〕85 号``: a line a PDF extractor spaced out
    character by character (justified text). Only lines where most CJK neighbours are one space
    apart are touched, so a space that separates an issuer from a title, or two columns, stays.
    """
    if line.count(" ") < 2:  # fewer than two spaced pairs (checked first: a count is cheap)
        return line
    spaced = len(_SPACED_PAIR.findall(line))
    if spaced < 2 or spaced < 0.6 * (spaced + _tight_pairs(line)):
        return line
    # Wider gaps (two spaces or more) are real separators: they become one space.
    return " ".join(_SPACED_PAIR.sub("", part) for part in _WIDE_GAP.split(line))


def unify_breaks(text: str) -> str:
    """CRLF, CR and form feed to LF (each replace only when its character occurs: a
    containment test is a fast scan, a replace copies the whole text)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\f", "\n") if "\f" in text else text


def clean_lines(text: str, rules: dict[str, Any], *, masthead_lines: int = 0) -> list[str]:
    """The issue as one entry per printed line, with page furniture blanked, widths and
    number spacing normalised and two-column runs re-ordered. Paragraphs are NOT joined yet
    (the split reads line structure)."""
    text = unify_breaks(text)
    # Width and number/punctuation repairs never cross a line break, so they run once over
    # the whole text instead of once per line (same result, a fraction of the calls).
    lines = list(map(str.rstrip, _narrow(text).split("\n")))
    lines = [collapse_spaced_cjk(line) if " " in line else line for line in lines]
    lines = drop_noise(lines, rules, keep_first=masthead_lines)
    collapsed = _recover_columns(lines, rules)[1]
    return _per_line(collapsed, normalise_punct)


def _per_line(lines: list[str], fix: Any) -> list[str]:
    """``[fix(line) for line in lines]`` computed as one call on the joined text; valid for
    repairs whose patterns never match a line break (checked: no line may hold one)."""
    joined = "\n".join(lines)
    # A line holds a break when the joined text has more than the joins: one C count.
    if joined.count("\n") != len(lines) - 1 or not lines:
        return [fix(line) for line in lines]
    out = fix(joined).split("\n")
    return out if len(out) == len(lines) else [fix(line) for line in lines]


_SENTENCE_PUNCT = re.compile(r"[，。；：]")


@lru_cache(maxsize=16384)
def is_number_line(line: str) -> bool:
    """True when a line holds a document number and nothing else (``凉府办发〔2020〕5号``).

    Cached: the split, the headers and the paragraph joiner ask it of the same lines."""
    s = line.strip()
    return (
        bool(s)
        and len(s) <= 30
        and not _SENTENCE_PUNCT.search(s)
        and parse_doc_number(s) is not None
    )


def _suffix_re(rules: dict[str, Any]) -> re.Pattern[str]:
    return _issuer_test(rules).suffix


@lru_cache(maxsize=64)
def _suffix_re_for(suffixes: tuple[str, ...]) -> re.Pattern[str]:
    suffixes = sorted(suffixes, key=len, reverse=True)
    alt = "|".join(re.escape(s) for s in suffixes) or "政府"
    return re.compile(rf"^[{CJK}（）()“”]{{2,40}}?({alt})$")


_DEFAULT_NOTE = r"[（(](代章|盖章)[)）]\s*$"
_NO_SUFFIXES: tuple[str, ...] = ()


def _note_re(rules: dict[str, Any]) -> re.Pattern[str]:
    return rule_re(rules.get("headers", {}).get("signature_notes", _DEFAULT_NOTE))


def strip_signature_note(name: str, rules: dict[str, Any]) -> str:
    """``凉山州春雷行动领导小组(代章)`` -> ``凉山州春雷行动领导小组``."""
    return _note_re(rules).sub("", name.strip()).strip()


@dataclass(frozen=True, eq=False)
class _IssuerTest:
    """A rule set's issuer-suffix and signature-note patterns, with the objects they were
    built from. Compared and hashed by identity: a cheap key for :func:`_names_issuers`
    (hashing a compiled pattern hashes its whole code, a microsecond per lookup)."""

    suffixes: Any  # the rule set's issuer_suffixes list, as given
    note_rule: str
    suffix: re.Pattern[str]
    note: re.Pattern[str]


_ISSUER_TESTS: dict[int, _IssuerTest] = {}


def _issuer_test(rules: dict[str, Any]) -> _IssuerTest:
    """The :class:`_IssuerTest` of a rule set, built once per suffix list (found by identity:
    the entry holds the list, so its id stays its own; a list mutated in place is not seen,
    as rule sets are read-only data)."""
    conf = rules.get("headers", {})
    suffixes = conf.get("issuer_suffixes", _NO_SUFFIXES)
    note_rule = conf.get("signature_notes", _DEFAULT_NOTE)
    test = _ISSUER_TESTS.get(id(suffixes))
    if test is None or test.suffixes is not suffixes or test.note_rule != note_rule:
        if len(_ISSUER_TESTS) >= 64:
            _ISSUER_TESTS.clear()
        test = _IssuerTest(suffixes, note_rule, _suffix_re_for(tuple(suffixes)), rule_re(note_rule))
        _ISSUER_TESTS[id(suffixes)] = test
    return test


def is_issuer_line(line: str, rules: dict[str, Any]) -> bool:
    """True when a line names one or more issuing bodies and nothing else (a signature)."""
    s = line.strip()
    if not s or len(s) > 80 or _LIST_PUNCT.search(s):
        return False
    return _names_issuers(s, _issuer_test(rules))


@lru_cache(maxsize=8192)
def _names_issuers(s: str, test: _IssuerTest) -> bool:
    """:func:`is_issuer_line` of a stripped short line, cached: the paragraph joiner and the
    header reader ask it of the same lines (each line as the next, then as the previous)."""
    suffix, note = test.suffix, test.note
    names = [note.sub("", p.strip()).strip() for p in s.split()]
    return all(suffix.match(n) and not n.startswith("关于") for n in names if n) and any(names)


_LIST_PUNCT = re.compile(r"[，。；：:,;、]")
_CONTINUES = re.compile(r"^[，。、；：）)”’》」』!?！？,.;:]")
_RUNNING = re.compile(r"[，。；：,;:]")


@lru_cache(maxsize=256)
def rule_re(pattern: str) -> re.Pattern[str]:
    """A rule set's pattern compiled once (``re.match(pattern, s)`` looks it up in the ``re``
    module's cache on every call, which costs more than the match on a short line)."""
    return re.compile(pattern)


def _joins(prev: str, nxt: str, rules: dict[str, Any]) -> bool:
    """Whether ``nxt`` continues the paragraph that ``prev`` ends (a page or column break)."""
    if "\t" in prev or "\t" in nxt or _ends_sentence(prev, rules):
        return False
    conf = rules.get("clean", {})
    starts = rule_re(conf.get("paragraph_start", r"^$^"))
    return _continues(prev, nxt, rules, starts, int(conf.get("join_min_chars", 24)))


def _continues(
    prev: str, nxt: str, rules: dict[str, Any], starts: re.Pattern[str], min_chars: int
) -> bool:
    """:func:`_joins` past its first vetoes (no tab, no sentence end), with the rule set's
    paragraph-start pattern and minimum length looked up once per body, not once per line."""
    # Each of these vetoes the join; cheapest first (cached, then plain predicates).
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
    if unbalanced or _RUNNING.search(prev, 0, len(prev) - 1):  # running text, not a heading
        return True
    return len(prev) >= min_chars


def join_paragraphs(lines: list[str], rules: dict[str, Any]) -> list[str]:
    """Paragraphs from printed lines: blank lines dropped, a line broken by a page or column
    break joined to its continuation (``…副院长(试用`` + ``期一年);``)."""
    conf = rules.get("clean", {})
    ends = conf.get("sentence_end", "。！？；")
    starts = rule_re(conf.get("paragraph_start", r"^$^"))
    min_chars = int(conf.get("join_min_chars", 24))
    # Every line stripped at once (C calls, no Python loop); only a body with a tab keeps a
    # tabbed line's leading whitespace (the line then never joins nor takes a continuation).
    stripped = list(map(str.strip, lines))
    tabbed = "\t" in "".join(lines)
    if tabbed:
        pairs = [
            (s, r.rstrip() if "\t" in r else s) for r, s in zip(lines, stripped, strict=True) if s
        ]
        items, shown = [p[0] for p in pairs], [p[1] for p in pairs]
    else:
        items = shown = list(filter(None, stripped))
    out = _joined(items, shown, tabbed, _Joiner(rules, starts, min_chars), ends)
    return _per_line(out, _tidy_punct)


def _joined(
    items: list[str], shown: list[str], tabbed: bool, joiner: _Joiner, ends: str
) -> list[str]:
    """The paragraphs of the non-blank stripped ``items`` (``shown`` is how each appears when
    it opens a paragraph). Only a line after one that ends no sentence may join it (the last
    character of a paragraph is its last line's): those are found first, in C, and the
    others are copied over in slices."""
    ended = map(ends.__contains__, map(itemgetter(-1), items))
    out: list[str] = []
    done = 0
    joined_last = -1  # the last item joined to the paragraph before it
    for i in compress(range(1, len(items)), map(not_, ended)):
        out += shown[done:i]
        done = i + 1
        prev, nxt = out[-1], items[i]
        if tabbed and ("\t" in prev or "\t" in nxt):
            out.append(shown[i])
        elif joiner.continues(prev, i - 1 if joined_last != i - 1 else -1, nxt, i):
            out[-1] = prev + nxt
            joined_last = i
        else:
            out.append(shown[i])
    out += shown[done:]
    return out


class _Joiner:
    """:func:`_continues` for one body, each line's date-or-signature test made once (a line
    is asked as the next line, then as the previous one), the cheap tests first: the result
    is the same boolean, whatever the order of its pure tests."""

    def __init__(self, rules: dict[str, Any], starts: re.Pattern[str], min_chars: int) -> None:
        self.rules, self.starts, self.min_chars = rules, starts, min_chars
        self.signed: dict[int, bool] = {}

    def _signs(self, text: str, k: int) -> bool:
        """Item ``k`` (``text``; ``k`` -1 for a joined paragraph) is a date or issuer line."""
        known = self.signed.get(k) if k >= 0 else None
        if known is None:
            known = is_date_line(text) or (len(text) <= 80 and is_issuer_line(text, self.rules))
            if k >= 0:
                self.signed[k] = known
        return known

    def continues(self, prev: str, k_prev: int, nxt: str, k_nxt: int) -> bool:
        """``_continues(prev, nxt, …)``; ``k_prev`` is -1 when ``prev`` joins several items."""
        if not (
            len(prev) >= self.min_chars
            or _CONTINUES.match(nxt)
            or _RUNNING.search(prev, 0, len(prev) - 1)
            or prev.count("（") + prev.count("(") > prev.count("）") + prev.count(")")
        ):
            return False
        return not (
            self.starts.match(nxt)
            or is_number_line(nxt)
            or self._signs(nxt, k_nxt)
            or self._signs(prev, k_prev)
        )


def _tidy_punct(text: str) -> str:
    """The paragraphs' punctuation repairs: half-width marks to full width, then layout
    spaces next to full-width punctuation dropped."""
    return _tidy(normalise_punct(text))


def _tidy(paragraph: str) -> str:
    """Spaces next to full-width punctuation are layout, not text: drop them (tabs stay)."""
    return _TIDY.sub("", paragraph)
