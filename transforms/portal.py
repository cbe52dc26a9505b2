"""A portal detail page (HTML, or the page saved as text, or a single-document PDF's text) ->
exactly one document with all its metadata.

A detail page states its document's facts in a labelled block (索引号, 发文机关, 发文字号,
成文日期 …) and prints the document in a body container; pages without a block fall back on
``<meta>`` tags, a number inside the title, then the body's header and signature block. The
result is a :class:`~transforms.model.Parsed` of kind ``portal_page`` with one document row
(``seq`` 0), every stated field in ``metadata`` and the facts extracted from the clean body by
``transforms.facts`` exactly as for gazette text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from transforms.dates import parse_date
from transforms.model import DOCUMENT_SCHEMA, METADATA_SCHEMA, Parsed, ParseError
from transforms.numbers import find_doc_numbers, normalize_doc_number, parse_doc_number
from transforms.portal_body import (
    attachment_links,
    clean_body,
    drop_chrome,
    gkmlpt_detail,
    is_junk,
    is_stop,
    lines_between_markers,
    lines_of_container,
    lines_of_page,
    meta_tags,
    node_lines,
    soup_of,
    title_from_containers,
    title_from_markup,
)
from transforms.portal_meta import (
    Field,
    expand_issuer,
    first,
    genre_of,
    header_number,
    header_title,
    is_interpretation,
    is_none_value,
    is_number_line,
    is_org_name,
    join_title_issuers,
    label_block,
    label_groups,
    meta_value,
    names_in_line,
    norm_title,
    number_in_title,
    parse_labelled_lines,
    rules,
    same_number,
    signature,
    site_place,
    split_issuers,
    squeeze,
    title_prefix_issuers,
)

__all__ = [
    "parse_portal_html",
    "parse_portal_text",
    "looks_like_portal_text",
    "parse_single_document_pdf_text",
]


@dataclass
class _Page:
    """What one input states, before it is turned into a document row."""

    fields: list[Field] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)  # <meta name=…> -> content
    body: list[str] = field(default_factory=list)
    related: list[tuple[str, str]] = field(default_factory=list)
    title_hint: str | None = None
    number_hint: str | None = None
    issuer_hint: list[str] = field(default_factory=list)
    line_start: int = 1
    line_end: int | None = None  # lineage in the input; default: line_start + body lines - 1
    source: str = "page"


# --- HTML -------------------------------------------------------------------------------------


def parse_portal_html(html: str, *, url: str | None = None, site_name: str | None = None) -> Parsed:
    """One portal detail page -> one document (kind ``portal_page``, ``seq`` 0).

    Raises ParseError when the page has no body text or no title."""
    soup = soup_of(html)
    page = _Page(tags=meta_tags(soup))
    for sel in rules()["containers"]["metadata"]:
        for node in soup.select(sel):
            page.fields += parse_labelled_lines(node_lines(node, cell_sep="\n"), allow_unknown=True)
            node.decompose()
    gk_fields, gk_body = gkmlpt_detail(html)
    page.fields += gk_fields
    drop_chrome(soup)
    raw_body = (
        lines_between_markers(html) or lines_of_container(soup) or gk_body or lines_of_page(soup)
    )
    page.body, page.related = clean_body(raw_body)
    for name, href in attachment_links(soup):
        page.related.append(("附件", f"{name} {href}"))
        if not any(name in line for line in page.body):
            page.body.append(f"附件：{name}")
    if not page.body:
        raise ParseError(
            f"{url or 'page'}: no body text found (the page has no text outside navigation)"
        )
    # Labelled fields outside a known block (发布日期 in a time bar): scan the page above the body.
    page_lines = node_lines(soup.body or soup, cell_sep="\n")
    head = page_lines[: page_lines.index(raw_body[0])] if raw_body[0] in page_lines else []
    seen = {f.key for f in page.fields}
    page.fields += [f for f in parse_labelled_lines(head, require_colon=True) if f.key not in seen]
    page.title_hint = (
        title_from_markup(html)
        or meta_value(page.tags, "title")
        or title_from_containers(soup, page.tags)
    )
    return _build(page, url=url, site_name=site_name)


# --- saved text -------------------------------------------------------------------------------


def _head_lines(text: str, n: int) -> list[str]:
    """``[s.strip() for s in text.splitlines() if s.strip()][:n]`` without splitting the whole
    text: a prefix is split, growing until its complete lines (all but the last part, which the
    cut may have broken) hold ``n`` non-blank lines."""
    size = 8192
    while size < len(text):
        parts = text[:size].splitlines()[:-1]
        head = [s.strip() for s in parts if s.strip()]
        if len(head) >= n:
            return head[:n]
        size *= 4
    return [s.strip() for s in text.splitlines() if s.strip()][:n]


_BLOCK_FIELDS = 3  # a labelled block names at least this many of its fields
_INDEX_LABEL = "索引号"  # feeds no column, but counts: only a portal page prints one


def looks_like_portal_text(text: str) -> bool:
    """A page saved as text: a block of labelled fields (索引号, 发文字号, 成文日期 …) near the
    top. A gazette issue has a table of contents there instead."""
    head = _head_lines(text, 60)
    if not _may_name_fields(head):
        return False
    fields = parse_labelled_lines(head)
    named = {f.field or f.key for f in fields if f.field or f.key == _INDEX_LABEL}
    return len(named) >= _BLOCK_FIELDS


def _may_name_fields(lines: list[str]) -> bool:
    """Whether ``lines`` may hold labels of :data:`_BLOCK_FIELDS` different fields: a field is
    read from a label printed with or without inner spaces, so its label is in the text
    without any whitespace. A few substring tests settle a gazette issue's masthead, which
    names none or one (reading its labels costs ~10x more)."""
    bare = "".join("".join(lines).split())
    groups = label_groups(_INDEX_LABEL)
    return sum(any(label in bare for label in group) for group in groups) >= _BLOCK_FIELDS


def parse_portal_text(text: str, *, url: str | None = None) -> Parsed:
    """A detail page saved as text -> one document. The labelled block gives the metadata; the
    body runs from the document's header to the first chrome line (related links, QR code,
    breadcrumbs); a page saved twice over still gives one body, its facts counted once."""
    lines = [(n, s.strip()) for n, s in enumerate(text.splitlines(), start=1) if s.strip()]
    block = label_block(lines)
    if block is None:
        raise ParseError(
            f"{url or 'text'}: no labelled metadata block (索引号/发文字号/成文日期 …) near the top"
        )
    start, end = block
    page = _Page(fields=parse_labelled_lines([s for _, s in lines[start:end]]), source="text")
    title = first(page.fields, "title")
    skip = {squeeze(title)} if title else set()
    body: list[tuple[int, str]] = []
    for n, line in lines[end:]:
        if not body and (squeeze(line) in skip or is_junk(line) or parse_labelled_lines([line])):
            continue
        if body and is_stop(line):
            break
        if not is_junk(line):
            body.append((n, line))
    cleaned, page.related = clean_body([s for _, s in body])
    page.related += [r for r in clean_body([s for _, s in lines[end:]])[1] if r not in page.related]
    page.body = cleaned
    if cleaned:
        page.line_start, page.line_end = body[0][0], body[len(cleaned) - 1][0]
    return _build(page, url=url, site_name=None)


# --- single-document PDF text -----------------------------------------------------------------


def parse_single_document_pdf_text(text: str) -> Parsed:
    """A red-header document's PDF turned into text -> one document: masthead issuers (spaced
    out, ``交 通 运 输 部``, joint ones on several lines), the number under it, the title, and
    the signatures and date at the end; ``— 1 —`` page footers are dropped."""
    p = rules()["pdf"]
    lines = [
        s.strip() for s in text.splitlines() if s.strip() and not re.match(p["footer"], s.strip())
    ]
    if not lines:
        raise ParseError("PDF text is empty")
    n = next((i for i, s in enumerate(lines[: p["header_lines"]]) if is_number_line(s)), None)
    masthead = lines[:n] if n is not None else []
    issuers = [x for s in masthead for x in names_in_line(s) if is_org_name(x)]
    t0 = (n + 1) if n is not None else 0
    title_lines = header_title(lines[t0:])
    page = _Page(
        body=lines[t0 : t0 + len(title_lines)] + _join_wrapped(lines[t0 + len(title_lines) :]),
        title_hint="".join(title_lines) if title_lines else None,
        number_hint=lines[n] if n is not None else None,
        issuer_hint=issuers,
        source="pdf",
    )
    page.line_start = t0 + 1
    return _build(page, url=None, site_name=None, signature_from=len(title_lines))


def _join_wrapped(lines: list[str]) -> list[str]:
    """Rejoin paragraphs a PDF broke into printed lines, with the gazette cleaner (the same
    repairs as gazette text); lines stay as they are while that module is unavailable."""
    try:
        from transforms.clean import join_paragraphs
        from transforms.rules import load_rules
    except ImportError:
        return lines
    return join_paragraphs(lines, load_rules(None))


# --- the document row -------------------------------------------------------------------------


def _interprets(page: _Page, title: str) -> str | None:
    """What an interpretation page interprets: its related-document link, a title in 《》 or a
    number in its title."""
    links = [v for k, v in page.related if k.startswith("相关")]
    if links:
        return links[0]
    m = re.search(r"《(.+?)》", title)
    if m:
        return m.group(1)
    nums = find_doc_numbers(title)
    return nums[0].text if nums else None


def _number(page: _Page, stated: list[Field], interp: bool, title_number: str | None) -> str | None:
    """The stated number (``无`` -> None); else, except on an interpretation page, the PDF's
    number line, a number in the title, a number line in the body's header."""
    if stated:
        value = stated[0].value
        return None if is_none_value(value) else normalize_doc_number(value)
    if interp:
        return None
    return normalize_doc_number(page.number_hint) or title_number or header_number(page.body)


