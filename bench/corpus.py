"""A synthetic corpus of gazette issues, grown from the real seed issues.

The benchmark needs thousands of issues that parse like the real ones but are not copies:
identical bytes would be deduplicated by the raw layer and identical document numbers would
collapse into one warehouse row. Each synthetic issue is a seed issue with

- every year shifted (``2020`` -> ``2007``, ``二〇二〇`` -> ``二〇〇七``) in dates, document
  numbers and the masthead, so issue and document identities move together;
- every document serial offset (``凉府办发〔2020〕5号`` -> ``〔2007〕1205号``), in the table of
  contents, the headers and the citations alike (the parser still matches them up);
- every day of month moved, so undated-number documents (title + date) differ too;
- the masthead's issue numbers (``第 12 期 (总第 250 期)``) renumbered;
- two neighbouring documents of one table-of-contents section swapped (body and contents
  line together), where the seed allows it: checked once per seed by parsing the result.

Issues are written once to a cache directory (``bench/out/corpus`` by default) and reused by
later runs; a marker file per size tells a complete corpus from an interrupted one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from transforms.dates import CN_NUM, cn_to_int

ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = ROOT.parent / "shared" / "seeds"
DEFAULT_OUT = ROOT / "bench" / "out" / "corpus"
CORPUS_VERSION = "v1"  # bump when the variation rules change: old caches are ignored

YEAR_SPAN = 30  # issues k, k + 2*YEAR_SPAN, … share a year shift and differ in serials
SERIAL_STRIDE = 100  # serial offset step: larger than any serial a seed issue prints

_YEAR_RE = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d.])")
_CN_YEAR_RE = re.compile(rf"([{CN_NUM}]{{4}})(?=\s*年)")
_OPEN, _CLOSE = "〔[［(（【", "〕]］)）】"
_SERIAL_RE = re.compile(
    rf"([{re.escape(_OPEN)}]\s*(?:19|20)\d{{2}}\s*[{re.escape(_CLOSE)}]\s*第?\s*)"
    r"(\d+(?:\s*[、,，和及]\s*\d+)*)(\s*号)"
)
_DAY_RE = re.compile(
    rf"((?:19|20)\d{{2}}\s*年\s*(?:\d{{1,2}})\s*月\s*)(\d{{1,2}})(\s*日)"
    rf"|([{CN_NUM}]{{4}}\s*年\s*[{CN_NUM}]{{1,3}}\s*月\s*)([{CN_NUM}]{{1,3}})(\s*日)"
)
_ISSUE_RE = re.compile(r"第\s*(\d+)\s*期(\s*[(（]\s*总第\s*)(\d+)(\s*期)")
_CN_DIGITS = "〇一二三四五六七八九"


def seed_issues(seeds_dir: Path = SEEDS_DIR) -> list[Path]:
    """The seed files that are whole gazette issues (a table of contents and several documents).

    A saved portal page (one document with a metadata block) is not an issue and is skipped.
    """
    from transforms.portal import looks_like_portal_text

    out = []
    for p in sorted(seeds_dir.glob("*.txt")):
        if not looks_like_portal_text(p.read_text(encoding="utf-8")):
            out.append(p)
    if not out:
        raise FileNotFoundError(f"{seeds_dir}: no gazette issue among the seed texts")
    return out


def _cn_year(year: int) -> str:
    return "".join(_CN_DIGITS[int(c)] for c in str(year))


def _cn_small(n: int) -> str:
    """1..31 the way gazettes write a month or day: 三, 十六, 二十, 三十一."""
    tens, units = divmod(n, 10)
    if tens == 0:
        return _CN_DIGITS[units]
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return head + "十" + (_CN_DIGITS[units] if units else "")


def shift_years(text: str, dy: int) -> str:
    """Every year in ``text`` (Arabic or digit-by-digit Chinese before 年) moved by ``dy``."""
    text = _YEAR_RE.sub(lambda m: str(int(m[1]) + dy), text)

    def cn(m: re.Match[str]) -> str:
        y = cn_to_int(m[1])
        return _cn_year(y + dy) if y and 1900 <= y <= 2099 else m[1]

    return _CN_YEAR_RE.sub(cn, text)


def shift_days(text: str, dd: int) -> str:
    """Every full date's day of month moved by ``dd`` within 1..28 (always a valid date)."""

    def move(d: int) -> int:
        return (d - 1 + dd) % 28 + 1

    def sub(m: re.Match[str]) -> str:
        if m[1] is not None:
            return f"{m[1]}{move(int(m[2]))}{m[3]}"
        d = cn_to_int(m[5])
        return f"{m[4]}{_cn_small(move(d))}{m[6]}" if d else m[0]

    return _DAY_RE.sub(sub, text)


