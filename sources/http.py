"""A polite HTTP fetcher: one session per host, retries, rate limit, robots.txt, conditional GET.

Government portals block bursts, answer 429/5xx under load and sometimes put a WAF (412 with a
JavaScript challenge) in front. The fetcher waits between requests to one host, retries what is
worth retrying (timeouts, connection errors, 429 honouring Retry-After, 5xx) with exponential
backoff, refuses hosts the site does not allow and URLs robots.txt disallows, and never tries to
defeat a block: it records it. Every response, error or not, becomes a :class:`FetchResult`.
"""

from __future__ import annotations

import email.utils
import threading
import time
import urllib.robotparser
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests

from sources.encoding import detect_encoding
from sources.raw import RawItem

CONTACT_URL = "https://github.com/gazette-warehouse/gazette-warehouse"
DEFAULT_USER_AGENT = f"gazette-warehouse/0.1 (+{CONTACT_URL})"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5

# Outcomes of one fetch.
OK, UNCHANGED, BLOCKED, FAILED, OFFSITE = "ok", "unchanged", "blocked", "failed", "offsite"
REDIRECT = "redirect"  # internal: a hop the fetcher follows itself

Validators = Callable[[str], "tuple[str | None, str | None] | None"]


@dataclass
class FetchResult:
    """What happened to one URL: outcome, final status, body and how many attempts it took."""

    url: str
    outcome: str
    status: int | None = None
    reason: str = ""
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    attempts: int = 0
    elapsed: float = 0.0
    final_url: str | None = None  # where redirects led, when not ``url``

    @property
    def ok(self) -> bool:
        return self.outcome == OK

    def to_raw(self, source_id: str, kind: str, hints: dict[str, str] | None = None) -> RawItem:
        """The body as a :class:`RawItem`, text encoding detected (None for PDFs and binaries)."""
        media_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower() or None
        is_pdf = self.content.startswith(b"%PDF") or media_type == "application/pdf"
        encoding = None
        hints = dict(hints or {})
        if self.final_url:
            hints["final_url"] = self.final_url
        if not is_pdf:
            try:
                encoding = detect_encoding(self.content, self.headers.get("Content-Type"))
            except UnicodeDecodeError:
                hints["encoding_error"] = "no encoding decodes this body"
            head, tail = self.content[:4096].lower(), self.content[-4096:].lower()
            if media_type in (None, "text/html") and b"<html" in head and b"</html>" not in tail:
                hints["truncated"] = "true"  # the page ends before </html>
        return RawItem(
            source_id=source_id,
            uri=self.url,
            kind=kind,
            content=self.content,
            media_type=media_type or ("application/pdf" if is_pdf else None),
            encoding=encoding,
            http_status=self.status,
            headers=dict(self.headers),
            hints=hints,
        )


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _block_reason(response: requests.Response) -> str | None:
    """Why a response is a block (a WAF challenge, a refusal), or None when it is not one."""
    status = response.status_code
    if status == 412:
        challenge = b"<script" in response.content[:8192].lower()
        return f"HTTP 412: WAF {'JavaScript challenge' if challenge else 'precondition refusal'} (not attempted)"
    if status in (403, 451):
        return f"HTTP {status}: access refused by the site"
    return None