def _issuers(
    page: _Page, title: str, sig_issuers: list[str], interp: bool, site_name: str | None
) -> list[str]:
    """The stated issuers (joint ones split); else the masthead, the signature block, the
    title's prefix or the page's source. Abbreviations are expanded from full names seen on
    the page or from the site's own name."""
    tags = page.tags
    source = meta_value(tags, "source")
    from_source = split_issuers(source) if source else []
    stated = first(page.fields, "issuer")
    if stated:
        issuers = split_issuers(stated)
    else:
        fallback = [] if interp else sig_issuers or title_prefix_issuers(title)
        issuers = page.issuer_hint or fallback or from_source
    known = title_prefix_issuers(title) + sig_issuers + page.issuer_hint + from_source
    place = place_of(page, site_name)
    return list(dict.fromkeys(expand_issuer(i, known, place) for i in issuers))


def _full_title(title: str, issuers: list[str], stated_issuer: str | None) -> str:
    """The title with its issuer prefix, in full: ``关于…`` gets the issuers in front, an
    abbreviated prefix (``省政府办公厅关于…``) becomes the full name the issuers carry."""
    if not issuers:
        return title
    if title.startswith("关于"):
        return "、".join(issuers) + title
    printed = split_issuers(stated_issuer) if stated_issuer else []
    for short, full in zip(printed, issuers, strict=False):
        if short != full and title.startswith(short) and len(printed) == 1:
            return full + title[len(short) :]
    return title


