"""Task assignments (任务分工): numbered tasks and the units responsible for each.

Government documents assign tasks in five recurring shapes, all handled here:

a. a numbered task, then a line ``责任单位:州财政局、州税务局,各县(市)人民政府``;
b. an inline bracket after the task, ``（责任单位：市发展改革委、市财政局）`` or ``〔责任单位：…〕``;
c. the central style, a bracket ending in a role word: ``（国家发展改革委、财政部负责）``,
   ``（…按职责分工负责）``, ``（A、B牵头，C配合）``, with notes such as
   ``列首位的为牵头单位，下同`` saying that the first unit listed leads;
d. ``牵头单位:`` / ``责任单位:`` lines under a task heading;
e. a tab-separated table with columns 序号 / 工作任务 / 责任单位.

One row per (task, unit). ``task_no`` is the number of the innermost numbered item holding
the unit list (``1.``, ``(一)``, ``一、`` read as integers). Units split on 、，,；; outside
brackets, so ``省审改办（省委编办）`` and ``各县(市)人民政府`` stay whole. Labels, role words and
unit suffixes are data in ``transforms/rules/facts.toml``.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from transforms.dates import cn_to_int

RULES_PATH = Path(__file__).with_name("rules") / "facts.toml"

OPENERS = "(（〔[［【"
CLOSERS = ")）〕]］】"
_PAIR = dict(zip(CLOSERS, OPENERS, strict=True))
_CN = "一二三四五六七八九十"
# A numbered item at the start of a line. Like every line-anchored pattern here it is written
# to run over ``"\n" + text`` (see :func:`_line_matches`): a leading literal newline lets the
# engine jump from line to line, where ``^`` with re.M tries a match at every character.
_MARKER = re.compile(
    rf"\n[ \t\u3000]*(?:(?P<arab>\d{{1,3}})[ \t]*[.．、](?![\d.．])"
    rf"|[(（][ \t]*(?P<paren>[{_CN}]{{1,3}}|\d{{1,2}})[ \t]*[)）]"
    rf"|(?P<cn>[{_CN}]{{1,3}})[ \t]*、"
    rf"|第(?P<art>[{_CN}百]{{1,4}})[条项])",
)
_UNIT_WIDTH = str.maketrans({"（": "(", "）": ")", "\u3000": ""})


def _unit_width(text: str) -> str:
    """``text.translate(_UNIT_WIDTH)`` by ``str.replace`` (a C scan, not a dict lookup per
    character)."""
    return text.replace("（", "(").replace("）", ")").replace("\u3000", "")


_WS = re.compile(r"\s+")

TASK_FIELDS = ("task_no", "task", "unit", "role")
TaskRow = tuple[int | None, str, str, str]  # one assignment, fields in TASK_FIELDS order


@cache
def rules() -> dict:
    """The ``[tasks]`` section of the facts rules, read once."""
    with RULES_PATH.open("rb") as fh:
        return tomllib.load(fh)["tasks"]


def _ordered(words: list[str]) -> list[str]:
    """Escaped words, longest first (so that a longer word wins over its prefix)."""
    return sorted((re.escape(w) for w in words), key=len, reverse=True)


def _alt(words: list[str]) -> str:
    return "|".join(_ordered(words))


def _each(words: list[str], tail: str) -> str:
    """``w1tail|w2tail|…``: the same matches as ``(?:w1|w2|…)tail``, but every branch starts
    with a literal, so the engine skips ahead to a possible first character (a search for the
    grouped form tries every position of the text, ~8x slower on a body)."""
    return "|".join(w + tail for w in _ordered(words))


def _line_matches(rx: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Matches of a line-anchored ``rx`` (written ``\\n…``, see :data:`_MARKER`) over ``text``.

    ``rx`` runs over ``"\\n" + text``, so a match's ``start()`` is the offset in ``text`` of the
    line it starts (what ``^…`` with re.M gives) and its ``end()`` is one past its end in
    ``text``.
    """
    return list(rx.finditer("\n" + text))


