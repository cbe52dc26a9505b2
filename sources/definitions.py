"""Site definitions: one small TOML file per site under ``sources/sites/``; the id is the name.

A site names its portal family and overrides only what differs from the family's defaults
(list selectors, date format, paging parameters). Files are validated when they load so that a
typo fails at once, with the file and key in the message, not halfway through a nightly crawl.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from sources.families import FAMILIES

SITES_DIR = Path(__file__).resolve().parent / "sites"
ITEM_KINDS = ("portal_page", "gazette_pdf")
SELECTOR_KEYS = ("item", "link", "date", "title", "next")
DEFAULT_RATE_LIMIT = 2.0  # seconds between requests to one host; observed practice is 0.5–5 s

_TOP_KEYS = {
    "name": str,
    "family": str,
    "start_urls": list,
    "kind": str,
    "gazette": str,
    "rules": str,
    "date_format": str,
    "allowed_hosts": list,
    "verify_tls": bool,
    "rate_limit_seconds": (int, float),
    "user_agent": str,
    "max_pages": int,
    "verified": bool,
    "note": str,
    "selectors": dict,
    "params": dict,
}
_REQUIRED = ("name", "family", "start_urls")


class SiteDefinitionError(ValueError):
    """A site file that cannot be used; the message names the file and the key at fault."""


@dataclass(frozen=True)
class SiteDefinition:
    """Everything the crawler needs to know about one site, family defaults already merged."""

    id: str
    name: str
    family: str
    start_urls: tuple[str, ...]
    selectors: Mapping[str, str]
    params: Mapping[str, Any] = field(default_factory=dict)
    kind: str = "portal_page"
    gazette: str | None = None
    rules: str | None = None
    date_format: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    verify_tls: bool = True
    rate_limit_seconds: float = DEFAULT_RATE_LIMIT
    user_agent: str | None = None
    max_pages: int = 200
    verified: bool = False
    path: Path | None = None

    @property
    def family_module(self) -> ModuleType:
        """The module that reads this site's list pages (``sources.families.<family>``)."""
        return FAMILIES[self.family]


def _fail(where: str, key: str, why: str) -> SiteDefinitionError:
    return SiteDefinitionError(f"{where}: key {key!r}: {why}")


def parse_site(site_id: str, data: Mapping[str, Any], where: str | None = None) -> SiteDefinition:
    """A validated :class:`SiteDefinition` from TOML data; ``where`` names the file in errors."""
    where = where or f"site {site_id}"
    for key, value in data.items():
        if key not in _TOP_KEYS:
            raise _fail(where, key, f"unknown key; expected one of {sorted(_TOP_KEYS)}")
        expected = _TOP_KEYS[key]
        wrong_bool = isinstance(value, bool) and expected is not bool  # TOML true is an int too
        if wrong_bool or not isinstance(value, expected):
            raise _fail(where, key, f"expected {_TOP_KEYS[key]}, got {type(value).__name__}")
    for key in _REQUIRED:
        if not data.get(key):
            raise _fail(where, key, "missing (required)")
    family = data["family"]
    if family not in FAMILIES:
        raise _fail(where, "family", f"unknown family {family!r}; known: {sorted(FAMILIES)}")
    module = FAMILIES[family]
    start_urls = tuple(data["start_urls"])
    for url in start_urls:
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _fail(where, "start_urls", f"not an absolute http(s) URL: {url!r}")
    selectors = dict(module.DEFAULT_SELECTORS)
    for key, value in data.get("selectors", {}).items():
        if key not in SELECTOR_KEYS:
            raise _fail(
                where, f"selectors.{key}", f"unknown selector; expected one of {SELECTOR_KEYS}"
            )
        if not isinstance(value, str) or not value.strip():
            raise _fail(where, f"selectors.{key}", "must be a non-empty CSS selector string")
        selectors[key] = value
    params = dict(getattr(module, "DEFAULT_PARAMS", {}))
    for key, value in data.get("params", {}).items():
        if key not in module.PARAM_KEYS:
            raise _fail(
                where,
                f"params.{key}",
                f"unknown for family {family!r}; expected one of {sorted(module.PARAM_KEYS)}",
            )
        params[key] = value
    kind = data.get("kind", getattr(module, "DEFAULT_KIND", "portal_page"))
    if kind not in ITEM_KINDS:
        raise _fail(where, "kind", f"{kind!r} is not one of {ITEM_KINDS}")
    if kind == "gazette_pdf" and not data.get("gazette"):
        raise _fail(where, "gazette", "required when kind = 'gazette_pdf' (the gazette's name)")
    hosts = tuple(h.lower() for h in data.get("allowed_hosts", ())) or tuple(
        dict.fromkeys(urlsplit(u).hostname.lower() for u in start_urls)  # type: ignore[union-attr]
    )
    rate = float(data.get("rate_limit_seconds", DEFAULT_RATE_LIMIT))
    if rate < 0:
        raise _fail(where, "rate_limit_seconds", "must be >= 0")
    return SiteDefinition(
        id=site_id,
        name=data["name"],
        family=family,
        start_urls=start_urls,
        selectors=selectors,
        params=params,
        kind=kind,
        gazette=data.get("gazette"),
        rules=data.get("rules"),
        date_format=data.get("date_format"),
        allowed_hosts=hosts,
        verify_tls=data.get("verify_tls", True),
        rate_limit_seconds=rate,
        user_agent=data.get("user_agent"),
        max_pages=data.get("max_pages", 200),
        verified=data.get("verified", False),
    )


def parse_site_toml(site_id: str, text: str, where: str | None = None) -> SiteDefinition:
    """A :class:`SiteDefinition` from TOML text (tests and fixture sites build them this way)."""
    where = where or f"site {site_id}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SiteDefinitionError(f"{where}: not valid TOML: {exc}") from None
    return parse_site(site_id, data, where)


def load_site(path_or_id: str | Path) -> SiteDefinition:
    """Load one site: a path to a ``.toml`` file, or a site id found in ``sources/sites/``."""
    path = Path(path_or_id)
    if path.suffix != ".toml":
        path = SITES_DIR / f"{path_or_id}.toml"
    if not path.is_file():
        raise SiteDefinitionError(f"{path}: no such site file")
    site = parse_site_toml(path.stem, path.read_text(encoding="utf-8"), str(path))
    object.__setattr__(site, "path", path)
    return site


def load_sites(directory: Path | None = None) -> dict[str, SiteDefinition]:
    """Every site in ``directory`` (default ``$GAZETTE_SITES_DIR`` or ``sources/sites/``), keyed by id = file name."""
    directory = directory or Path(os.environ.get("GAZETTE_SITES_DIR") or SITES_DIR)
    return {p.stem: load_site(p) for p in sorted(directory.glob("*.toml"))}
