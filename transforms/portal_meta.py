"""What a portal page states about its document: labelled fields, issuers, genre, signature.

Portals print the same field under different labels (发文字号 / 文号 / 文件编号), with inner spaces
(``索 引 号``, ``标　　题``), with or without a colon, the value in the same cell, the next cell
or the next line. Everything here reads *lines* (a metadata table is turned into one line per
cell first), so one reader serves HTML tables, ``label: value`` blocks and pages saved as text.
Labels, issuer suffixes, abbreviation rules and genre words are data in
``transforms/rules/portal.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from transforms.dates import is_date_line
from transforms.numbers import normalize_doc_number, parse_doc_number

RULES_PATH = Path(__file__).parent / "rules" / "portal.toml"
_SP = r"[^\S\r\n]"  # any space but a line break (ASCII, full-width, em, no-break)


@cache
def rules() -> dict:
    """The portal rules (loaded once)."""
    with RULES_PATH.open("rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True)
class Field:
    """One labelled value as printed: ``key`` is the label without spaces, ``field`` the column
    it feeds (title, doc_number, signed_date, issuer, published_date) or None."""

    key: str
    value: str
    field: str | None


@cache
def _label_index() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for field, labels in rules()["labels"].items():
        if field == "none_values":
            continue
        for label in labels:
            out.setdefault(label, None if field == "other" else field)
    return out


@cache
def label_groups(counted: str) -> tuple[tuple[str, ...], ...]:
    """The known labels grouped by the column they feed, plus ``counted`` (a label of no column)
    as a group of its own: the labels a field of each group may be read from."""
    groups: dict[str, list[str]] = {}
    for label, name in _label_index().items():
        if name or label == counted:
            groups.setdefault(name or label, []).append(label)
    return tuple(tuple(labels) for labels in groups.values())


@cache
def _label_re() -> re.Pattern[str]:
    """Any known label, inner spaces allowed, then an optional colon."""
    alts = sorted(_label_index(), key=len, reverse=True)
    # Each label starts at the start of the line or after a space. The test sits behind the
    # label's first character (``c(?<=(?<!\S)c)``), not before the alternation, so that the
    # pattern starts with a branch of literals, which the engine scans for quickly.
    spaced = "|".join(
        re.escape(a[0])
        + rf"(?<=(?<!\S){re.escape(a[0])})"
        + "".join(f"{_SP}*{re.escape(ch)}" for ch in a[1:])
        for a in alts
    )
    return re.compile(rf"(?P<label>{spaced}){_SP}*(?P<colon>[:：])?")


@cache
def _label_first() -> re.Pattern[str]:
    """Any first character of a known label: a line without one holds no label (one fast class
    scan instead of trying the whole label alternation at every position)."""
    index = _label_index()
    if "" in index:
        return re.compile("")
    return re.compile("[" + re.escape("".join(sorted({label[0] for label in index}))) + "]")


_UNKNOWN_LABEL = re.compile(
    rf"^(?P<label>[\u4e00-\u9fff](?:[\u4e00-\u9fff]|{_SP}){{1,9}}){_SP}*[:：]{_SP}*(?P<value>.*)$"
)


# Page chrome glued after a value on the same line: ``2020-02-20 11:42 浏览次数：`` / ``【字体``.
_VALUE_END = re.compile(r"\s+(?=【|[\u4e00-\u9fff]{2,6}[:：])")


def squeeze(label: str) -> str:
    """A label as printed with its inner spaces removed (``索 引 号`` -> ``索引号``)."""
    return re.sub(r"\s+", "", label).rstrip(":：")


def _is_label_line(line: str) -> bool:
    m = _label_re().match(line)
    return bool(m and (m["colon"] or m.end() == len(line.rstrip())))


def parse_labelled_lines(
    lines: list[str], *, allow_unknown: bool = False, require_colon: bool = False
) -> list[Field]:
    """Labelled fields in ``lines``: ``label: value`` (several per line allowed), a label line
    followed by its value line, labels with inner spaces, with or without a colon.
    ``allow_unknown`` also keeps any short ``中文标签：value`` (inside a known metadata block);
    ``require_colon`` reads only labels ending in a colon (text outside a metadata block, where a
    bare word like 标题 may be a menu item)."""
    index, out = _label_index(), []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        matches = [
            m
            for m in (_label_re().finditer(line) if _label_first().search(line) else ())
            if m["colon"] or (m.start() == 0 and not require_colon)
        ]
        # Without a colon, a label must stand alone or be followed by a space (文件编号 川府发…).
        matches = [
            m for m in matches if m["colon"] or m.end() == len(line) or m.end() > m.end("label")
        ]
        if not matches:
            u = _UNKNOWN_LABEL.match(line) if allow_unknown else None
            value = u["value"].strip() if u else ""
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if (
                u
                and not value
                and nxt
                and not _is_label_line(nxt)
                and not _UNKNOWN_LABEL.match(nxt)
            ):
                value, i = nxt, i + 1  # an unknown label's value in the next cell
            if u and value:
                out.append(Field(squeeze(u["label"]), value, None))
            i += 1
            continue
        for k, m in enumerate(matches):
            end = matches[k + 1].start() if k + 1 < len(matches) else len(line)
            value = _VALUE_END.split(line[m.end() : end], maxsplit=1)[0].strip()
            key = squeeze(m["label"])
            if (
                not value
                and k + 1 == len(matches)
                and i + 1 < len(lines)
                and not _is_label_line(lines[i + 1])
            ):
                i += 1
                value = lines[i].strip()
            if value:
                out.append(Field(key, value, index.get(key)))
        i += 1
    return out


def is_none_value(value: str | None) -> bool:
    """``无``, ``-`` …: the publisher says there is none."""
    return not value or value.strip() in rules()["labels"]["none_values"]


def first(fields: list[Field], name: str) -> str | None:
    """The first stated value of a column, None when absent or stated as none."""
    for f in fields:
        if f.field == name:
            return None if is_none_value(f.value) else f.value
    return None


# --- text normalisation ---------------------------------------------------------------------

_CJK = r"\u2000-\u206f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef《》“”（）"


def norm_title(text: str) -> str:
    """A title on one line without stray spaces: spaces next to CJK text are dropped, other
    runs become one space (``2019年 部分 节假日`` -> ``2019年部分节假日``)."""
    s = re.sub(r"[\s\u3000\xa0]+", " ", text).strip()
    return re.sub(rf"(?<=[{_CJK}]) | (?=[{_CJK}])", "", s)


def unspace_name(text: str) -> str:
    """``交 通 运 输 部`` -> ``交通运输部`` (characters spaced out in mastheads and signatures)."""
    tokens = text.split()
    if len(tokens) > 1 and all(len(t) == 1 for t in tokens):
        return "".join(tokens)
    return text


# --- issuers ----------------------------------------------------------------------------------


def is_org_name(name: str) -> bool:
    """Looks like an organisation: ends with an organisation word, no sentence punctuation."""
    name = name.strip()
    if not (2 <= len(name) <= 40) or re.search(r"[，。：:；;！？“”《》\d]", name):
        return False
    return name.endswith(tuple(rules()["issuers"]["org_suffixes"]))


def split_issuers(value: str) -> list[str]:
    """Joint issuers in one value (``国务院办公厅、中央军委办公厅``) as a list, in order."""
    parts = re.split(rules()["issuers"]["separators"], value.strip())
    return [p for p in parts if p]


def names_in_line(line: str) -> list[str]:
    """Organisation names on one signature/masthead line: groups are separated by wide spaces;
    a group of single spaced-out characters is one name; the masthead word 文件 is dropped."""
    suffix = rules()["issuers"]["masthead_suffix"]
    line = re.sub(suffix, "", line.strip()).strip()
    names: list[str] = []
    groups = [g.strip() for g in re.split(r"\u3000+| {2,}|\t+", line) if g.strip()]
    if len(groups) > 1 and all(len(g) == 1 for g in groups):
        return [re.sub(suffix, "", "".join(groups)).strip()]  # 商　务　部: one name spaced out wide
    for group in groups:
        group = group.strip()
        if not group:
            continue
        joined = re.sub(suffix, "", unspace_name(group)).strip()
        if joined:
            names.extend([joined] if joined != group or " " not in group else group.split())
    return names


def join_title_issuers(title: str) -> str:
    """Joint issuers before 关于 written with spaces (``交通运输部 国家发展改革委关于``) are
    joined with 、 as in the publishers' own metadata, so the same title compares equal."""
    m = re.match(r"^(.+?)(关于.*)$", title.strip())
    if not m:
        return title
    parts = m.group(1).split()
    if len(parts) > 1 and all(is_org_name(p) for p in parts):
        return "、".join(parts) + m.group(2)
    return title