@dataclass(frozen=True)
class _Patterns:
    cue: re.Pattern[str]
    label_line: re.Pattern[str]
    bracket_cues: re.Pattern[str]
    label_clause: re.Pattern[str]
    role_clause: re.Pattern[str]
    not_unit: re.Pattern[str]
    lead_note: re.Pattern[str]
    org_end: re.Pattern[str]
    strip_prefix: re.Pattern[str]
    strip_suffix: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    r = rules()
    labels, roles = _alt(r["unit_labels"]), _alt(r["role_words"])
    org = _alt(r["org_suffixes"])
    return _Patterns(
        cue=re.compile(
            _each(r["unit_labels"], r"\s*[:：]")
            + "|"
            + _each(r["role_words"], rf"\s*[,，;；。{re.escape(CLOSERS)}]")
            + r"|\t"
        ),
        label_line=re.compile(  # over "\n" + text: see _line_matches
            rf"\n[ \t\u3000]*(?P<label>{labels})[ \t]*[:：][ \t]*(?P<units>[^\n]+?)[ \t]*$", re.M
        ),
        bracket_cues=_bracket_cues(labels, r["role_words"]),
        label_clause=re.compile(rf"^(?P<label>{labels})\s*[:：]\s*(?P<rest>.*)$", re.S),
        role_clause=re.compile(rf"^(?P<units>.+?)(?P<role>{roles})$", re.S),
        not_unit=re.compile("|".join(f"(?:{p})" for p in r["not_unit"])),
        lead_note=re.compile("|".join(f"(?:{p})" for p in r["lead_first_notes"])),
        org_end=re.compile(rf"(?:{org})(?:\([^()]*\))?$"),
        strip_prefix=re.compile(rf"^(?:{_alt(r['unit_strip_prefix'])})"),
        strip_suffix=re.compile("|".join(f"(?:{p})$" for p in r["unit_strip_suffix"])),
    )


def _bracket_cues(labels: str, role_words: list[str]) -> re.Pattern[str]:
    """One scan for what :func:`_brackets` needs: every bracket, an opener that starts a label
    (``（责任单位：``, matched whole), and a role word before a separator or closer
    (``负责）``, the role and its spaces matched). Each branch starts with a literal, so the
    engine skips to candidates; one pass replaces three scans of the body. The kinds cannot
    overlap: labels and role words hold no bracket, a label is followed by a colon (no role
    ends there), and the opener branch with a label comes before the bare bracket.

    The branches are grouped by their first character (``负(?:责…)``, ``（(?:…label…|)``): at
    each candidate the engine tests one literal per group instead of one per word (~6% fewer
    instructions for the scan). Only branches with the same first character can match at
    one place, and those keep their order, so every match is the one of the flat
    alternation ``label|bracket|role…`` (longest role first).
    """
    role_end = rf"\s*(?=[,，;；。{re.escape(CLOSERS)}])"
    label = rf"\s*(?:{labels})\s*[:：]"
    groups: dict[str, list[str]] = {o: [label] for o in OPENERS}
    for b in OPENERS + CLOSERS:
        groups.setdefault(b, []).append("")
    words = sorted([*role_words], key=lambda w: len(re.escape(w)), reverse=True) + ["下同"]
    for w in words:
        groups.setdefault(w[0], []).append(re.escape(w[1:]) + role_end)
    return re.compile("|".join(_group(first, rests) for first, rests in groups.items()))


def _group(first: str, rests: list[str]) -> str:
    """``first`` followed by any of ``rests`` (in order; ``""`` matches ``first`` alone)."""
    if rests == [""]:
        return re.escape(first)
    return f"{re.escape(first)}(?:{'|'.join(rests)})"


@cache
def _bracket_re() -> re.Pattern[str]:
    return re.compile(f"[{re.escape(OPENERS + CLOSERS)}]")


