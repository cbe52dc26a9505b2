"""Operator's path, for real: a Prefect server on loopback, `prefect deploy --all`, a process
worker, a backfill triggered through the API exactly as the UI's "Run" form does, then a
reprocess, against a fixture portal served on 127.0.0.1 into a real DuckDB file.

Slow by nature (a server, a worker and flow-run processes start): ~1 minute.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from conftest import ROOT
from fixture_site import build_fixture_site

from warehouse.db import connect

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).ok:
                return
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@pytest.fixture
def prefect_server(tmp_path):
    """A real `prefect server start` on a free loopback port with its own PREFECT_HOME."""
    port = _free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect_home"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
    )  # fmt: skip
    try:
        _wait_for(f"http://127.0.0.1:{port}/api/health", 90)
        yield env
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=15)
        server.kill()
        log.close()


def _run(args: list[str], env: dict[str, str]) -> str:
    out = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"{' '.join(args)} failed:\n{out.stdout}\n{out.stderr}"
    return out.stdout


def _wait_run(api: str, run_id: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = requests.get(f"{api}/flow_runs/{run_id}", timeout=5).json()
        if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run
        time.sleep(1)
    raise TimeoutError(f"flow run {run_id} did not finish in {timeout} s")


def test_backfill_from_the_api_then_reprocess(prefect_server, httpserver, tmp_path):
    env = dict(prefect_server)
    api = env["PREFECT_API_URL"]
    fixture = build_fixture_site(httpserver)
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "fixture_trs.toml").write_text(fixture.site_tomls["fixture_trs"], encoding="utf-8")
    db = tmp_path / "warehouse.duckdb"
    env.update(
        {"GAZETTE_SITES_DIR": str(sites), "PWD": str(ROOT), "PATH": f"{BIN}:{env.get('PATH', '')}"}
    )

    _run([str(BIN / "prefect"), "work-pool", "create", "gazette-process", "--type", "process"], env)
    deployed = _run([str(BIN / "prefect"), "--no-prompt", "deploy", "--all"], env)
    assert deployed.count("successfully created") == 3
    deployments = {
        d["name"]: d for d in requests.post(f"{api}/deployments/filter", json={}, timeout=10).json()
    }
    assert set(deployments) == {"nightly", "backfill", "reprocess"}
    nightly = deployments["nightly"]
    assert nightly["schedules"][0]["schedule"] == {
        "cron": "0 2 * * *",
        "timezone": "Asia/Shanghai",
        "day_or": True,
    }
    assert not deployments["backfill"]["schedules"] and not deployments["reprocess"]["schedules"]
    form = deployments["backfill"]["parameter_openapi_schema"]["properties"]
    assert {"source", "start", "end", "issues"} <= set(form) and form["start"]["description"]

    worker = subprocess.Popen(
        [str(BIN / "prefect"), "worker", "start", "--pool", "gazette-process", "--limit", "1"],
        env=env, cwd=ROOT, stdout=open(tmp_path / "worker.log", "w"), stderr=subprocess.STDOUT,  # noqa: SIM115
    )  # fmt: skip
    try:
        fast = {"read_timeout": 0.25, "backoff": 0.01, "max_wait": 3.0, "min_delay": 0.0}
        # What the UI's "Run > Custom run" form posts.
        started = time.monotonic()
        run = requests.post(
            f"{api}/deployments/{deployments['backfill']['id']}/create_flow_run",
            json={
                "parameters": {
                    "source": "fixture_trs",
                    "start": "2020-01-01",
                    "end": "2020-07-01",
                    "db": str(db),
                    "fetcher_options": fast,
                }
            },
            timeout=10,
        ).json()
        done = _wait_run(api, run["id"], 150)
        backfill_seconds = time.monotonic() - started
        assert done["state"]["type"] == "COMPLETED", (tmp_path / "worker.log").read_text()[-3000:]
        with connect(db, read_only=True) as con:
            docs = con.execute(
                "SELECT doc_number, signed_date FROM documents ORDER BY doc_number NULLS LAST"
            ).fetchall()
            runs = con.execute("SELECT run_id, flow, state FROM pipeline_runs").fetchall()
            counts = [
                con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("fact_document", "fact_task_assignment", "fact_citation")
            ]  # noqa: S608
        served = [
            d
            for d in fixture.details_of("fixture_trs")
            if d.fault in (None, "500", "429", "timeout", "truncated")
        ]
        assert len(docs) >= len(served) - 1  # the truncated page may be quarantined
        assert ("凉府办发〔2020〕20号", __import__("datetime").date(2020, 6, 16)) in docs
        assert runs == [
            (
                run["id"],
                "backfill",
                "COMPLETED_WITH_QUARANTINE" if len(docs) < len(served) else "COMPLETED",
            )
        ]

        fixture.reset_counts()
        run2 = requests.post(
            f"{api}/deployments/{deployments['reprocess']['id']}/create_flow_run",
            json={"parameters": {"source": "fixture_trs", "db": str(db)}},
            timeout=10,
        ).json()
        assert _wait_run(api, run2["id"], 150)["state"]["type"] == "COMPLETED"
        assert fixture.requests == []  # reprocess never touches the network
        with connect(db, read_only=True) as con:
            again = [
                con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("fact_document", "fact_task_assignment", "fact_citation")
            ]  # noqa: S608
        assert again == counts
        print(f"\nbackfill via the API: {backfill_seconds:.1f} s from trigger to completion")
    finally:
        worker.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=15)
        worker.kill()
