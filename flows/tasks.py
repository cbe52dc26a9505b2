"""Prefect tasks: thin wrappers over :mod:`flows.steps`, named for what the UI should show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import task

from flows.steps import Outcome, RawRef, parse_one, transforms_version

_VERSION = transforms_version()


def _parse_cache_key(_ctx: Any, params: dict[str, Any]) -> str:
    """Cache parses on the raw item (uri + content hash) and the transform code's version."""
    ref: RawRef = params["ref"]
    return f"parse-{ref.raw_id}-{_VERSION}"


@task(
    name="parse",
    task_run_name="parse {ref.label}",
    cache_key_fn=_parse_cache_key,
    cache_expiration=dt.timedelta(days=30),  # persisted parses are not kept forever
    persist_result=True,
    retries=0,
)
def parse_task(ref: RawRef, content: bytes) -> Outcome:
    """Decode, clean, split and extract one raw input (pure; failures come back as an Outcome)."""
    return parse_one(ref, content)