_BLANK_LINE = re.compile(r"\n(?<=\n\n)")  # the second newline of a blank line


@cache
def _seps_re(seps: str) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(seps)}]")


def _split_top(text: str, seps: str) -> list[str]:
    """Split on any of ``seps`` outside brackets."""
    if not _bracket_re().search(text):  # no brackets: every separator splits (one C call)
        return [s.strip() for s in _seps_re(seps).split(text) if s.strip()]
    out, cur, depth = [], [], 0
    for ch in text:
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(0, depth - 1)
        if ch in seps and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [s.strip() for s in out if s.strip()]


def _split_deng(frag: str) -> list[str]:
    """``市发展改革委等市…成员单位``: 等 right after a unit name separates two units."""
    p = _patterns()
    parts, start = [], 0
    for m in re.finditer("等", frag):
        i = m.start()
        if len(frag) - i > 2 and p.org_end.search(frag[start:i]):
            parts.append(frag[start:i])
            start = i + 1
    parts.append(frag[start:])
    return parts


def split_units(text: str) -> list[str]:
    """Units of a list: ``州财政局、州税务局,各县(市)人民政府`` -> three units.

    Separators outside brackets split; a short fragment that is not a unit by itself
    (``各市`` in ``各市、县〔区〕政府``) is glued to the next; trailing 等/等有关部门 dropped.
    """
    return list(_split_units(text))


@lru_cache(maxsize=8192)
def _split_units(text: str) -> tuple[str, ...]:
    """:func:`split_units`, cached: the same unit lists recur in an issue and across issues."""
    p = _patterns()
    frags = _split_top(_WS.sub("", _unit_width(text)), "、,，;；")
    glued: list[str] = []
    carry = ""
    for f in frags:
        f = carry + f
        carry = ""
        if len(f) <= 3 and not p.org_end.search(f) and f is not frags[-1]:
            carry = f + "、"
            continue
        glued.append(f)
    if carry:
        glued.append(carry.rstrip("、"))
    units: list[str] = []
    for f in glued:
        for part in _split_deng(p.strip_suffix.sub("", f)):
            u = p.strip_suffix.sub("", p.strip_prefix.sub("", part.strip("。.:：")))
            if u and not p.not_unit.fullmatch(u) and len(u) <= 40:
                units.append(u)
    return tuple(units)


def _group_assignments(
    content: str, sticky_lead: str | None
) -> tuple[list[tuple[str, str]], str | None]:
    """:func:`_read_group`, cached (a pure function of one bracket's text and the lead)."""
    pairs, sticky = _read_group(content, sticky_lead)
    return list(pairs), sticky


@lru_cache(maxsize=8192)
def _read_group(
    content: str, sticky_lead: str | None
) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """(unit, role) pairs of one bracket's content, and the lead label that holds from now on.

    Clauses are read left to right: ``责任单位:`` sets the role of what follows, a clause ending
    in a role word gives that role to itself and to role-less units before it. A note
    ``排在第一位的为牵头单位`` makes the first unit the lead here (and, with ``下同``, in the
    brackets that follow); the returned label is that sticky lead or ``sticky_lead`` unchanged.
    """
    p = _patterns()
    content = _WS.sub("", content)
    pairs: list[tuple[str, str]] = []
    pending: list[str] = []
    label: str | None = None
    note = p.lead_note.search(content)
    lead = re.search(r"牵头(?:单位|部门)", note[0])[0] if note else sticky_lead
    if note and "下同" in content:
        sticky_lead = lead
    for clause in _split_top(content, "，,；;。"):
        if p.lead_note.search(clause) or p.not_unit.fullmatch(clause):
            continue
        m = p.label_clause.match(clause)
        if m:
            label = m["label"]
            pairs.extend((u, label) for u in split_units(m["rest"]))
            continue
        m = p.role_clause.match(clause)
        if m and not label:
            units = pending + split_units(m["units"])
            pending = []
            if units and all(len(u) <= 30 for u in units):
                pairs.extend((u, m["role"]) for u in units)
            continue
        if label:
            pairs.extend((u, label) for u in split_units(clause))
        else:
            pending.extend(split_units(clause))
    if lead and pairs and pairs[0][1] not in rules()["no_lead_roles"]:
        pairs[0] = (pairs[0][0], lead)
    return tuple(pairs), sticky_lead


