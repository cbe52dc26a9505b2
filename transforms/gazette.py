"""A whole gazette issue as text -> its documents, facts and issue identity (a Parsed).

Steps, each in its own module: pick the rule set (rules.py), read the masthead (here),
clean the lines (clean.py), read the table of contents (toc.py), split (split.py), read each
document's header and signature (headers.py), join the body's paragraphs (clean.py), and
hand the documents to the fact extractors (facts.py, another module's job).
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from transforms.clean import clean_lines, join_paragraphs, normalise_width, rule_re, unify_breaks
from transforms.dates import parse_date
from transforms.headers import parse_header
from transforms.model import (
    APPOINTMENT_SCHEMA,
    CITATION_SCHEMA,
    DOCUMENT_SCHEMA,
    TASK_SCHEMA,
    IssueInfo,
    Parsed,
    ParseError,
    conform,
    empty,
)
from transforms.rules import load_rules
from transforms.split import split_issue
from transforms.toc import read_toc


def read_masthead(lines: list[str], rules: dict[str, Any]) -> IssueInfo:
    """The gazette's name, year, issue and total issue number, and publication date as the
    masthead prints them (``攀枝花市人民政府公报`` / ``第 12 期 (总第 250 期)`` / ``2018``,
    ``发行日期: 2020年4月``). The name falls back to the rule set's ``gazette``."""
    conf = rules.get("masthead", {})
    head = [normalise_width(x).strip() for x in lines[: int(conf.get("lines", 60))]]
    gazette = rule_re(conf.get("gazette", r"^$^"))
    issue = rule_re(conf.get("issue", r"^$^"))
    year = rule_re(conf.get("year", r"^$^"))
    published = rule_re(conf.get("published", r"^$^"))
    info = IssueInfo()
    for s in head:
        if not s:
            continue
        if info.gazette is None and (m := gazette.match(s)):
            info.gazette = m["gazette"]
        if info.issue_no is None and (m := issue.search(s)):
            info.issue_no = int(m["issue"])
            info.total_issue_no = int(m["total"]) if m["total"] else None
            info.year = info.year or (int(m["year"]) if m["year"] else None)
        if info.year is None and (m := year.match(s)):
            info.year = int(m["year"])
        if info.published is None and (m := published.search(s)):
            info.published = re.sub(r"\s+", "", m["published"])
    if (
        info.year is None
        and info.published
        and (m := re.match(r"((?:19|20)\d{2})", info.published))
    ):
        info.year = int(m.group(1))
    info.gazette = info.gazette or rules.get("gazette") or None
    return info


def _with_name_as_noise(rules: dict[str, Any], gazette: str | None) -> dict[str, Any]:
    """The rules plus the gazette's own name as a running header (printed on every page)."""
    if not gazette:
        return rules
    noise = dict(rules.get("noise", {}))
    noise["running_header"] = [*noise.get("running_header", []), rf"^{re.escape(gazette)}$"]
    return {**rules, "noise": noise}


def _documents(
    lines: list[str], segments: list, rules: dict[str, Any]
) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """The documents frame, and the row dicts it was built from (the facts read those)."""
    rows = []
    for seq, seg in enumerate(segments):
        doc_lines = lines[seg.start : seg.end]
        entry = seg.entry
        head = parse_header(
            doc_lines,
            rules,
            expect_title=entry.title if entry else None,
            expect_number=entry.doc_number if entry else None,
        )
        number = head.doc_number
        rows.append(
            {
                "seq": seq,
                "title": head.title,
                "doc_number": number.text if number else None,
                "series": number.series if number else None,
                "doc_year": number.year if number else None,
                "serial": number.serial if number else None,
                "issuers": head.issuers,
                "signed_date": head.signed_date,
                "published_date": None,
                "genre": head.genre,
                "section": entry.section if entry else None,
                "page": entry.page if entry else None,
                "body": "\n".join(join_paragraphs(doc_lines[head.body_start :], rules)),
                "line_start": seg.start,
                "line_end": seg.end - 1,
            }
        )
    # Built with the schema, the frame has exactly its columns and types: no conform needed.
    return pl.DataFrame(rows, schema=DOCUMENT_SCHEMA), rows


def _facts(
    documents: pl.DataFrame, warnings: list[str], rows: list[dict[str, Any]] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The fact frames from transforms.facts; empty frames while that module is missing.

    ``rows`` are the dicts ``documents`` was built from, when the caller has them: their
    bodies are read from there (the same values) instead of decoded from the frame again."""
    try:
        from transforms.facts import extract_facts
    except ImportError as exc:
        warnings.append(f"facts not extracted: transforms.facts unavailable ({exc})")
        return empty(APPOINTMENT_SCHEMA), empty(CITATION_SCHEMA), empty(TASK_SCHEMA)
    columns = None
    if rows is not None:
        columns = (
            [r["seq"] for r in rows],
            [r["body"] for r in rows],
            [r["doc_number"] for r in rows],
        )
    appointments, citations, tasks = extract_facts(documents, columns)
    return (
        conform(appointments, APPOINTMENT_SCHEMA),
        conform(citations, CITATION_SCHEMA),
        conform(tasks, TASK_SCHEMA),
    )


def parse_gazette_text(text: str, *, rules: str | None = None) -> Parsed:
    """Split a gazette issue's text into documents with their header metadata and facts.

    ``rules`` names a rule set (``liangshan``); by default the masthead picks one. Raises
    :class:`ParseError` when no document can be found.
    """
    if not text or not text.strip():
        raise ParseError("no recognisable document: the gazette text is empty")
    conf = load_rules(rules, text)
    # The masthead reads the first lines only: split off just those (the rest stays one piece).
    head = unify_breaks(text).split("\n", int(conf.get("masthead", {}).get("lines", 60)))
    issue = read_masthead(head, conf)
    lines = clean_lines(text, _with_name_as_noise(conf, issue.gazette))
    toc = read_toc(lines, conf)
    segments = split_issue(lines, toc, conf)
    if not segments:
        raise ParseError(
            "no recognisable document: no table of contents entry was found in the text and no "
            "header (a title ending in a genre word followed by a number or date line)"
        )
    warnings: list[str] = []
    if toc is not None:
        placed = {id(s.entry) for s in segments if s.entry is not None}
        for entry in toc.entries:
            if id(entry) not in placed:
                warnings.append(
                    f"table of contents line {entry.line + 1}: {entry.title!r} not found in the text"
                )
    documents, rows = _documents(lines, segments, conf)
    appointments, citations, tasks = _facts(documents, warnings, rows)
    return Parsed(
        kind="gazette_issue",
        documents=documents,
        appointments=appointments,
        citations=citations,
        tasks=tasks,
        issue=issue,
        warnings=warnings,
    )


def published_date(issue: IssueInfo) -> str | None:
    """The issue's publication date in ISO form when the masthead gives a full date."""
    d = parse_date(issue.published) if issue.published else None
    return d.isoformat() if d else None
