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

import json
import re
from dataclasses import dataclass, field

import polars as pl

from transforms.dates import parse_date
from transforms.model import DOCUMENT_SCHEMA, METADATA_SCHEMA, Parsed, ParseError
from transforms.numbers import find_doc_numbers, normalize_doc_number, parse_doc_number
from transforms.portal_body import (
    clean_body,
    drop_chrome,
    is_junk,
    is_stop,
    lines_between_markers,
    lines_of_container,
    node_lines,
    soup_of,
)
from transforms.portal_meta import (
    Field,
    expand_issuer,
    first,
    genre_of,
    is_interpretation,
    is_none_value,
    is_org_name,
    join_title_issuers,
    names_in_line,
    norm_title,
    parse_labelled_lines,
    rules,
    signature,
    site_place,
    split_issuers,
    squeeze,
    title_prefix_issuers,
)

__all__ = ["parse_portal_html", "parse_portal_text", "looks_like_portal_text", "parse_single_document_pdf_text"]


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


def _meta_tags(soup) -> dict[str, str]:
    ignore = set(rules()["meta"]["ignore"])
    out: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        name, content = tag.get("name"), (tag.get("content") or "").strip()
        if name and content and name not in ignore and name not in out:
            out[name] = content
    return out


def _tag(tags: dict[str, str], kind: str) -> str | None:
    return next((tags[n] for n in rules()["meta"][kind] if tags.get(n)), None)


def _gkmlpt(html: str) -> tuple[list[Field], list[str]]:
    """Fields and body of a Guangdong gkmlpt page (``window._CONFIG.DETAIL`` JSON)."""
    g = rules()["gkmlpt"]
    m = re.search(g["pattern"], html, re.S)
    if not m:
        return [], []
    try:
        detail = json.loads(m.group(1))
    except ValueError:
        return [], []
    index = {lab: f for f, labs in rules()["labels"].items() if f != "none_values" for lab in labs}
    fields = []
    for key, label in g["keys"].items():
        value = detail.get(key)
        if isinstance(value, (int, float)) and value > 10**9:  # a UNIX timestamp
            value = __import__("datetime").datetime.fromtimestamp(value / (1000 if value > 10**11 else 1)).date().isoformat()
        if value not in (None, ""):
            f = index.get(label)
            fields.append(Field(label, str(value).strip(), None if f == "other" else f))
    content = detail.get(g["content_key"]) or ""
    body = node_lines(soup_of(content)) if content else []
    return fields, body


def _title_from_markup(html: str, soup) -> str | None:
    for pair in rules()["title_markers"]:
        m = re.search(f"{pair['start']}(.*?){pair['end']}", html, re.S)
        if m:
            text = soup_of(m.group(1)).get_text(" ", strip=True)
            if text:
                return text
    return None


def _title_from_containers(soup, tags: dict[str, str]) -> str | None:
    for sel in rules()["containers"]["title"]:
        node = soup.select_one(sel)
        if node and (text := node.get_text(" ", strip=True)) and len(text) >= 4:
            return text
    if soup.title and (text := soup.title.get_text(" ", strip=True)):
        parts = [p for p in re.split(r"\s*[_|｜\-—]\s*|\s+", text) if p]
        site = _tag(tags, "site_name")
        parts = [p for p in parts if p != site and p != tags.get("ColumnName")] or parts
        return max(parts, key=len)
    return None