def _build(
    page: _Page, *, url: str | None, site_name: str | None, signature_from: int = 1
) -> Parsed:
    """The one document row, its metadata rows and its facts from what the input stated,
    falling back field by field (labels, then meta tags, title, body header and signature)."""
    fields, tags = page.fields, page.tags
    raw_title = (
        first(fields, "title") or page.title_hint or "".join(header_title(page.body)) or None
    )
    if not raw_title:
        raise ParseError(
            f"{url or page.source}: no title (no 标题 label, no ArticleTitle meta, no heading)"
        )
    title, title_number = number_in_title(norm_title(join_title_issuers(raw_title)))
    stated = [f for f in fields if f.field == "doc_number"]
    has_number = any(not is_none_value(f.value) for f in stated)
    interp = not has_number and is_interpretation(title, meta_value(tags, "column"))
    sig_issuers, sig_date, _ = signature(page.body, start=signature_from)

    number = _number(page, stated, interp, title_number)
    parsed_number = parse_doc_number(number)
    issuers = _issuers(page, title, sig_issuers, interp, site_name)
    title = _full_title(title, issuers, first(fields, "issuer"))

    signed = parse_date(first(fields, "signed_date")) or (None if interp else parse_date(sig_date))
    published = parse_date(first(fields, "published_date")) or parse_date(
        meta_value(tags, "published_date")
    )

    doc = {
        "seq": 0,
        "title": title,
        "doc_number": number,
        "series": parsed_number.series if parsed_number else None,
        "doc_year": parsed_number.year if parsed_number else None,
        "serial": parsed_number.serial if parsed_number else None,
        "issuers": issuers,
        "signed_date": signed,
        "published_date": published,
        "genre": rules()["interpretation"]["genre"] if interp else genre_of(title),
        "section": None,
        "page": None,
        "body": "\n".join(page.body),
        "line_start": page.line_start,
        "line_end": page.line_end or page.line_start + len(page.body) - 1,
    }
    documents = pl.DataFrame([doc], schema=DOCUMENT_SCHEMA)

    rows = [(f.key, f.value) for f in fields]
    rows += [(f"meta:{k}", v) for k, v in tags.items()]
    rows += page.related
    if not interp:
        body_number = normalize_doc_number(page.number_hint) or header_number(page.body)
        body_issuers = [expand_issuer(i, issuers, place_of(page, site_name)) for i in sig_issuers]
        rows += _disagreement(doc, body_number, parse_date(sig_date), body_issuers)
    if interp:
        rows.append(("page_kind", rules()["interpretation"]["kind"]))
        if target := _interprets(page, title):
            rows.append(("interprets", target))
    if url:
        rows.append(("url", url))
    rows = list(dict.fromkeys(rows))
    metadata = pl.DataFrame(
        {"seq": [0] * len(rows), "key": [k for k, _ in rows], "value": [v for _, v in rows]},
        schema=METADATA_SCHEMA,
    )
    parsed = Parsed(kind="portal_page", documents=documents, metadata=metadata)
    _add_facts(parsed)
    return parsed.conformed()


