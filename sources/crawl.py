"""Crawl one site: page through its lists newest first and fetch the detail pages or PDFs.

Two modes, one walk. Incremental (``since`` = the newest publication date already loaded, the
watermark): fetch items newer than it, re-check items dated on it with a conditional GET, and
stop paging once a page ends in older items. Backfill (``since``/``until`` as a half-open
``[since, until)`` range): keep paging past items newer than the range, fetch exactly the items
inside it, stop once a page ends before it. Every list page and every body is handed to
``on_raw`` before anything parses it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sources.definitions import SiteDefinition
from sources.families import ListItem
from sources.http import BLOCKED, OFFSITE, OK, UNCHANGED, Fetcher, FetchResult
from sources.raw import RawItem


@dataclass
class CrawlReport:
    """Counts and reasons for one crawl of one site."""

    site_id: str
    list_pages: int = 0
    detail_fetched: int = 0
    unchanged: int = 0
    skipped: int = 0
    blocked: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)
    newest_date: dt.date | None = None  # newest list date among items fetched or unchanged
    requests: int = 0  # HTTP requests sent during this crawl (robots.txt and retries included)
    seconds: float = 0.0
    # Every response: (url, status, outcome, reason, attempts), errors included.
    responses: list[tuple[str, int | None, str, str, int]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.site_id}: {self.list_pages} list pages, {self.detail_fetched} fetched, "
            f"{self.unchanged} unchanged, {self.skipped} skipped, {len(self.blocked)} blocked, "
            f"{len(self.failed)} failed, {len(self.offsite)} offsite, {self.requests} requests "
            f"in {self.seconds:.2f} s"
        )


def _in_range(item: ListItem, since: dt.date | None, until: dt.date | None, backfill: bool) -> bool:
    """Whether a list item is to be fetched: inside [since, until); undated only when not backfilling."""
    if item.date is None:
        return not backfill
    if until is not None and item.date >= until:
        return False
    return since is None or item.date >= since


def _wanted_issue(item: ListItem, issues: list[str] | None) -> bool:
    return not issues or any(key in item.url or key in item.title for key in issues)


def _past_range(items: list[ListItem], since: dt.date | None) -> bool:
    """A page whose last dated item is older than ``since``: no later page can be in range.

    The last item, not the first old one, decides: lists pin old notices at the top.
    """
    dated = [i.date for i in items if i.date is not None]
    return since is not None and bool(dated) and dated[-1] < since


@dataclass
class _Walk:
    """The state of one crawl: the site, its fetcher, the range and what was seen so far."""

    site: SiteDefinition
    fetcher: Fetcher
    on_raw: Callable[[RawItem], None]
    since: dt.date | None
    until: dt.date | None
    issues: list[str] | None
    report: CrawlReport
    seen: set[str] = field(default_factory=set)

    def fetch(self, url: str, *, conditional: bool) -> FetchResult:
        """Fetch with the site's hosts, TLS and rate settings; log and classify the response."""
        result = self.fetcher.fetch(
            url,
            allowed_hosts=self.site.allowed_hosts,
            verify_tls=self.site.verify_tls,
            min_delay=self.site.rate_limit_seconds,
            conditional=conditional,
        )
        self.report.responses.append(
            (result.url, result.status, result.outcome, result.reason, result.attempts)
        )
        return result

    def record(self, result: FetchResult) -> None:
        """Put a non-success where the report keeps it (blocked, offsite, failed)."""
        if result.outcome == BLOCKED:
            self.report.blocked.append((result.url, result.reason))
        elif result.outcome == OFFSITE:
            self.report.offsite.append(result.url)
        elif result.outcome not in (OK, UNCHANGED):
            self.report.failed.append((result.url, result.reason))

    def list_pages(self, start_url: str) -> None:
        """Page through one list from ``start_url`` until it ends or leaves the date range."""
        family = self.site.family_module
        url: str | None = start_url
        page_index = 0
        while url and page_index < self.site.max_pages and url not in self.seen:
            self.seen.add(url)
            result = self.fetch(url, conditional=False)  # lists change daily: always re-read
            if result.outcome != OK:
                if not (page_index > 0 and result.status == 404):  # 404 past page 0: list ended
                    self.record(result)
                return
            raw = result.to_raw(self.site.id, "list_page", {"page_index": str(page_index)})
            self.on_raw(raw)
            self.report.list_pages += 1
            text = result.content.decode(raw.encoding or "utf-8", "replace")
            items = family.parse_list(text, url, self.site)
            for item in items:
                self.visit(item, url)
            if _past_range(items, self.since) or (page_index > 0 and not items):
                return
            url = family.next_page(url, text, page_index, self.site)
            page_index += 1

    def visit(self, item: ListItem, list_url: str) -> None:
        """Fetch one list item if it is wanted, new to this crawl and on an allowed host."""
        if item.url in self.seen:
            return
        self.seen.add(item.url)
        backfill = self.until is not None
        if not (
            _in_range(item, self.since, self.until, backfill) and _wanted_issue(item, self.issues)
        ):
            self.report.skipped += 1
            return
        if (urlsplit(item.url).hostname or "").lower() not in self.site.allowed_hosts:
            self.report.offsite.append(item.url)  # recorded, never requested
            return
        result = self.fetch(item.url, conditional=True)
        self.record(result)
        if result.outcome == UNCHANGED:
            self.report.unchanged += 1
        if result.outcome in (OK, UNCHANGED) and item.date is not None:
            self.report.newest_date = max(filter(None, (self.report.newest_date, item.date)))
        if result.outcome != OK:
            return
        hints = {"list_title": item.title, "list_url": list_url}
        if item.date is not None:
            hints["list_date"] = item.date.isoformat()
        if self.site.gazette:
            hints["gazette"] = self.site.gazette
        self.on_raw(result.to_raw(self.site.id, self.site.kind, hints))
        self.report.detail_fetched += 1


def crawl(
    site: SiteDefinition,
    *,
    fetcher: Fetcher,
    since: dt.date | None = None,
    until: dt.date | None = None,
    on_raw: Callable[[RawItem], None],
    issues: list[str] | None = None,
) -> CrawlReport:
    """Crawl ``site``; hand each RawItem to ``on_raw`` (raw first) and return what happened.

    ``since`` alone is the incremental watermark; ``since`` and ``until`` together are a
    backfill of ``[since, until)``. ``issues`` restricts a crawl to items whose URL or title
    contains one of the strings (an issue label such as ``2018年第12期``, or a URL), for
    re-fetching chosen gazette issues.
    """
    started, requests_before = time.monotonic(), fetcher.request_count
    walk = _Walk(site, fetcher, on_raw, since, until, issues, CrawlReport(site.id))
    for start_url in site.start_urls:
        walk.list_pages(start_url)
    walk.report.requests = fetcher.request_count - requests_before
    walk.report.seconds = time.monotonic() - started
    return walk.report