def parse_portal_html(html: str, *, url: str | None = None, site_name: str | None = None) -> Parsed:
    """One portal detail page -> one document (kind ``portal_page``, ``seq`` 0).

    Raises ParseError when the page has no body text or no title."""
    soup = soup_of(html)
    page = _Page(tags=_meta_tags(soup))
    for sel in rules()["containers"]["metadata"]:
        for node in soup.select(sel):
            page.fields += parse_labelled_lines(node_lines(node, cell_sep="\n"), allow_unknown=True)
            node.decompose()
    gk_fields, gk_body = _gkmlpt(html)
    page.fields += gk_fields
    drop_chrome(soup)
    raw_body = lines_between_markers(html) or lines_of_container(soup) or gk_body
    page.body, page.related = clean_body(raw_body)
    if not page.body:
        raise ParseError(f"{url or 'page'}: no body text found (no CMS markers, no known body container)")
    # Labelled fields outside a known block (发布日期 in a time bar): scan the page above the body.
    page_lines = node_lines(soup.body or soup, cell_sep="\n")
    head = page_lines[: page_lines.index(raw_body[0])] if raw_body[0] in page_lines else page_lines[:80]
    seen = {f.key for f in page.fields}
    page.fields += [f for f in parse_labelled_lines(head) if f.key not in seen and f.field]
    page.title_hint = _title_from_markup(html, soup) or _tag(page.tags, "title") or _title_from_containers(soup, page.tags)
    return _build(page, url=url, site_name=site_name)


# --- saved text -------------------------------------------------------------------------------


def _label_block(lines: list[tuple[int, str]], window: int = 60) -> tuple[int, int] | None:
    """(first, end) positions of the labelled block near the top of a saved page."""
    start = None
    for k, (_, line) in enumerate(lines[:window]):
        if parse_labelled_lines([line]) or _is_bare_label(line):
            start = k
            break
    if start is None:
        return None
    k = start
    while k < len(lines):
        line = lines[k][1]
        if parse_labelled_lines([line]):
            k += 1
        elif _is_bare_label(line) and k + 1 < len(lines):
            k += 2
        else:
            break
    return start, k


def _is_bare_label(line: str) -> bool:
    from transforms.portal_meta import _is_label_line

    return _is_label_line(line) and not parse_labelled_lines([line])


def looks_like_portal_text(text: str) -> bool:
    """A page saved as text: a block of labelled fields (索引号, 发文字号, 成文日期 …) near the
    top. A gazette issue has a table of contents there instead."""
    lines = [s.strip() for s in text.splitlines() if s.strip()][:60]
    fields = parse_labelled_lines(lines)
    return len({f.field or f.key for f in fields if f.field or f.key == "索引号"}) >= 3


def parse_portal_text(text: str, *, url: str | None = None) -> Parsed:
    """A detail page saved as text -> one document. The labelled block gives the metadata; the
    body runs from the document's header to the first chrome line (related links, QR code,
    breadcrumbs); a page saved twice over still gives one body, its facts counted once."""
    lines = [(n, s.strip()) for n, s in enumerate(text.splitlines(), start=1) if s.strip()]
    block = _label_block(lines)
    if block is None:
        raise ParseError(f"{url or 'text'}: no labelled metadata block (索引号/发文字号/成文日期 …) near the top")
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
    lines = [s.strip() for s in text.splitlines() if s.strip() and not re.match(p["footer"], s.strip())]
    if not lines:
        raise ParseError("PDF text is empty")
    n = next((i for i, s in enumerate(lines[: p["header_lines"]]) if _is_number_line(s)), None)
    masthead = lines[:n] if n is not None else []
    issuers = [x for s in masthead for x in names_in_line(s) if is_org_name(x)]
    t0 = (n + 1) if n is not None else 0
    title_lines = _header_title(lines[t0:])
    page = _Page(
        body=lines[t0:],
        title_hint="".join(title_lines) if title_lines else None,
        number_hint=lines[n] if n is not None else None,
        issuer_hint=issuers,
        source="pdf",
    )
    page.line_start = t0 + 1
    return _build(page, url=None, site_name=None, signature_from=len(title_lines))


# --- the document row -------------------------------------------------------------------------


def _header_title(lines: list[str], most: int = 4) -> list[str]:
    """The title lines at the head of a body: up to ``most`` lines, ending with a genre word
    (the title wraps), before the salutation (``各…：``); [] when the head holds no title."""
    end = re.compile(rules()["pdf"]["title_end"])
    out: list[str] = []
    for s in lines[:most]:
        if s.endswith(("：", ":")) or _is_number_line(s):
            break
        out.append(s)
        if end.search(s):
            return out
    return []


