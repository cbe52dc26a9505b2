"""Gazette rule sets: the quirks of each gazette as TOML data, merged over a default.

A gazette's page furniture (running headers, page-number shapes), its table-of-contents
section names, its genre words and issuer suffixes differ from city to city. They live in
``transforms/rules/gazette_<name>.toml`` so that supporting a new gazette means adding a data
file, never an ``if city == …`` branch. ``gazette_default.toml`` holds everything; a
per-gazette file overrides it: tables merge key by key, lists are extended (the gazette's own
words come first), scalars are replaced. A gazette is chosen by name or by its ``detect``
pattern matched against the masthead (the first lines of the issue).
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).with_name("rules")
PREFIX = "gazette_"
DEFAULT = "default"
MASTHEAD_CHARS = 3000


class RulesError(ValueError):
    """A rule file that is missing or malformed; the message names the file and key."""


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Merge ``over`` into a copy of ``base``: tables recurse, lists extend, scalars replace."""
    out = dict(base)
    for key, value in over.items():
        old = out.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            out[key] = _merge(old, value)
        elif isinstance(old, list) and isinstance(value, list):
            out[key] = list(dict.fromkeys([*value, *old]))
        else:
            out[key] = value
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path.name}: invalid TOML: {exc}") from exc
    for section in ("noise", "masthead", "toc", "headers", "clean"):
        if section in data and not isinstance(data[section], dict):
            raise RulesError(f"{path.name}: [{section}] must be a table")
    return data


@lru_cache(maxsize=1)
def available() -> dict[str, dict[str, Any]]:
    """Every gazette rule file by name (``gazette_liangshan.toml`` -> ``liangshan``)."""
    out = {}
    for path in sorted(RULES_DIR.glob(f"{PREFIX}*.toml")):
        out[path.stem.removeprefix(PREFIX)] = _read(path)
    if DEFAULT not in out:
        raise RulesError(f"{RULES_DIR / (PREFIX + DEFAULT + '.toml')}: default rule set missing")
    return out


def detect(text: str) -> str:
    """The name of the rule set whose ``detect`` pattern matches the masthead, else default."""
    head = text[:MASTHEAD_CHARS]
    for name, data in available().items():
        pattern = data.get("detect") or ""
        if name != DEFAULT and pattern and re.search(pattern, head):
            return name
    return DEFAULT


@lru_cache(maxsize=32)
def _resolved(name: str) -> dict[str, Any]:
    sets = available()
    if name not in sets:
        known = ", ".join(sorted(sets))
        raise RulesError(f"no gazette rule set named {name!r} (known: {known})")
    if name == DEFAULT:
        return sets[DEFAULT]
    return _merge(sets[DEFAULT], sets[name])


def load_rules(name: str | None, text: str | None = None) -> dict[str, Any]:
    """The rule set ``name``, or the one detected from ``text``'s masthead, merged over the default.

    ``load_rules(None)`` gives the default; ``load_rules(None, issue_text)`` picks the gazette
    whose ``detect`` pattern matches the first lines of the issue.
    """
    if name is None:
        name = detect(text) if text else DEFAULT
    return _resolved(name)
