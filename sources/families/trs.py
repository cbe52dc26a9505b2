"""TRS WCM portals (many ministries, Chongqing, Wuhan): static list pages paged by a JS call.

The pager is ``createPageHTML(total, current, "index", "html")``: page 0 is ``index.html``, page
n is ``index_n.html`` in the same folder (``.shtml`` on some sites). Some sites count the
current page from 1 (``params.pager_base = 1``). Detail links are ``./YYYYMM/tYYYYMMDD_ID.html``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from sources.families._listing import ListItem, html_items, next_link

DEFAULT_KIND = "portal_page"
DEFAULT_SELECTORS = {"item": "li", "link": "a[href]", "date": "span"}
PARAM_KEYS = {"pager_base"}
DEFAULT_PARAMS = {"pager_base": 0}

_PAGER = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)


def parse_list(text: str, base_url: str, site: Any) -> list[ListItem]:
    """Dated rows of the list page."""
    return html_items(text, base_url, site.selectors, site.date_format)


def pager_next(current_url: str, text: str, base: int = 0) -> str | None:
    """The next page from a ``createPageHTML(total, cur, prefix, ext)`` call, or None at the end."""
    m = _PAGER.search(text)
    if not m:
        return None
    total, current, prefix, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    following = current - base + 1  # 0-based number of the next page
    if following >= total:
        return None
    return urljoin(current_url, f"{prefix}_{following}.{ext}")


def next_page(current_url: str, text: str, page_index: int, site: Any) -> str | None:
    """``index_{n+1}.html`` while the pager says there are more pages; else a 下一页 link."""
    if _PAGER.search(text):
        return pager_next(current_url, text, int(site.params.get("pager_base", 0)))
    return next_link(text, current_url, site.selectors.get("next"))