class _Nesting:
    """How the brackets of one body nest, from one pass over them.

    Any closer closes the innermost opener (as printed text mixes bracket kinds), a closer with
    nothing open is ignored, and no group spans more than ``limit`` characters or, looking back
    from a unit list, a blank line. One forward pass answers every :meth:`close` and
    :meth:`open_at` query, where scanning the brackets around each query cost a Python loop
    per cue.
    """

    def __init__(self, text: str, brackets: list[int], blanks: list[int], limit: int = 600):
        self.brackets, self.blanks, self.limit = brackets, blanks, limit
        self.closer: dict[int, int] = {}  # opener offset -> offset of the closer matching it
        self.top: list[int | None] = []  # innermost open opener after each bracket
        stack: list[int] = []
        for i in brackets:
            if text[i] in OPENERS:
                stack.append(i)
            elif stack:
                self.closer[stack.pop()] = i
            self.top.append(stack[-1] if stack else None)

    @classmethod
    def of(
        cls, brackets: list[int], closer: dict[int, int], top: list[int | None], limit: int = 600
    ) -> _Nesting:
        """A nesting already computed (by :func:`_scan`); no blank lines until they are set."""
        nesting = cls.__new__(cls)
        nesting.brackets, nesting.blanks, nesting.limit = brackets, [], limit
        nesting.closer, nesting.top = closer, top
        return nesting

    def close(self, start: int) -> int | None:
        """Offset of the bracket closing the one opened at ``start`` (None: not within limit)."""
        c = self.closer.get(start)
        return c if c is not None and c < start + self.limit else None

    def open_at(self, pos: int) -> int | None:
        """Offset of the innermost bracket still open at ``pos``, or None when there is none
        within ``limit - 1`` characters back or a blank line comes between it and ``pos``."""
        k = bisect_left(self.brackets, pos) - 1
        o = self.top[k] if k >= 0 else None
        if o is None or o < pos - self.limit + 1:
            return None
        b = bisect_right(self.blanks, o)  # the first blank line after the opener
        if b < len(self.blanks) and self.blanks[b] < pos - 1:
            return None  # a blank line ends a paragraph: the bracket is not open here
        return o


def _scan(text: str) -> tuple[_Nesting, list[int], list[int]]:
    """The nesting of ``text``'s brackets (no blank lines yet), the openers of a label
    (``（责任单位：``) and the starts of role words before a separator or closer (``负责）``).

    One loop over the cue matches does what :class:`_Nesting` does in a second loop over the
    brackets: the character and the kind of each match are looked at once (~15% fewer
    instructions for :func:`_brackets`).
    """
    brackets: list[int] = []  # every bracket
    labels: list[int] = []
    roles: list[int] = []
    closer: dict[int, int] = {}
    top: list[int | None] = []
    stack: list[int] = []
    for m in _patterns().bracket_cues.finditer(text):
        i = m.start()
        ch = text[i]
        if ch in OPENERS:
            stack.append(i)
            brackets.append(i)
            top.append(i)
            if m.end() > i + 1:
                labels.append(i)
        elif ch in CLOSERS:
            if stack:
                closer[stack.pop()] = i
            brackets.append(i)
            top.append(stack[-1] if stack else None)
        else:
            roles.append(i)
    return _Nesting.of(brackets, closer, top), labels, roles