def _number_in_title(title: str) -> tuple[str, str | None]:
    """``…的通知(发改经贸〔2026〕1241号)`` -> (title without it, the number)."""
    m = re.search(r"[（(]([^（()）]+)[)）]\s*$", title)
    if m and (num := normalize_doc_number(m.group(1))) and len(m.group(1)) <= len(num) + 4:
        return title[: m.start()].rstrip(), num
    return title, None


def _is_number_line(line: str) -> bool:
    """A line holding a document number and (nearly) nothing else."""
    num = normalize_doc_number(line)
    return bool(num) and len(re.sub(r"\s", "", line)) <= len(num) + 2


def _header_number(body: list[str]) -> str | None:
    """A number standing alone on a line of the body's header (under the title)."""
    line = next((s for s in body[: rules()["pdf"]["header_lines"]] if _is_number_line(s)), None)
    return normalize_doc_number(line)


def _interprets(page: _Page, title: str) -> str | None:
    """What an interpretation page interprets: its related-document link, a title in 《》 or a
    number in its title."""
    if page.related:
        return page.related[0][1]
    m = re.search(r"《(.+?)》", title)
    if m:
        return m.group(1)
    nums = find_doc_numbers(title)
    return nums[0].text if nums else None


def _build(page: _Page, *, url: str | None, site_name: str | None, signature_from: int = 1) -> Parsed:
    fields, tags = page.fields, page.tags
    raw_title = first(fields, "title") or page.title_hint or "".join(_header_title(page.body)) or None
    if not raw_title:
        raise ParseError(f"{url or page.source}: no title (no 标题 label, no ArticleTitle meta, no heading)")
    title, title_number = _number_in_title(norm_title(join_title_issuers(raw_title)))
    interp = is_interpretation(title, _tag(tags, "column") if tags else None)
    sig_issuers, sig_date, _ = signature(page.body, start=signature_from)

    stated = [f for f in fields if f.field == "doc_number"]
    if stated:
        number = None if is_none_value(stated[0].value) else normalize_doc_number(stated[0].value)
    elif interp:
        number = None
    else:
        number = normalize_doc_number(page.number_hint) or title_number or _header_number(page.body)
    parsed_number = parse_doc_number(number)

    known = title_prefix_issuers(title) + sig_issuers + page.issuer_hint
    source = _tag(tags, "source") if tags else None
    known += split_issuers(source) if source else []
    stated_issuer = first(fields, "issuer")
    if stated_issuer:
        issuers = split_issuers(stated_issuer)
    else:
        issuers = page.issuer_hint or ([] if interp else sig_issuers or title_prefix_issuers(title))
        issuers = issuers or (split_issuers(source) if source else [])
    place = site_place(site_name or (_tag(tags, "site_name") if tags else None))
    issuers = list(dict.fromkeys(expand_issuer(i, known, place) for i in issuers))
    if title.startswith("关于") and issuers:
        title = "、".join(issuers) + title

    signed = parse_date(first(fields, "signed_date")) or (None if interp else parse_date(sig_date))
    published = parse_date(first(fields, "published_date")) or parse_date(_tag(tags, "published_date") if tags else None)

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
    if interp:
        rows.append(("page_kind", rules()["interpretation"]["kind"]))
        if target := _interprets(page, title):
            rows.append(("interprets", target))
    if url:
        rows.append(("url", url))
    rows = list(dict.fromkeys(rows))
    metadata = pl.DataFrame(
        {"seq": [0] * len(rows), "key": [k for k, _ in rows], "value": [v for _, v in rows]}, schema=METADATA_SCHEMA
    )
    parsed = Parsed(kind="portal_page", documents=documents, metadata=metadata)
    _add_facts(parsed)
    return parsed.conformed()


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