def title_prefix_issuers(title: str | None) -> list[str]:
    """Issuers written before 关于/印发/转发 in a title (``凉山州人民政府办公室关于…``)."""
    if not title:
        return []
    m = re.match(r"^(.+?)(?:关于|印发|转发)", title)
    if not m:
        return []
    parts = [p for p in re.split(r"[、，,]|\s+", m.group(1)) if p]
    return parts if parts and all(is_org_name(p) for p in parts) else []


def site_place(site_name: str | None) -> str | None:
    """The place of a site's government: 江西省人民政府 -> 江西省 (None when not a government)."""
    if not site_name:
        return None
    m = re.match(rules()["issuers"]["site_place"], site_name.strip())
    return m["place"] if m else None


def expand_issuer(name: str, known: list[str], place: str | None) -> str:
    """The full name of an abbreviated issuer (省政府办公厅, 州政府办公室, 市政府), from a full
    name stated elsewhere on the page (title prefix, signature, source) or from the site's place;
    unchanged when the page does not make it knowable."""
    r = rules()["issuers"]
    level = next((lv for lv in r["levels"] if name.startswith(lv)), None)
    if level is None or name.startswith(tuple(r["not_abbreviations"])):
        return name
    plain = name.replace(r["gov_full"], r["gov_short"])
    for cand in known:
        c = cand.replace(r["gov_full"], r["gov_short"])
        if len(cand) > len(name) and c.endswith(plain) and not c.startswith(level):
            return cand
    if place and place.endswith(level) and not name.startswith(place):
        rest = name[len(level) :]
        if rest.startswith(r["gov_short"]):
            rest = r["gov_full"] + rest[len(r["gov_short"]) :]
        return place + rest
    return name