def place_of(page: _Page, site_name: str | None) -> str | None:
    """The place of the site's government (江西省), for expanding abbreviated issuers."""
    return site_place(site_name or meta_value(page.tags, "site_name"))


def _disagreement(
    doc: dict, number: str | None, signed: object, issuers: list[str]
) -> list[tuple[str, str]]:
    """Issue 4: the table's values stand in the document row; where the body (number under the
    title, signature issuers, signature date) states a field differently, its value is kept as
    a ``body:<field>`` row and a ``disagreement`` row names the fields, for analysts to query."""
    r = rules()["disagreement"]
    out: list[tuple[str, str]] = []
    if number and doc["doc_number"] and not same_number(number, doc["doc_number"]):
        out.append(("doc_number", number))
    if signed and doc["signed_date"] and signed != doc["signed_date"]:
        out.append(("signed_date", signed.isoformat()))
    if issuers and doc["issuers"] and not _same_issuers(issuers, doc["issuers"]):
        out.append(("issuers", "、".join(issuers)))
    if not out:
        return []
    return [(r["prefix"] + k, v) for k, v in out] + [(r["key"], ",".join(k for k, _ in out))]


def _same_issuers(a: list[str], b: list[str]) -> bool:
    """The same bodies, one list perhaps abbreviated (江西省市场监管局 for 江西省市场监督管理局:
    the short name's characters appear in order in the full one, the place alike)."""

    def short_of(x: str, y: str) -> bool:
        it = iter(y)
        return x[:2] == y[:2] and all(ch in it for ch in x)

    return len(a) == len(b) and all(
        any(x == y or short_of(x, y) or short_of(y, x) for y in b) for x in a
    )


def _add_facts(parsed: Parsed) -> None:
    """Appointments, citations and tasks from the body, by the same extractor as gazette text
    (imported lazily: it is optional while it is being written)."""
    try:
        from transforms.facts import extract_facts
    except ImportError:
        parsed.warnings.append("transforms.facts not available: no facts extracted")
        return
    try:
        appointments, citations, tasks = extract_facts(parsed.documents)
    except Exception as exc:  # noqa: BLE001 - the document stands without its facts; say why
        parsed.warnings.append(f"fact extraction failed: {type(exc).__name__}: {exc}")
        return
    parsed.appointments, parsed.citations, parsed.tasks = appointments, citations, tasks