def _brackets(text: str) -> list[tuple[int, int]]:
    """Outermost bracket groups that may hold a unit list, as (open, close) offsets."""
    nesting, labels, roles = _scan(text)
    if not labels and not roles:
        return []
    if roles:
        nesting.blanks = [m.start() for m in _BLANK_LINE.finditer(text)]
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
    ordered = sorted(spans)
    outer: list[tuple[int, int]] = []
    for s, e in ordered:
        if outer and s < outer[-1][1]:
            continue
        outer.append((s, e))
    return outer


def _within(starts: list[int], ends: list[int], pos: int) -> bool:
    """Is ``pos`` inside one of the sorted, disjoint spans ``starts[k]`` .. ``ends[k]``
    (exclusive)? A bisect, where ``any()`` over the spans cost a generator step per label
    line for every bracket group."""
    k = bisect_right(starts, pos) - 1
    return k >= 0 and pos < ends[k]


_LEVEL = {"cn": 0, "art": 0, "arab": 2}  # "paren": 3 for (1), 1 for (一)


def _markers(text: str) -> list[tuple[int, int, int | None, int]]:
    """The numbered items of ``text``: (start, end of marker, number, level).

    Each alternative of :data:`_MARKER` holds one named group, so ``lastgroup`` names the
    one that matched: one lookup where reading up to four groups cost two calls per item.
    Levels: 一、/第一条 0, (一) 1, 1. 2, (1) 3.
    """
    return [
        (
            m.start(),
            m.end() - 1,
            _cn_to_int(raw := m[g := m.lastgroup]),
            _LEVEL[g] if g != "paren" else 3 if raw.isdigit() else 1,
        )
        for m in _line_matches(_MARKER, text)
    ]


def _owner(markers: list[tuple[int, int, int | None, int]], k: int, owned: set[int]) -> int:
    """The item that a unit-label line under item ``k`` belongs to.

    ``(一)知识产权保护执法行动`` / ``1.行动目标`` / ``2.行动重点`` / ``牵头单位:…``: when none of
    the earlier siblings of ``k`` had units of their own, the labels close the parent heading.
    """
    if k <= 0 or k in owned:
        return k
    level = markers[k][3]
    j = k - 1
    siblings = []
    while j >= 0 and markers[j][3] >= level:
        if markers[j][3] == level:
            siblings.append(j)
        j -= 1
    if j < 0 or not siblings or any(i in owned for i in siblings):
        return k
    return j


@lru_cache(maxsize=1024)
def _cn_to_int(raw: str) -> int | None:
    """:func:`cn_to_int`, cached: item numbers are a small, recurring set."""
    return cn_to_int(raw)


def _clean_task(text: str) -> str:
    """``text`` without whitespace and edge separators. ``str.split()`` splits on exactly what
    ``\\s`` matches (both use str.isspace) and is ~3x faster than ``_WS.sub`` here."""
    return "".join(text.split()).strip("，,；;")


def _table_rows(lines: list[str]) -> list[TaskRow]:
    """Style e: tab-separated rows under a header naming 序号 / 工作任务 / 责任单位 columns."""
    r = rules()
    cols: dict[str, int] | None = None
    rows: list[TaskRow] = []
    for line in lines:
        cells = [c.strip() for c in line.split("\t")]
        header = _header(line, cells, r["table_unit_header"])
        unit_col = next((h for h in r["table_unit_header"] if h in header), None)
        if unit_col:
            cols = {
                "unit": header[unit_col],
                "no": next((header[h] for h in r["table_no_header"] if h in header), -1),
                "task": next((header[h] for h in r["table_task_header"] if h in header), -1),
            }
            role = unit_col
            continue
        if cols is None or len(cells) <= cols["unit"]:
            continue
        # A row may stop before the number column (序号 after 责任单位): no number, not a crash.
        no_cell = cells[cols["no"]] if 0 <= cols["no"] < len(cells) else ""
        no = cn_to_int(no_cell) if no_cell else None
        task = cells[cols["task"]] if 0 <= cols["task"] < len(cells) else ""
        units = split_units(cells[cols["unit"]])
        if units:  # the task text cleaned once for all its units
            clean = _clean_task(task)
            rows += [(no, clean, unit, role) for unit in units]
    return rows