# --- signature block, genre -------------------------------------------------------------------


def signature(lines: list[str], start: int = 1) -> tuple[list[str], str | None, int | None]:
    """Issuers and date of the signature block: the first line from ``start`` on that is only a
    date with organisation names on the lines just above it (spaced out or not, joint ones side
    by side or stacked); else the first date line alone. Returns (issuers, date line, index)."""
    dates = [i for i in range(start, len(lines)) if is_date_line(lines[i])]
    for i in dates:
        issuers: list[str] = []
        for j in range(i - 1, max(start - 1, i - 4), -1):
            names = names_in_line(lines[j])
            if not names or not all(is_org_name(n) for n in names):
                break
            issuers = names + issuers
        if issuers:
            return issuers, lines[i], i
    # No date under names: the first date standing alone (a date line under the title).
    return ([], lines[dates[0]], dates[0]) if dates else ([], None, None)


def genre_of(title: str | None) -> str:
    """The genre from the title's last genre word (实施意见 -> 意见), else 其他."""
    g = rules()["genre"]
    if not title:
        return g["default"]
    t = title.strip()
    while True:
        stripped = re.sub(g["trailing"], "", t).strip()
        if stripped == t:
            break
        t = stripped
    for word, genre in g["compound"].items():
        if t.endswith(word):
            return genre
    for word in g["words"]:
        if t.endswith(word):
            return word
    return g["default"]


