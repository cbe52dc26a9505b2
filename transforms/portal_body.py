"""The body of a portal detail page as clean lines: one paragraph per line, page chrome removed.

Facts are extracted from a body the same way as from gazette text, so the body must look like
gazette text: a paragraph per line (``<p>``, ``<br>``, ``<div>``, table rows), inline tags
(``<span>``, ``<a>``) joined, scripts, share bars, "相关解读" link lists and footers dropped.
Where the body sits (CMS comment markers, family containers) and which lines are chrome are data
in ``transforms/rules/portal.toml``. The other things only the markup says (``<meta>`` tags, the
title between CMS markers, Guangdong gkmlpt's embedded DETAIL JSON) are read here too, so that
``portal_meta`` deals in lines and strings only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from transforms.portal_meta import Field, meta_value, rules

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "tr",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "section",
        "article",
        "blockquote",
        "pre",
        "dd",
        "dt",
        "dl",
        "center",
        "hr",
        "header",
        "footer",
        "nav",
        "aside",
        "figure",
        "figcaption",
        "caption",
        "address",
    ]
)
CELL_TAGS = frozenset({"td", "th"})
_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_CST = dt.timezone(dt.timedelta(hours=8))  # portals' timestamps are Beijing time
_SOFT = "\x00"  # a line break in the HTML source: nothing between CJK characters, else a space


def soup_of(html: str) -> BeautifulSoup:
    """Parse HTML with lxml (fast, forgiving of the broken markup portals serve)."""
    return BeautifulSoup(html, "lxml")


def drop_chrome(node: Tag) -> None:
    """Remove scripts, styles, forms and share/print bars in place: they are never body text."""
    r = rules()["body"]
    for tag in node.find_all(r["drop_tags"]):
        tag.decompose()
    for sel in r["drop_selectors"]:
        for tag in node.select(sel):
            tag.decompose()
    for c in node.find_all(string=lambda s: isinstance(s, Comment)):
        c.extract()


def _walk(node: Tag, out: list[str], cell_sep: str) -> None:
    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            out.append(
                re.sub(r"[ \t\f\v]*[\r\n]+[ \t\f\v]*", _SOFT, str(child)).replace("\xa0", " ")
            )
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name == "br":
            out.append("\n")
        elif name in CELL_TAGS:
            out.append(cell_sep)
            _walk(child, out, cell_sep)
            out.append(cell_sep)
        elif name in BLOCK_TAGS:
            out.append("\n")
            _walk(child, out, cell_sep)
            out.append("\n")
        else:
            _walk(child, out, cell_sep)


def clean_line(line: str) -> str:
    """Trim a line and undo source-HTML wrapping (a break between CJK characters is nothing)."""
    line = re.sub(rf"(?<=[{_CJK}]){_SOFT}+(?=[{_CJK}])", "", line)
    line = line.replace(_SOFT, " ")
    line = re.sub(r" {3,}", "  ", line)
    return line.strip()


def node_lines(node: Tag, *, cell_sep: str = "  ") -> list[str]:
    """The text of ``node`` as non-empty lines: block elements and ``<br>`` break lines,
    inline elements join; table cells are separated by ``cell_sep`` (``"\\n"``: a line each)."""
    out: list[str] = []
    _walk(node, out, cell_sep)
    lines = (clean_line(s) for s in "".join(out).split("\n"))
    return [s for s in lines if s]


def lines_between_markers(html: str) -> list[str]:
    """Body lines between the first pair of CMS markers (``ContentStart``/``ContentEnd``,
    ``<!--begin-->``/``<!--end-->`` …) that holds any text; [] when none does."""
    for pair in rules()["markers"]:
        for m in re.finditer(pair["start"], html):
            end = re.compile(pair["end"]).search(html, m.end())
            if not end:
                continue
            frag = soup_of(html[m.end() : end.start()])
            drop_chrome(frag)
            lines = node_lines(frag)
            if lines:
                return lines
    return []


def body_container(soup: BeautifulSoup) -> Tag | None:
    """The first family container (``#UCAP-CONTENT``, ``.TRS_Editor``, ``#zoom``…) that holds
    text, or None."""
    for sel in rules()["containers"]["body"]:
        for node in soup.select(sel):
            if node_lines(node):
                return node
    return None


def lines_of_container(soup: BeautifulSoup) -> list[str]:
    """Body lines of the first family container that holds text; [] when none does."""
    node = body_container(soup)
    return node_lines(node) if node is not None else []


def lines_of_page(soup: BeautifulSoup) -> list[str]:
    """Last resort for a page with no known container: the body's text without navigation,
    headers and footers (a simple or unknown CMS still gives its document)."""
    root = soup.body or soup
    for tag in root.find_all(["nav", "header", "footer", "aside", "menu"]):
        tag.decompose()
    for sel in rules()["body"]["fallback_drop_selectors"]:
        for tag in root.select(sel):
            tag.decompose()
    return node_lines(root)


def attachment_links(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """(name, href) of attachment files linked beside the body (TRS pages list ``P0….pdf``
    links under the text, outside its container): the article's parent block is searched."""
    node = body_container(soup)
    rx = re.compile(rules()["body"]["attachment_href"], re.I)
    # The nearest enclosing block that links files: the article's parent, or one or two
    # levels up when the text sits in a wrapper of its own (div.article_con > div.TRS_Editor).
    for _ in range(rules()["body"]["attachment_levels"]):
        if node is None or node.parent is None or node.parent.name in ("body", "html"):
            return []
        node = node.parent
        out = [
            (name, a["href"])
            for a in node.find_all("a", href=True)
            if (name := a.get_text(" ", strip=True)) and rx.search(a["href"])
        ]
        if out:
            return list(dict.fromkeys(out))
    return []


@cache
def _patterns(key: str) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in rules()["body"][key]]


