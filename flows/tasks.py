"""Prefect tasks: thin wrappers over :mod:`flows.stream` and :mod:`flows.steps`, named for what
the UI should show."""

from __future__ import annotations

from collections.abc import Callable

from prefect import task
from prefect.cache_policies import NO_CACHE


@task(name="parse and load", task_run_name="{label}", cache_policy=NO_CACHE, retries=0)
def batch_task(label: str, work: Callable[[], dict[str, int]]) -> dict[str, int]:
    """One batch of a run (up to ``flows.stream.CHUNK_SIZE`` inputs): wait for the pool to
    parse it, load it in one transaction. Not cached: the raw layer already knows which
    inputs were parsed (``raw_item.parsed_sha256``), and a rerun skips them."""
    return work()


def as_task_runs(label: str, work: Callable[[], dict[str, int]]) -> dict[str, int]:
    """A ``flows.stream`` load wrapper: each batch is a task run named by its inputs."""
    return batch_task(label, work)
