"""Appointments and removals (任命 / 免去) read from personnel documents.

Personnel notices print one entry per person and post, in a handful of shapes:

* a block head then entries: ``任命:`` / ``郝东焰同志为州公务员局局长(兼);`` … ``免去:`` /
  ``兰涛同志州政府督学职务;``
* one sentence per entry: ``任命张三为XX局局长``, ``张三同志任XX局局长，免去其XX职务``,
  ``免去李四的XX局副局长职务``
* a damaged two-column notice whose only trace is ``…单位: 卢海滨的攀枝花市…副局长``.

Bracketed notes after a post (试用期一年, 兼, 主持日常工作, 挂职一年) are qualifiers and are
kept apart; several posts in one entry (``局长、党组书记``) give one row each. ``聘任`` and
``提名`` are not appointments, and membership lists of working groups (组长/成员) are not either.
Word lists and patterns live in ``transforms/rules/facts.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RULES_PATH = Path(__file__).with_name("rules") / "facts.toml"

# Width and spacing noise undone before matching: full-width brackets and punctuation.
_WIDTH_PAIRS = (("（", "("), ("）", ")"), ("：", ":"), ("；", ";"), ("，", ","), ("\u3000", " "))
_WIDTH = str.maketrans(dict(_WIDTH_PAIRS))


def _narrow(text: str) -> str:
    """``text.translate(_WIDTH)`` as one ``str.replace`` per character: translate looks every
    character of a Chinese text up in a dict, replace scans in C (same result, ~50x faster)."""
    for wide, narrow in _WIDTH_PAIRS:
        text = text.replace(wide, narrow)
    return text


_SPACES = " \t\u00a0\u2002\u2003\u2009"


def _despace(text: str) -> str:
    """``text`` without the spaces of :data:`_SPACES`: one C ``str.replace`` scan per kind of
    space is ~4x faster than a regex substitution over a whole body."""
    for ch in _SPACES:
        if ch in text:
            text = text.replace(ch, "")
    return text


# A cheap test that a body may hold personnel entries at all (the hot path skips the rest):
# 任命|免去|任免|免职|同志任|决定 as one pattern per first character. A search for a pattern
# led by a literal jumps from one such character to the next; an alternation with several
# first characters tests a class at every position, ~10x the instructions on a body.
_CUES = tuple(re.compile(p) for p in ("任[命免]", "免[去职]", "同志任", "决定"))


def _has_cue(body: str) -> bool:
    """Whether ``body`` holds one of the cue words (any of :data:`_CUES` matches)."""
    return any(rx.search(body) for rx in _CUES)


# Parentheses left open at the end of a line: the entry continues on the next line.
_OPEN_PAREN_BREAK = re.compile(r"(\([^()\n]*)\n+")
_TERMINAL = ";。:,!？?、"
_CLAUSE_SPLIT = re.compile(r"[;。,:]")
_DAMAGED_SPLIT = re.compile(r"[;。,]")
# The bracketed note(s) at the end of a post: 处长(试用期一年).
_LAST_NOTE = re.compile(r"\(([^()]*)\)$")
_LAST_NOTES = re.compile(r"(?:\([^()]*\))+$")


@cache
def rules() -> dict:
    """The ``[appointments]`` section of the facts rules, read once."""
    with RULES_PATH.open("rb") as fh:
        return tomllib.load(fh)["appointments"]


@dataclass(frozen=True)
class _Patterns:
    head: re.Pattern[str]
    any_head: re.Pattern[str]
    appoint_entry: re.Pattern[str]
    remove_entry: re.Pattern[str]
    remove_bare: re.Pattern[str]
    ren_comrade: re.Pattern[str]
    ren_entry: re.Pattern[str]
    entry_start: re.Pattern[str]
    damaged: re.Pattern[str]
    qualifier: re.Pattern[str]
    post_end: re.Pattern[str]
    excluded: re.Pattern[str]
    position_start: re.Pattern[str]


def _alt(words: list[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


@cache
def _patterns() -> _Patterns:
    r = rules()
    name = r["name"]
    heads = {"任命": r["appoint_heads"], "免去": r["remove_heads"], "其他": r["other_heads"]}
    head_alt = "|".join(f"(?P<h{i}>{_alt(ws)})" for i, ws in enumerate(heads.values()))
    return _Patterns(
        head=re.compile(rf"(?:{head_alt})(?P<colon>:)?"),
        # Whether a line holds a head at all: one flat alternation of literals, which the
        # engine scans ~8x faster than ``head`` (whose branches start with a group).
        any_head=re.compile(_alt([w for ws in heads.values() for w in ws])),
        appoint_entry=re.compile(
            rf"^(?P<person>{name}?(?:同志)?(?:、{name}?(?:同志)?)*?)(?:同志)?为(?P<pos>.+)$"
        ),
        remove_entry=re.compile(
            rf"^(?P<person>{name}?)(?:同志的?|的)(?P<pos>.+?)(?:的)?(?:职务)?$"
        ),
        remove_bare=re.compile(rf"^(?P<person>{name})(?P<pos>.+?)(?:的)?职务$"),
        ren_comrade=re.compile(
            rf"^(?P<person>{name}?)同志(?:任|担任)(?![务何期职命免])(?P<pos>[^:]+)$"
        ),
        ren_entry=re.compile(
            rf"^(?P<person>{name}?)(?:同志)?(?:任|担任)(?![务何期职命免])(?P<pos>[^:]+)$"
        ),
        entry_start=re.compile(rf"^(?:{name}?)(?:同志|为|任|的)"),
        damaged=re.compile(rf"(?:^|[:])(?P<person>{name}?)的(?P<pos>[^:的]{{4,60}})$"),
        qualifier=re.compile(rf"^(?:{'|'.join(r['qualifiers'])})$"),
        post_end=re.compile(rf"(?:{_alt(r['post_suffixes'])})$"),
        excluded=re.compile("|".join(f"(?:{p})" for p in r["excluded_positions"])),
        position_start=re.compile(rf"^(?:{_alt(r['position_starts'])})"),
    )


_HEAD_ACTIONS = ("任命", "免去", "其他")


def _prepare(body: str) -> list[str]:
    """Lines with spaces removed, widths unified and entries broken over lines joined again."""
    text = _despace(_narrow(body))
    for _ in range(3):  # a note broken twice over lines: (试用 / 期 / 一年)
        joined = _OPEN_PAREN_BREAK.sub(r"\1", text)
        if joined == text:
            break
        text = joined
    p = _patterns()
    lines: list[str] = []
    for line in text.split("\n"):
        if not line:
            continue
        prev = lines[-1] if lines else ""
        if (
            prev
            and prev[-1] not in _TERMINAL
            and not p.entry_start.match(line)
            and not p.head.match(line)
            and len(line) < 40
        ):
            lines[-1] = prev + line
        else:
            lines.append(line)
    return lines


def _split_posts(pos: str) -> list[str]:
    """Split ``局长、党组书记`` on 、 outside brackets."""
    out, depth, cur = [], 0, []
    for ch in pos:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == "、" and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [s for s in out if s]


def _qualified(pos: str) -> tuple[str, str | None]:
    """Pop trailing bracketed qualifiers: ``处长(主任)(试用期一年)`` -> (``处长(主任)``, 试用期一年)."""
    p = _patterns()
    quals: list[str] = []
    while True:
        m = _LAST_NOTE.search(pos)
        if not m or not p.qualifier.match(m[1]):
            break
        quals.insert(0, m[1])
        pos = pos[: m.start()]
    return pos, ("，".join(quals) or None)


def _rows(action: str, person: str, pos: str) -> list[dict]:
    """Rows for one entry: qualifiers apart, one row per post, invalid posts dropped."""
    p = _patterns()
    person = person.removesuffix("同志")
    pos = pos.strip(";。,:").removesuffix("职务").removesuffix("的")
    out = []
    for part in _split_posts(pos):
        post, qual = _qualified(part.removesuffix("职务"))
        post = post.strip(",:")
        if (
            not post
            or len(post) > 60
            or ":" in post
            or not p.post_end.search(_LAST_NOTES.sub("", post))
            or p.excluded.match(post)
        ):
            continue
        out.append({"action": action, "person": person, "position": post, "qualifier": qual})
    return out


def _bare_removal(clause: str) -> tuple[str, str] | None:
    """``李四市财政局局长职务``: guess where a name without 同志/的 ends."""
    p = _patterns()
    m = p.remove_bare.match(clause)
    if not m:
        return None
    whole = m["person"] + m["pos"]
    for n in (3, 2, 4):
        if len(whole) > n + 1 and p.position_start.match(whole[n:]):
            return whole[:n], whole[n:]
    return whole[:3], whole[3:]


def _appoint_rows(persons: str, pos: str) -> list[dict]:
    """``张三、李四同志为…``: one entry per person listed."""
    rows = []
    for person in persons.split("、"):
        rows.extend(_rows("任命", person, pos))
    return rows


def _entry(clause: str, mode: str | None, last_person: str | None) -> list[dict]:
    """Rows for one clause read in the current block mode."""
    p = _patterns()
    if mode == "其他":
        return []
    # Each pattern below needs a literal word (ren_comrade 同志 and 任, ren_entry 任,
    # appoint_entry 为): plain ``in`` tests skip the patterns that cannot match.
    ren = "任" in clause
    if mode != "免去" and not ren and "为" not in clause:
        return []  # most clauses stop here
    m = p.ren_comrade.match(clause) if ren and "同志" in clause else None
    if m:
        return _rows("任命", m["person"], m["pos"])
    if mode == "免去":
        if clause.startswith("其") and last_person:
            return _rows("免去", last_person, clause[1:])
        m = p.remove_entry.match(clause)
        if m and (clause.endswith("职务") or "同志" in clause[:8]):
            return _rows("免去", m["person"], m["pos"])
        bare = _bare_removal(clause)
        return _rows("免去", *bare) if bare else []
    m = p.appoint_entry.match(clause) if mode == "任命" and "为" in clause else None
    if m:
        return _appoint_rows(m["person"], m["pos"])
    m = p.ren_entry.match(clause) if ren else None
    if m:
        return _rows("任命", m["person"], m["pos"])
    return []


def extract_appointments(body: str | None) -> list[dict]:
    """Every 任命 and 免去 entry in a body as dicts (action, person, position, qualifier)."""
    if not body or not _has_cue(body):
        return []
    p = _patterns()
    rows: list[dict] = []
    mode: str | None = None
    last_person: str | None = None
    for line in _prepare(body):
        # A head found in a clause is found in its line: most lines have none, and then their
        # clauses are not searched one by one.
        has_head = p.any_head.search(line) is not None
        if not has_head and not rows and (mode == "其他" or (mode is None and "任" not in line)):
            continue  # no clause of it can give a row (see _entry) nor qualify one
        for clause in _CLAUSE_SPLIT.split(line):
            if not clause:
                continue
            # Block heads inside the clause switch the mode; the entry is what follows the last.
            rest = clause
            for hm in p.head.finditer(clause) if has_head else ():
                action = next(a for i, a in enumerate(_HEAD_ACTIONS) if hm[f"h{i}"])
                tail = clause[hm.end() :]
                if hm["colon"] or not tail or _entry(tail, action, last_person):
                    mode, rest = action, tail
            if not rest:
                continue
            found = _entry(rest, mode, last_person)
            if not found and rest.strip(")") and rows and _patterns().qualifier.match(rest):
                # "…副局长,主持日常工作": a qualifier printed as its own clause.
                prev = rows[-1]
                prev["qualifier"] = "，".join(q for q in (prev["qualifier"], rest) if q)
                continue
            if found:
                last_person = found[0]["person"]
                rows.extend(found)
    if not rows and "免去" in body:
        rows = _damaged_removals(body)
    return _dedupe(rows)


def _damaged_removals(body: str) -> list[dict]:
    """A notice whose columns were interleaved: ``…单位: 卢海滨的攀枝花市…副局长``."""
    p = _patterns()
    rows: list[dict] = []
    for line in _despace(_narrow(body)).split("\n"):
        for clause in _DAMAGED_SPLIT.split(line):
            m = p.damaged.search(clause)
            if m:
                rows.extend(_rows("免去", m["person"], m["pos"]))
    return rows


def _dedupe(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for r in rows:
        key = (r["action"], r["person"], r["position"], r["qualifier"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out
