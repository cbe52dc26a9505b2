"""The nightly and backfill flows: crawl configured sites, store raw, parse, load.

nightly  every configured site, incremental since its watermark (newest list date loaded).
backfill one site or all, an explicit [start, end) date range and/or chosen issue URLs or files;
         it never moves the nightly watermark backwards (the watermark is read from the data).
Both store every response in the raw layer before parsing, so ``reprocess`` never needs the
network.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.ingest import WRITER_WAIT_SECONDS, recorded_run, run_and_finish
from flows.steps import files_to_read, stage_items, stage_many
from flows.stream import staged_batches
from sources.crawl import CrawlReport, crawl
from sources.definitions import SiteDefinition, load_sites
from sources.http import Fetcher, FetchResult
from sources.local import expand, read_file
from sources.raw import RawItem
from warehouse.db import connect
from warehouse.fetchlog import log_fetches, validators_for, watermark
from warehouse.raw import register_source


@task(
    name="fetch",
    task_run_name="fetch {url}",
    retries=1,
    retry_delay_seconds=[5],
    cache_policy=NO_CACHE,
)
def fetch_task(fetcher: Fetcher, url: str, kwargs: dict[str, Any]) -> FetchResult:
    """One HTTP fetch (the Fetcher itself retries timeouts, 429 and 5xx with backoff)."""
    return Fetcher.fetch(fetcher, url, **kwargs)


class TaskFetcher(Fetcher):
    """A Fetcher whose every request is a Prefect task run named by its URL (seen in the UI)."""

    def fetch(self, url: str, **kwargs: Any) -> FetchResult:  # type: ignore[override]
        host = url.split("/")[2] if "://" in url else "local"
        return fetch_task.with_options(tags=[f"host:{host}"])(self, url, kwargs)


def select_sites(source: str | list[str] | None) -> list[SiteDefinition]:
    """Sites by id; "all" or None means every site definition. Unknown ids are an error naming them."""
    sites = load_sites()
    if source in (None, "all", ["all"]):
        return [sites[k] for k in sorted(sites)]
    wanted = [source] if isinstance(source, str) else list(source)
    unknown = [s for s in wanted if s not in sites]
    if unknown:
        raise ValueError(f"unknown source(s) {unknown}; defined: {sorted(sites)}")
    return [sites[s] for s in wanted]


def crawl_site(
    site: SiteDefinition, db: str | None, run_id: str, *, since: dt.date | None, until: dt.date | None,
    issues: list[str] | None = None, fetcher_options: dict[str, Any] | None = None,
) -> tuple[list[tuple[Any, bytes]], CrawlReport]:  # fmt: skip
    """Crawl one site; store every response raw; return what needs parsing and the report."""
    logger = get_run_logger()
    with connect(db, wait=WRITER_WAIT_SECONDS) as con:
        register_source(
            con,
            site.id,
            name=site.name,
            family=site.family,
            base_url=site.start_urls[0],
            kind=site.kind,
        )
        known = validators_for(con, site.id)
    responses: list[FetchResult] = []
    fetched: list[RawItem] = []
    fetcher = TaskFetcher(
        validators=lambda url: known.get(url), on_response=responses.append,
        user_agent=site.user_agent or Fetcher().user_agent, **(fetcher_options or {}),
    )  # fmt: skip
    report = crawl(
        site, fetcher=fetcher, since=since, until=until, on_raw=fetched.append, issues=issues
    )
    fetcher.close()
    logger.info(report.summary())
    for it in fetched:  # what the parser may need to know of the site
        it.hints.setdefault("site_name", site.name)
        if site.rules:
            it.hints.setdefault("rules", site.rules)
    with connect(db, wait=WRITER_WAIT_SECONDS) as con:
        refs = stage_items(con, fetched, run_id=run_id)
        log_fetches(con, site.id, run_id, responses, refs)
    by_id = {r.raw_id: r for r in refs}
    todo = [
        (by_id[r.raw_id], it.content)
        for r, it in zip(refs, fetched, strict=True)
        if r.needs_parse and it.kind != "list_page"
    ]
    return todo, report


def _crawl_flow(flow_name: str, sites: list[SiteDefinition], db: str | None, params: dict[str, Any], *,
                since_for, until: dt.date | None, issues: list[str] | None, files: list[str],
                fetcher_options: dict[str, Any] | None) -> dict[str, Any]:  # fmt: skip
    with recorded_run(db, flow_name, params) as run_id:
        todo: list[tuple[Any, bytes]] = []
        pages = 0
        for site in sites:
            items, report = crawl_site(
                site,
                db,
                run_id,
                since=since_for(site),
                until=until,
                issues=issues,
                fetcher_options=fetcher_options,
            )
            todo.extend(items)
            pages += report.list_pages + report.detail_fetched
        if files:  # local files beside the sites: an unchanged one is not read again
            with connect(db, wait=WRITER_WAIT_SECONDS) as con:
                to_read, _ = files_to_read(con, expand(files))
                local = [read_file(f.path, stat=f) for f in to_read]
                refs = stage_many(con, local, run_id=run_id, files=to_read)
            todo.extend((r, it.content) for r, it in zip(refs, local, strict=True) if r.needs_parse)
        return run_and_finish(
            db,
            run_id,
            lambda _con: staged_batches(todo),
            len(todo),
            {"pages_fetched": pages},
            flow_name,
        )


@flow(
    name="nightly",
    description="Crawl every configured source for what is new since its watermark, then parse and load.",
)
def nightly(
    sources: list[str] | None = None,
    db: str | None = None,
    fetcher_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Incremental run over the configured sources.

    Args:
        sources: Source ids (file names under sources/sites/) to crawl; empty means all of them.
        db: Warehouse file; empty means $GAZETTE_DB or data/gazette.duckdb.
        fetcher_options: Advanced: overrides for the HTTP fetcher (timeouts, retries, min_delay).
    """
    sites = select_sites(sources or "all")
    with connect(db, wait=WRITER_WAIT_SECONDS) as con:
        marks = {s.id: watermark(con, s.id) for s in sites}
    get_run_logger().info("watermarks: %s", {k: str(v) for k, v in marks.items()})
    return _crawl_flow(
        "nightly", sites, db, {"sources": sources, "db": db},
        since_for=lambda s: marks[s.id], until=None, issues=None, files=[], fetcher_options=fetcher_options,
    )  # fmt: skip