class Fetcher:
    """Fetches URLs politely and reports each response; one instance per crawl run."""

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 120.0,
        min_delay: float | None = None,
        respect_robots: bool = True,
        allowed_hosts: Iterable[str] | None = None,
        verify_tls: bool = True,
        validators: Validators | None = None,
        on_response: Callable[[FetchResult], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``min_delay`` (seconds between requests to one host) overrides the site's rate limit
        when given; ``max_wait`` caps a Retry-After or backoff wait (longer means: give up)."""
        self.user_agent = user_agent
        self.timeout = (connect_timeout, read_timeout)
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.min_delay = min_delay
        self.respect_robots = respect_robots
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts else None
        self.verify_tls = verify_tls
        self.validators = validators
        self.on_response = on_response
        self.sleep = sleep
        self.requests_by_host: Counter[str] = Counter()
        self._sessions: dict[str, requests.Session] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()

    # -- plumbing -------------------------------------------------------------------------------
    @property
    def request_count(self) -> int:
        """HTTP requests sent so far (robots.txt and retries included)."""
        return sum(self.requests_by_host.values())

    def session(self, host: str) -> requests.Session:
        """The session for ``host`` (keeps its cookies and connection pool apart)."""
        with self._lock:
            if host not in self._sessions:
                s = requests.Session()
                s.headers["User-Agent"] = self.user_agent
                s.headers["Accept-Language"] = "zh-CN,zh;q=0.9"
                self._sessions[host] = s
            return self._sessions[host]

    def close(self) -> None:
        for s in self._sessions.values():
            s.close()

    def _wait_turn(self, host: str, min_delay: float) -> None:
        last = self._last_request.get(host)
        if last is not None:
            wait = min_delay - (time.monotonic() - last)
            if wait > 0:
                self.sleep(wait)
        self._last_request[host] = time.monotonic()

    def _send(
        self, url: str, headers: dict[str, str], verify: bool, min_delay: float
    ) -> requests.Response:
        host = urlsplit(url).netloc.lower()
        self._wait_turn(host, min_delay)
        self.requests_by_host[host] += 1
        return self.session(host).get(
            url, headers=headers, timeout=self.timeout, verify=verify, allow_redirects=False
        )

    def robots_allows(self, url: str, *, verify: bool = True, min_delay: float = 0.0) -> bool:
        """Whether robots.txt of the URL's host lets our user agent fetch it (cached per host).

        A missing robots.txt (404) allows everything, 401/403 disallow everything (the standard
        reading); when robots.txt cannot be fetched at all we allow and try again next run.
        """
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
            try:
                r = self._send(origin + "/robots.txt", {}, verify, min_delay)
                if r.status_code in (401, 403):
                    parser.disallow_all = True
                elif r.status_code >= 400:
                    parser.allow_all = True
                else:
                    parser.parse(r.content.decode("utf-8", "replace").splitlines())
            except requests.RequestException:
                parser = None
            self._robots[origin] = parser
        parser = self._robots[origin]
        return parser is None or parser.can_fetch(self.user_agent, url)

    # -- the one public operation ----------------------------------------------------------------
    def fetch(
        self,
        url: str,
        *,
        allowed_hosts: Iterable[str] | None = None,
        verify_tls: bool | None = None,
        min_delay: float | None = None,
        conditional: bool = True,
    ) -> FetchResult:
        """Fetch ``url`` once (with retries); never raises for HTTP or network trouble."""
        start = time.monotonic()
        result = self._fetch(url, allowed_hosts, verify_tls, min_delay, conditional)
        result.elapsed = time.monotonic() - start
        if self.on_response:
            self.on_response(result)
        return result

    def _refusal(
        self, url: str, allowed: set[str] | None, verify: bool, delay: float
    ) -> FetchResult | None:
        """Why ``url`` must not be requested (another host, robots.txt), or None."""
        host = (urlsplit(url).hostname or "").lower()
        if allowed is not None and host not in allowed:
            return FetchResult(
                url, OFFSITE, reason=f"host {host} is not among the site's allowed hosts"
            )
        if self.respect_robots and not self.robots_allows(url, verify=verify, min_delay=delay):
            return FetchResult(url, BLOCKED, reason="disallowed by robots.txt")
        return None

    def _fetch(self, url, allowed_hosts, verify_tls, min_delay, conditional) -> FetchResult:
        """Follow redirects by hand so every hop is checked against hosts and robots.txt."""
        allowed = {h.lower() for h in allowed_hosts} if allowed_hosts else self.allowed_hosts
        verify = self.verify_tls if verify_tls is None else verify_tls
        delay = self.min_delay if self.min_delay is not None else (min_delay or 0.0)
        headers: dict[str, str] = {}
        known = self.validators(url) if (conditional and self.validators) else None
        if known:
            etag, last_modified = known
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
        target = url
        for _hop in range(MAX_REDIRECTS + 1):
            result = self._refusal(target, allowed, verify, delay) or self._get(
                target, headers, verify, delay
            )
            if target != url:
                result.reason = f"{result.reason} (redirected to {target})".strip()
                result.final_url = target
            result.url = url
            location = result.headers.get("Location") if result.outcome == REDIRECT else None
            if not location:
                return result
            target = urljoin(target, location)
        return FetchResult(url, FAILED, reason=f"more than {MAX_REDIRECTS} redirects")

    def _get(self, url: str, headers: dict[str, str], verify: bool, delay: float) -> FetchResult:
        """GET one URL with retries on timeouts, connection errors, 429 and 5xx."""
        attempt, reason = 0, ""
        while True:
            attempt += 1
            wait: float | None = None
            try:
                r = self._send(url, headers, verify, delay)
            except requests.exceptions.SSLError as exc:
                return FetchResult(url, FAILED, reason=f"TLS error: {exc}", attempts=attempt)
            except requests.RequestException as exc:
                reason = f"{type(exc).__name__}: {exc}"
                r = None
            if r is not None:
                facts = dict(r.headers)
                status = r.status_code
                if status == 304:
                    return FetchResult(url, UNCHANGED, 304, "not modified", b"", facts, attempt)
                if status < 300:
                    return FetchResult(url, OK, status, "", r.content, facts, attempt)
                if status in REDIRECT_STATUSES:
                    return FetchResult(url, REDIRECT, status, f"HTTP {status}", b"", facts, attempt)
                why = _block_reason(r)
                if why:
                    return FetchResult(url, BLOCKED, status, why, r.content, facts, attempt)
                if status not in RETRY_STATUSES:
                    return FetchResult(
                        url, FAILED, status, f"HTTP {status}", r.content, facts, attempt
                    )
                reason = f"HTTP {status}"
                wait = _retry_after_seconds(r.headers.get("Retry-After"))
            status = r.status_code if r is not None else None
            if attempt > self.retries:
                return FetchResult(
                    url, FAILED, status, f"{reason} after {attempt} attempts", attempts=attempt
                )
            wait = self.backoff * 2 ** (attempt - 1) if wait is None else wait
            if wait > self.max_wait:
                why = f"{reason}; asked to wait {wait:.0f} s, more than {self.max_wait:.0f} s"
                return FetchResult(url, FAILED, status, why, attempts=attempt)
            self.sleep(wait)


class MemoryValidators:
    """ETag / Last-Modified remembered from earlier RawItems: a ``validators`` callback.

    The warehouse keeps these in its raw table; this in-memory version serves tests and
    one-off runs.
    """

    def __init__(self) -> None:
        self._known: dict[str, tuple[str | None, str | None]] = {}

    def remember(self, raw: RawItem) -> None:
        headers = {k.lower(): v for k, v in raw.headers.items()}
        etag, modified = headers.get("etag"), headers.get("last-modified")
        if etag or modified:
            self._known[raw.uri] = (etag, modified)

    def __call__(self, url: str) -> tuple[str | None, str | None] | None:
        return self._known.get(url)
