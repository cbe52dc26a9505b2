"""Shared fixtures: paths to the sample data, a fresh warehouse file per test, one Prefect harness.

The Prefect test harness (a temporary local API and database) starts once per session: it
costs ~10 s, so tests that need no flow never ask for it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Tests talk to 127.0.0.1 only: Prefect's servers must not send telemetry out.
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_TO_API_BATCH_INTERVAL", "0.3")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GAZETTE_SHARED", ROOT.parent / "shared"))
SEEDS = SHARED / "seeds"
SAMPLES = SHARED / "samples" / "portal"
GOLD = ROOT / "tests" / "gold"


def pytest_configure(config: pytest.Config) -> None:
    if not SEEDS.is_dir():
        raise pytest.UsageError(
            f"sample data not found at {SHARED}: clone the repo with shared/ beside it or set GAZETTE_SHARED"
        )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A warehouse file that does not exist yet."""
    return tmp_path / "warehouse.duckdb"


@pytest.fixture(scope="session")
def prefect_harness():
    """Run flows against a throw-away Prefect API and database (Prefect's own test harness)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