@flow(
    name="backfill",
    description="Fetch one source (or all) over a date range and/or chosen gazette issues, then parse and load.",
)
def backfill(
    source: str = "all",
    start: dt.date | None = None,
    end: dt.date | None = None,
    issues: list[str] | None = None,
    db: str | None = None,
    fetcher_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Backfill a date range: fetch exactly the items listed in [start, end).

    Args:
        source: Source id (a file name under sources/sites/, e.g. liangshan) or "all".
        start: First publication date to fetch (inclusive). Empty: from the oldest listed item.
        end: Publication date to stop before (exclusive). Empty: up to today.
        issues: Gazette issues to fetch: issue URLs, issue labels as listed (2018年第12期), or
            local files / directories of PDF or text issues to ingest.
        db: Warehouse file; empty means $GAZETTE_DB or data/gazette.duckdb.
        fetcher_options: Advanced: overrides for the HTTP fetcher (timeouts, retries, min_delay).
    """
    if start and end and start >= end:
        raise ValueError(f"backfill range is empty: start {start} is not before end {end}")
    issues = [i for i in (issues or []) if i and i.strip()]
    files = [i for i in issues if "://" not in i]
    remote = [i for i in issues if "://" in i or not _is_path(i)]
    files = [f for f in files if _is_path(f)]
    sites = select_sites(source) if (start or end or remote or not files) else []
    until = end or (dt.date.today() + dt.timedelta(days=1))
    return _crawl_flow(
        "backfill", sites, db,
        {"source": source, "start": start, "end": end, "issues": issues, "db": db},
        since_for=lambda s: start, until=until, issues=remote or None, files=files, fetcher_options=fetcher_options,
    )  # fmt: skip


def _is_path(s: str) -> bool:
    from pathlib import Path

    return Path(s).exists()