def is_interpretation(title: str | None, column: str | None) -> bool:
    """An interpretation page (解读, 图解, 答记者问) by its title or its column name."""
    r = rules()["interpretation"]
    return bool(
        (title and re.search(r["title"], title)) or (column and re.search(r["column"], column))
    )


# --- page layout: the labelled block, the header's title and number -------------------------


def meta_value(tags: dict[str, str], kind: str) -> str | None:
    """The first non-empty ``<meta>`` tag of a kind (title, published_date, source …)."""
    return next((tags[n] for n in rules()["meta"][kind] if tags.get(n)), None)


def label_block(lines: list[tuple[int, str]], window: int = 60) -> tuple[int, int] | None:
    """(first, end) positions of the labelled block near the top of a saved page."""
    start = None
    for k, (_, line) in enumerate(lines[:window]):
        if parse_labelled_lines([line]) or is_bare_label(line):
            start = k
            break
    if start is None:
        return None
    k = start
    while k < len(lines):
        line = lines[k][1]
        if parse_labelled_lines([line]):
            k += 1
        elif is_bare_label(line) and k + 1 < len(lines):
            k += 2
        else:
            break
    return start, k


def is_bare_label(line: str) -> bool:
    """A label alone on its line (its value is on the next line)."""
    return _is_label_line(line) and not parse_labelled_lines([line])


def header_title(lines: list[str], most: int = 4) -> list[str]:
    """The title lines at the head of a body: up to ``most`` lines, ending with a genre word
    (the title wraps), before the salutation (``各…：``); [] when the head holds no title."""
    end = re.compile(rules()["pdf"]["title_end"])
    out: list[str] = []
    for s in lines[:most]:
        if s.endswith(("：", ":")) or is_number_line(s):
            break
        out.append(s)
        if end.search(s):
            return out
    return []


def number_in_title(title: str) -> tuple[str, str | None]:
    """``…的通知(发改经贸〔2026〕1241号)`` -> (title without it, the number)."""
    m = re.search(r"[（(]([^（()）]+)[)）]\s*$", title)
    if m and (num := normalize_doc_number(m.group(1))) and len(m.group(1)) <= len(num) + 4:
        return title[: m.start()].rstrip(), num
    return title, None


def is_number_line(line: str) -> bool:
    """A line holding a document number and (nearly) nothing else."""
    num = normalize_doc_number(line)
    return bool(num) and len(re.sub(r"\s", "", line)) <= len(num) + 2


def header_number(body: list[str]) -> str | None:
    """A number standing alone on a line of the body's header (under the title), or an
    order's number under its masthead (``中华人民共和国国务院令`` / ``第707号`` -> 国令第707号)."""
    head = body[: rules()["pdf"]["header_lines"]]
    order = order_number(head)
    if order:
        return order
    line = next((s for s in head if is_number_line(s)), None)
    return normalize_doc_number(line)


def order_number(lines: list[str]) -> str | None:
    """An order's number printed as a masthead line naming the order series and a ``第N号``
    line under it; the series is shortened as the issuer writes it (data: ``[orders.series]``)."""
    o = rules()["orders"]
    for a, b in zip(lines, lines[1:], strict=False):
        m, n = re.match(o["masthead"], squeeze(a)), re.match(o["serial"], b.strip())
        if m and n:
            series = o["series"].get(m["series"], m["series"])
            return f"{series}第{int(n['serial'])}号"
    return None


def same_number(a: str | None, b: str | None) -> bool:
    """Two normal-form numbers name the same document: equal, or the same order serial with
    the series written in full by one and short by the other (江西省人民政府令 / 省政府令)."""
    if a == b:
        return True
    pa, pb = parse_doc_number(a), parse_doc_number(b)
    if not (pa and pb) or (pa.year, pa.serial) != (pb.year, pb.serial):
        return False
    sa, sb = pa.series or "", pb.series or ""
    return (
        sa.endswith("令") and sb.endswith("令") and (sa.endswith(sb[-3:]) or sb.endswith(sa[-3:]))
    )
