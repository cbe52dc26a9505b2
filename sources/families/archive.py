"""A gazette archive: a list of issues, each a PDF of the whole issue (kind ``gazette_pdf``).

Rows are links to ``.pdf`` files; the issue label (``2018年第12期``) is the row's title, and the
date is whatever the row prints (an issue may carry none: such issues are kept, and the crawl
fetches them with a conditional GET). Paging follows the TRS pager when present, else the
site's ``next`` selector or a 下一页 link.
"""

from __future__ import annotations

from typing import Any

from sources.families._listing import ListItem, html_items, next_link
from sources.families.trs import _PAGER, pager_next

DEFAULT_KIND = "gazette_pdf"
DEFAULT_SELECTORS = {"item": "li", "link": 'a[href$=".pdf" i]', "date": "span"}
PARAM_KEYS = {"pager_base"}
DEFAULT_PARAMS = {"pager_base": 0}


def parse_list(text: str, base_url: str, site: Any) -> list[ListItem]:
    """Rows linking to an issue PDF, dated or not."""
    return html_items(text, base_url, site.selectors, site.date_format, require_date=False)


def next_page(current_url: str, text: str, page_index: int, site: Any) -> str | None:
    """The next archive page (TRS pager, ``next`` selector or a 下一页 link)."""
    if _PAGER.search(text):
        return pager_next(current_url, text, int(site.params.get("pager_base", 0)))
    return next_link(text, current_url, site.selectors.get("next"))