def offset_serials(text: str, offset: int) -> str:
    """Every document number with a year gets ``offset`` added to its serial(s)."""
    if not offset:
        return text

    def sub(m: re.Match[str]) -> str:
        serials = re.sub(r"\d+", lambda s: str(int(s[0]) + offset), m[2])
        return f"{m[1]}{serials}{m[3]}"

    return _SERIAL_RE.sub(sub, text)


def renumber_issue(text: str, k: int) -> str:
    """The masthead's ``第 12 期 (总第 250 期)`` as issue 1..12 and total issue ``k + 1``."""

    def sub(m: re.Match[str]) -> str:
        return f"第 {k % 12 + 1} 期{m[2]}{k + 1}{m[4]}"

    return _ISSUE_RE.sub(sub, text, count=1)


@dataclass(frozen=True)
class Swap:
    """Two neighbouring documents of one contents section: their raw line ranges and contents lines."""

    first: tuple[int, int]
    second: tuple[int, int]
    toc_lines: tuple[int, int]


def _doc_numbers(text: str) -> list[str | None]:
    from transforms.gazette import parse_gazette_text

    return sorted(parse_gazette_text(text).documents["doc_number"].to_list(), key=str)


def apply_swap(lines: list[str], swap: Swap) -> list[str]:
    """The lines with the two documents (and their contents lines) exchanged."""
    (a0, a1), (b0, b1) = swap.first, swap.second
    out = [*lines[:a0], *lines[b0:b1], *lines[a0:a1], *lines[b1:]]
    t0, t1 = swap.toc_lines
    out[t0], out[t1] = out[t1], out[t0]
    return out


@cache
def swaps_for(seed: Path) -> tuple[Swap, ...]:
    """The document swaps that keep ``seed`` parsing to the same documents (checked by parsing).

    Document starts come from the parser's own split; they are used only where the cleaned
    line still equals the raw line (cleaning keeps one entry per printed line).
    """
    from transforms.clean import clean_lines, normalise_punct, normalise_width
    from transforms.gazette import _with_name_as_noise, read_masthead
    from transforms.rules import load_rules
    from transforms.split import split_issue
    from transforms.toc import read_toc

    text = seed.read_text(encoding="utf-8")
    raw = text.split("\n")
    conf = load_rules(None, text)
    issue = read_masthead(raw, conf)
    lines = clean_lines(text, _with_name_as_noise(conf, issue.gazette))
    toc = read_toc(lines, conf)
    segments = split_issue(lines, toc, conf)
    want = _doc_numbers(text)

    def same(i: int) -> bool:
        return i < len(raw) and normalise_punct(normalise_width(raw[i])).strip() == lines[i].strip()

    found = []
    for a, b in zip(segments, segments[1:-1], strict=False):  # the last document runs to the end
        if not (a.entry and b.entry and a.entry.section == b.entry.section):
            continue
        if not (same(a.start) and same(b.start) and same(a.entry.line) and same(b.entry.line)):
            continue
        swap = Swap((a.start, b.start), (b.start, b.end), (a.entry.line, b.entry.line))
        if _doc_numbers("\n".join(apply_swap(raw, swap))) == want:
            found.append(swap)
    return tuple(found)


def make_issue(seed: Path, k: int) -> str:
    """Synthetic issue number ``k`` grown from ``seed`` (deterministic; distinct for distinct k)."""
    text = seed.read_text(encoding="utf-8")
    swaps = swaps_for(seed)
    if swaps and k % (len(swaps) + 1):
        text = "\n".join(apply_swap(text.split("\n"), swaps[k % (len(swaps) + 1) - 1]))
    dy = -(k % YEAR_SPAN)
    text = offset_serials(text, SERIAL_STRIDE * (k // YEAR_SPAN + 1))
    text = shift_years(text, dy)
    text = shift_days(text, k % 27 + 1)
    return renumber_issue(text, k)


def build_corpus(n: int, out_dir: Path = DEFAULT_OUT, seeds_dir: Path = SEEDS_DIR) -> Path:
    """Write ``n`` synthetic issues as ``.txt`` under ``out_dir/<n>/`` (cached); returns the folder.

    Issue ``i`` comes from seed ``i % len(seeds)`` with variant ``i // len(seeds)``.
    """
    seeds = seed_issues(seeds_dir)
    folder = out_dir / f"{CORPUS_VERSION}-{n}"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        seed = seeds[i % len(seeds)]
        path = folder / f"{i:06d}_{seed.stem}.txt"
        if not path.exists():
            tmp = path.with_suffix(".part")
            tmp.write_text(make_issue(seed, i // len(seeds)), encoding="utf-8")
            tmp.replace(path)
    done.write_text(dt.datetime.now(dt.UTC).isoformat())
    return folder


def corpus_files(folder: Path) -> list[Path]:
    """The issue files of a built corpus, in order."""
    return sorted(folder.glob("*.txt"))
