"""Hanweb JPaaS (Zhejiang, SAMR, MOFCOM): the column page is a shell, items come as JSON.

The page ``/col/col{C}/index.html`` holds only a ``unitbuild.js`` script whose ``url`` and
``queryData`` attributes say how to ask ``/api-gateway/jpaas-publish-server/front/page/build/unit``
for the list; the answer is ``{"data": {"html": "<li>…"}}`` with a pager table carrying
``count=`` (records), ``rows=`` (per page) and ``pageNo=``. We ask with GET and the query data
in the query string (``params.method`` is not needed: the gateway accepts both).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from sources.families._listing import ListItem, html_items, load_json, looks_like_json

DEFAULT_KIND = "portal_page"
DEFAULT_SELECTORS = {"item": "li", "link": "a[href]", "date": "span"}
PARAM_KEYS = {"unit_url", "query"}
DEFAULT_PARAMS: dict[str, Any] = {}

_UNIT_SCRIPT = re.compile(r"<script[^>]*unitbuild\.js[^>]*>", re.I)
_ATTR = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PAGER_ATTR = re.compile(r"""\b(count|rows|pageNo)\s*=\s*["']?(\d+)""")


def unit_html(text: str) -> str:
    """The HTML a page or API answer lists its items in (``data.html`` for the JSON answer)."""
    if looks_like_json(text):
        data = load_json(text)
        return str((data.get("data") or {}).get("html") or "") if isinstance(data, dict) else ""
    return text


def parse_list(text: str, base_url: str, site: Any) -> list[ListItem]:
    """Dated rows of the unit HTML; the bare shell page has none."""
    return html_items(unit_html(text), base_url, site.selectors, site.date_format)


def _first_query(text: str) -> tuple[str, dict[str, str]] | None:
    """The API path and query data of the shell's ``unitbuild.js`` script."""
    tag = _UNIT_SCRIPT.search(text)
    if not tag:
        return None
    attrs = {k.lower(): a if a is not None else b for k, a, b in _ATTR.findall(tag.group(0))}
    raw = attrs.get("querydata", "{}").replace("'", '"')
    try:
        query = {k: str(v) for k, v in json.loads(raw).items()}
    except json.JSONDecodeError:
        query = {}
    return attrs.get("url", ""), query


def next_page(current_url: str, text: str, page_index: int, site: Any) -> str | None:
    """Shell -> API page 1; API page n -> page n+1 while ``pageNo * rows < count``."""
    html = unit_html(text)
    pager = dict((k, int(v)) for k, v in _PAGER_ATTR.findall(html))
    parts = urlsplit(current_url)
    if looks_like_json(text):
        if not pager or pager.get("pageNo", 0) * pager.get("rows", 0) >= pager.get("count", 0):
            return None
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        query["pageNo"] = str(pager["pageNo"] + 1)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    found = _first_query(text)
    if found is None and not site.params.get("query"):
        return None
    unit_url, query = found or ("", {})
    unit_url = (
        site.params.get("unit_url")
        or unit_url
        or "/api-gateway/jpaas-publish-server/front/page/build/unit"
    )
    query.update({k: str(v) for k, v in dict(site.params.get("query") or {}).items()})
    query["pageNo"] = "1"
    api = urlsplit(urljoin(current_url, unit_url))
    return urlunsplit((api.scheme, api.netloc, api.path, urlencode(query), ""))
