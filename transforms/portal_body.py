"""The body of a portal detail page as clean lines: one paragraph per line, page chrome removed.

Facts are extracted from a body the same way as from gazette text, so the body must look like
gazette text: a paragraph per line (``<p>``, ``<br>``, ``<div>``, table rows), inline tags
(``<span>``, ``<a>``) joined, scripts, share bars, "相关解读" link lists and footers dropped.
Where the body sits (CMS comment markers, family containers) and which lines are chrome are data
in ``transforms/rules/portal.toml``.
"""

from __future__ import annotations

import re
from functools import cache

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from transforms.portal_meta import rules

BLOCK_TAGS = frozenset(
    "p div br tr li ul ol h1 h2 h3 h4 h5 h6 table tbody thead tfoot section article blockquote "
    "pre dd dt dl center hr header footer nav aside figure figcaption caption address".split()
)
CELL_TAGS = frozenset({"td", "th"})
_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
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
            out.append(re.sub(r"[ \t\f\v]*[\r\n]+[ \t\f\v]*", _SOFT, str(child)).replace("\xa0", " "))
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


def lines_of_container(soup: BeautifulSoup) -> list[str]:
    """Body lines of the first family container (``#UCAP-CONTENT``, ``.TRS_Editor``, ``#zoom``…)
    that holds text; [] when none does."""
    for sel in rules()["containers"]["body"]:
        for node in soup.select(sel):
            lines = node_lines(node)
            if lines:
                return lines
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
