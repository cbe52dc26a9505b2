"""Shared helpers for family modules: list items, list dates, rows of links in HTML or JSON.

A family module only says where a portal keeps its list and how it pages; reading a row of
``<li><a href=…>title</a><span>date</span></li>`` or a JSON record is the same everywhere, so it
lives here, driven by the site's selectors (CSS) and date format.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup

# Dates as list pages print them: 2026-08-28, 2026/08/27, 2026.8.3, 2026年8月3日.
_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_EPOCH_MIN, _EPOCH_MAX = 631152000, 4102444800  # 1990 … 2100, in seconds


@dataclass(frozen=True)
class ListItem:
    """One row of a list page: the detail link, its title and the date the list prints."""

    url: str
    title: str
    date: dt.date | None


def parse_date(text: str | int | float | None, date_format: str | None = None) -> dt.date | None:
    """The date a list row prints; ``date_format`` (strptime) first, then common shapes, epochs."""
    if text is None:
        return None
    if isinstance(text, int | float) or (isinstance(text, str) and text.strip().isdigit()):
        n = int(text)
        n = n // 1000 if n > _EPOCH_MAX else n  # milliseconds
        if _EPOCH_MIN <= n <= _EPOCH_MAX:
            return (dt.datetime.fromtimestamp(n, dt.UTC) + dt.timedelta(hours=8)).date()
        return None
    text = str(text).strip()
    if date_format:
        try:
            return dt.datetime.strptime(text, date_format).date()
        except ValueError:
            pass
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def absolute(href: str, base_url: str) -> str:
    """``href`` made absolute against the list page (handles ``./``, ``../`` and ``//host``)."""
    return urljoin(base_url, href.strip())


def html_items(
    html: str,
    base_url: str,
    selectors: Mapping[str, str],
    date_format: str | None = None,
    *,
    require_date: bool = True,
) -> list[ListItem]:
    """Rows of links in ``html``: one per ``item`` element holding a ``link`` with an href.

    A row nested in another matched row (a "related interpretation" popup inside a list row) is
    not a row of its own. With ``require_date`` a row without a date is navigation, not a list
    entry: list pages of every family print a date on each entry.
    """
    soup = BeautifulSoup(html, "lxml")
    items: list[ListItem] = []
    rows = soup.select(selectors["item"])
    matched = {id(r) for r in rows}
    for row in rows:
        if any(id(parent) in matched for parent in row.parents):
            continue
        link = row.select_one(selectors["link"])
        if link is None or not link.get("href"):
            continue
        href = str(link["href"])
        if href.startswith(("javascript:", "#", "mailto:")):
            continue
        title_attr = selectors.get("title", "title")
        title = str(link.get(title_attr) or "").strip() or link.get_text(" ", strip=True)
        date_el = row.select_one(selectors["date"]) if selectors.get("date") else None
        date = parse_date(date_el.get_text(" ", strip=True), date_format) if date_el else None
        if date is None:
            date = parse_date(row.get_text(" ", strip=True), date_format)
        if date is None and require_date:
            continue
        items.append(ListItem(absolute(href, base_url), title, date))
    return items


def json_records(obj: Any, url_keys: Iterable[str]) -> list[dict[str, Any]]:
    """Every JSON object (at any depth, in order) that carries one of ``url_keys``."""
    keys = tuple(url_keys)
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if any(isinstance(node.get(k), str) and node.get(k) for k in keys):
                found.append(node)
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(obj)
    return found


def json_items(
    text: str,
    base_url: str,
    *,
    url_keys: Iterable[str] = ("url", "link", "href"),
    title_keys: Iterable[str] = ("title", "name"),
    date_keys: Iterable[str] = ("date", "pubDate", "publish_time", "ptime", "time"),
    date_format: str | None = None,
) -> list[ListItem]:
    """List items from a JSON feed (a leading BOM is allowed): records found by their URL key."""
    data = load_json(text)
    url_keys, title_keys, date_keys = tuple(url_keys), tuple(title_keys), tuple(date_keys)
    items = []
    for rec in json_records(data, url_keys):
        url = next(str(rec[k]) for k in url_keys if isinstance(rec.get(k), str) and rec.get(k))
        title = next((str(rec[k]).strip() for k in title_keys if rec.get(k)), "")
        date = next(
            (d for k in date_keys if (d := parse_date(rec.get(k), date_format)) is not None), None
        )
        items.append(ListItem(absolute(url, base_url), title, date))
    return items


def load_json(text: str) -> Any:
    """``json.loads`` that tolerates the byte-order mark some portals put before their JSON."""
    return json.loads(text.lstrip("\ufeff").strip())


def looks_like_json(text: str) -> bool:
    """True when a response body is JSON rather than HTML."""
    return text.lstrip("\ufeff \r\n\t")[:1] in ("{", "[")


_NEXT_TEXT = re.compile(r"^\s*(下一页|下页|后一页|next\s*page|›|>)\s*$", re.I)


def next_link(html: str, base_url: str, selector: str | None = None) -> str | None:
    """The pager's "next page" link: the site's ``next`` selector, or an anchor saying 下一页."""
    soup = BeautifulSoup(html, "lxml")
    if selector:
        el = soup.select_one(selector)
        anchors = [el] if el is not None else []
    else:
        anchors = [a for a in soup.find_all("a") if _NEXT_TEXT.match(a.get_text(" ", strip=True))]
    for a in anchors:
        href = str(a.get("href") or "")
        if href and not href.startswith(("javascript:", "#")):
            return absolute(href, base_url)
    return None