def _header(line: str, cells: list[str], unit_headers: list[str]) -> dict[str, int]:
    """Column numbers by cell text without spaces, for a row that may be a header; ``{}``
    for the others: a cell equal to a unit header (spaces removed) is a substring of the line
    without spaces, and a few C substring tests rule that out where a dict per row cost more.
    """
    flat = line.replace(" ", "")
    if not any(h in flat for h in unit_headers):
        return {}
    return {c.replace(" ", ""): i for i, c in enumerate(cells)}


def extract_tasks(body: str | None, *, as_tuples: bool = False) -> list[Any]:
    """Every (task, unit) assignment in a body as dicts (task_no, task, unit, role).

    With ``as_tuples`` the rows are :data:`TaskRow` tuples in :data:`TASK_FIELDS` order: a
    table of hundreds of rows costs a dict per row otherwise, and
    :func:`transforms.facts.extract_facts` builds its frame column by column from them.
    """
    rows = _task_rows(body)
    return rows if as_tuples else [dict(zip(TASK_FIELDS, row, strict=True)) for row in rows]


def _task_rows(body: str | None) -> list[TaskRow]:
    """:func:`extract_tasks` as tuples."""
    if not body:
        return []
    p = _patterns()
    if not p.cue.search(body):
        return []
    if "\t" in body:  # style e: the table rows apart, the rest read as text
        lines = body.split("\n")
        rows = _table_rows([ln for ln in lines if "\t" in ln])
        text = "\n".join(ln for ln in lines if "\t" not in ln)
    else:
        rows, text = [], body

    # Items of the body: (position, end, pairs) for label lines and unit brackets.
    found: list[tuple[int, int, list[tuple[str, str]]]] = []
    for m in _line_matches(p.label_line, text):
        units = split_units(m["units"])
        if units:
            found.append((m.start(), m.end() - 1, [(u, m["label"]) for u in units]))
    sticky_lead: str | None = None
    label_starts, label_ends = [f[0] for f in found], [f[1] for f in found]
    for s, e in _brackets(text):
        if _within(label_starts, label_ends, s):
            continue
        pairs, sticky_lead = _group_assignments(text[s + 1 : e], sticky_lead)
        if pairs:
            found.append((s, e + 1, pairs))
    if not found:  # the numbered items are read only when there is something to number
        return _dedupe(rows)
    found.sort()

    markers = _markers(text)
    starts = [m[0] for m in markers]

    def enclosing(pos: int) -> int:
        """Index of the last marker before ``pos`` (-1 when none)."""
        return bisect_right(starts, pos) - 1

    prev_end_in_item: dict[int, int] = {}
    first_label_in_item: dict[int, int] = {}
    owned: set[int] = set()
    for s, e, pairs in found:
        k = enclosing(s)
        is_label_line = text[s] not in OPENERS
        if is_label_line:
            k = _owner(markers, k, owned)
        owned.add(k)
        item_start = markers[k][1] if k >= 0 else 0
        if is_label_line and k in first_label_in_item:
            task_end = first_label_in_item[k]
            seg_start = item_start
        elif is_label_line and k + 1 < len(markers) and markers[k + 1][0] < s:
            task_end = markers[k + 1][0]  # a heading: its own line is the task
            seg_start = item_start
        else:
            seg_start = max(item_start, prev_end_in_item.get(k, item_start))
            task_end = s
        if is_label_line:
            first_label_in_item.setdefault(k, task_end)
        prev_end_in_item[k] = e
        task = _clean_task(text[seg_start:task_end])
        no = markers[k][2] if k >= 0 else None
        rows.extend((no, task, u, r) for u, r in pairs)
    return _dedupe(rows)


def _dedupe(rows: list[TaskRow]) -> list[TaskRow]:
    """Rows in order, each only where it first appears (a row is its whole tuple)."""
    return list(dict.fromkeys(rows))