def is_junk(line: str) -> bool:
    """A chrome line that may sit anywhere in a saved page (字体, 打印本页, 分享到, 来源: …)."""
    return any(p.search(line) for p in _patterns("junk_lines"))


def is_stop(line: str) -> bool:
    """A line that ends the body: related links, QR code, breadcrumbs, site footer."""
    return any(p.search(line) for p in _patterns("stop_lines"))


def related_links(lines: list[str]) -> list[tuple[str, str]]:
    """``相关解读：<title>`` lines as (label, value): cross references worth keeping."""
    rx = re.compile(rules()["body"]["related"])
    out = []
    for line in lines:
        m = rx.match(line)
        if m:
            out.append((m.group(1), m["value"].strip()))
    return out


def cut_repeat(lines: list[str], probe: int = 3) -> list[str]:
    """Cut a body where its opening lines start again: saved pages often hold the text twice
    (desktop and mobile copies), and a fact counted twice is wrong."""
    head = lines[:probe]
    if len(head) < probe:
        return lines
    for i in range(1, len(lines) - probe + 1):
        if lines[i : i + probe] == head:
            return lines[:i]
    return lines


def clean_body(lines: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Drop chrome lines and everything from the first stop line on (unless that leaves
    nothing, as on an interpretation page made of one link); return the lines and the
    related-document links seen in the dropped tail."""
    kept = [s for s in lines if not is_junk(s)]
    related = related_links(kept)
    for i, line in enumerate(kept):
        if is_stop(line) and i > 0:
            kept = kept[:i]
            break
    return cut_repeat(kept), related


# --- what the page's markup says besides the body ----------------------------------------------


def meta_tags(soup: BeautifulSoup) -> dict[str, str]:
    """Every named ``<meta>`` tag with content (SiteName, ArticleTitle, PubDate …), minus the
    technical ones listed as ignored."""
    ignore = set(rules()["meta"]["ignore"])
    out: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        name, content = tag.get("name"), (tag.get("content") or "").strip()
        if name and content and name not in ignore and name not in out:
            out[name] = content
    return out


def gkmlpt_detail(html: str) -> tuple[list[Field], list[str]]:
    """Fields and body of a Guangdong gkmlpt page (``window._CONFIG.DETAIL`` JSON)."""
    g = rules()["gkmlpt"]
    m = re.search(g["prefix"], html)
    if not m:
        return [], []
    try:
        detail, _ = json.JSONDecoder().raw_decode(html, m.end())
    except ValueError:
        return [], []
    if not isinstance(detail, dict):
        return [], []
    index = {lab: f for f, labs in rules()["labels"].items() if f != "none_values" for lab in labs}
    fields = []
    for key, label in g["keys"].items():
        value = detail.get(key)
        if isinstance(value, (int, float)) and value > 10**9:  # a UNIX timestamp
            value = (
                dt.datetime.fromtimestamp(value / (1000 if value > 10**11 else 1), tz=_CST)
                .date()
                .isoformat()
            )
        if value not in (None, ""):
            f = index.get(label)
            fields.append(Field(label, str(value).strip(), None if f == "other" else f))
    content = detail.get(g["content_key"]) or ""
    body = node_lines(soup_of(content)) if content else []
    return fields, body


def title_from_markup(html: str) -> str | None:
    """The title between the CMS's title markers (``<!--<$[标题]>begin-->``)."""
    for pair in rules()["title_markers"]:
        m = re.search(f"{pair['start']}(.*?){pair['end']}", html, re.S)
        if m:
            text = soup_of(m.group(1)).get_text(" ", strip=True)
            if text:
                return text
    return None


def title_from_containers(soup: BeautifulSoup, tags: dict[str, str]) -> str | None:
    """The title from a heading element, else the longest part of ``<title>`` that is not
    the site's or the column's name."""
    for sel in rules()["containers"]["title"]:
        node = soup.select_one(sel)
        if node and (text := node.get_text(" ", strip=True)) and len(text) >= 4:
            return text
    if soup.title and (text := soup.title.get_text(" ", strip=True)):
        parts = [p for p in re.split(r"\s*[_|｜\-—]\s*|\s+", text) if p]
        site = meta_value(tags, "site_name")
        parts = [p for p in parts if p != site and p != tags.get("ColumnName")] or parts
        return max(parts, key=len)
    return None
