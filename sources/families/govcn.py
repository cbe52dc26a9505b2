"""www.gov.cn: the latest-policy list ``/zhengce/zuixin/home_{n}.htm`` and JSON feeds.

HTML list pages go ``home.htm``, ``home_1.htm``, ``home_2.htm``, …; column feeds and the gazette
index ``/gongbao/gbgl.json`` are JSON (the latter may start with a byte-order mark) whose
records carry a URL, a title and a date; they are one page each.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sources.families._listing import ListItem, html_items, json_items, looks_like_json

DEFAULT_KIND = "portal_page"
DEFAULT_SELECTORS = {"item": "li", "link": "a[href]", "date": "span"}
PARAM_KEYS = {"url_keys", "title_keys", "date_keys"}
DEFAULT_PARAMS: dict[str, Any] = {}

_HOME = re.compile(r"^(.*/)?(home|index)(?:_(\d+))?\.(s?html?)$")


def parse_list(text: str, base_url: str, site: Any) -> list[ListItem]:
    """Dated rows of an HTML list page, or the records of a JSON feed."""
    if looks_like_json(text):
        keys = {
            k: site.params[k] for k in ("url_keys", "title_keys", "date_keys") if k in site.params
        }
        return json_items(text, base_url, date_format=site.date_format, **keys)
    return html_items(text, base_url, site.selectors, site.date_format)


def next_page(current_url: str, text: str, page_index: int, site: Any) -> str | None:
    """``home_{n+1}.htm`` while the current page lists items; JSON feeds have one page."""
    if looks_like_json(text) or not parse_list(text, current_url, site):
        return None
    parts = urlsplit(current_url)
    m = _HOME.match(parts.path)
    if not m:
        return None
    following = int(m.group(3) or 0) + 1
    path = f"{m.group(1) or '/'}{m.group(2)}_{following}.{m.group(4)}"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
