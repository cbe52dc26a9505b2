"""Guangdong gkmlpt disclosure platform: a JSON list API per catalogue.

``/gkmlpt/api/all/{catId}?page=N&sid=S`` answers ``{"articles": [{"url", "title", "date",
"document_number", "publisher", …}], "total": …}``; dates may be epoch seconds. Detail pages are
``/gkmlpt/content/x/yyyy/post_{id}.html``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sources.families._listing import ListItem, json_items, load_json

DEFAULT_KIND = "portal_page"
DEFAULT_SELECTORS = {"item": "li", "link": "a[href]", "date": "span"}  # unused: the list is JSON
PARAM_KEYS = {"sid"}
DEFAULT_PARAMS: dict[str, Any] = {}

_DATE_KEYS = ("date", "first_publish_time", "publish_time", "created_at")


def parse_list(text: str, base_url: str, site: Any) -> list[ListItem]:
    """The ``articles`` of one API page."""
    return json_items(
        text, base_url, url_keys=("url",), date_keys=_DATE_KEYS, date_format=site.date_format
    )


def next_page(current_url: str, text: str, page_index: int, site: Any) -> str | None:
    """``page + 1`` while the page had articles and ``total`` is not yet reached."""
    n = len(parse_list(text, current_url, site))
    if n == 0:
        return None
    parts = urlsplit(current_url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    page = int(query.get("page", 1))
    data = load_json(text)
    total = data.get("total") if isinstance(data, dict) else None
    if isinstance(total, int) and page * n >= total:
        return None
    query["page"] = str(page + 1)
    if site.params.get("sid") and "sid" not in query:
        query["sid"] = str(site.params["sid"])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
