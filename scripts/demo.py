"""The demo: the nightly flow over the bundled samples, into a local DuckDB file.

The real portal pages and gazette seeds in ``../shared`` are served on 127.0.0.1 as six small
sites (the test suite's fixture site, ``tests/fixture_site.py``: one site per portal family and
a gazette archive of issue PDFs, with the faults real sites have on the TRS one), each with a
site definition pointing at it. The nightly flow crawls them all as it would crawl the real
sites (list pages, detail pages, PDFs; robots.txt, retries, conditional GETs), and the demo
prints what it fetched and what landed in the warehouse. A second run fetches almost nothing:
every watermark is where the first one left it.

    scripts/bootstrap && .venv/bin/python scripts/demo.py [--db data/gazette.duckdb]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fixture site lives with the tests that use it
# No telemetry calls to the internet from the ephemeral Prefect server the flow starts.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

# The sites' port: the same one every run, so the page URLs (the raw layer's keys) stay the same
# and a second run sends conditional GETs for pages it already has.
DEFAULT_PORT = 18790

# The fixture's slow page answers after 0.35 s and its 429 asks for a 2 s wait: time out
# sooner and wait less than a polite crawl of a real site would.
DEMO_FETCHER = {"read_timeout": 0.25, "connect_timeout": 1.0, "backoff": 0.01, "max_wait": 3.0}

FETCHES_SQL = """
    SELECT source_id AS site, count(*) FILTER (outcome = 'ok') AS fetched,
           count(*) FILTER (outcome = 'unchanged') AS unchanged_304,
           count(*) FILTER (outcome = 'blocked') AS blocked,
           count(*) FILTER (outcome = 'failed') AS failed
    FROM fetch_log WHERE run_id = ? GROUP BY ALL ORDER BY site
"""
DOCUMENTS_SQL = """
    SELECT a.source_id AS site, count(DISTINCT a.document_id) AS documents,
           count(DISTINCT d.doc_number) AS numbers, min(d.signed_date) AS first_signed,
           max(d.signed_date) AS last_signed,
           (SELECT count(*) FROM fact_appointment p JOIN fact_document_appearance x
              USING (document_id) WHERE x.source_id = a.source_id) AS appointments
    FROM fact_document_appearance a JOIN fact_document d USING (document_id)
    GROUP BY ALL ORDER BY site
"""
QUARANTINE_SQL = """
    SELECT source_id AS site, stage, reason FROM quarantine WHERE resolved_at IS NULL ORDER BY uri
"""


def run_demo(db: str | None = None, port: int = DEFAULT_PORT) -> dict[str, Any]:
    """Serve the sample sites on 127.0.0.1:``port``, run the nightly flow over them into
    ``db``; the flow's counts."""
    from fixture_site import build_fixture_site
    from pytest_httpserver import HTTPServer

    from flows.crawl import nightly

    server = HTTPServer(host="127.0.0.1", port=port)
    try:
        server.start()
    except OSError as exc:
        raise SystemExit(
            f"demo: cannot serve the sample sites on 127.0.0.1:{port} ({exc}); pass --port"
        ) from None
    saved = os.environ.get("GAZETTE_SITES_DIR")
    try:
        fixture = build_fixture_site(server)
        with tempfile.TemporaryDirectory(prefix="gazette-demo-sites-") as sites:
            for sid, toml in fixture.site_tomls.items():
                Path(sites, f"{sid}.toml").write_text(toml, encoding="utf-8")
            os.environ["GAZETTE_SITES_DIR"] = sites
            return nightly(db=db, fetcher_options={**DEMO_FETCHER, "min_delay": 0.0})
    finally:
        if saved is None:
            os.environ.pop("GAZETTE_SITES_DIR", None)
        else:
            os.environ["GAZETTE_SITES_DIR"] = saved
        server.stop()


def main(argv: list[str] | None = None) -> int:
    from flows.cli import _default_db, _print_counts, _print_frame
    from warehouse.db import connect, frame

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="warehouse file (default: $GAZETTE_DB or data/gazette.duckdb)")
    ap.add_argument("--port", type=int, default=DEFAULT_PORT, help="port of the sample sites")
    a = ap.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the sample sites' request log
    counts = run_demo(a.db, a.port)
    with connect(a.db, read_only=True) as con:
        print("fetches of this run, per site:")
        _print_frame(frame(con, FETCHES_SQL, [counts["run_id"]]))
        print("documents in the warehouse, per site:")
        _print_frame(frame(con, DOCUMENTS_SQL))
        print("quarantined (kept raw, with the reason; `gazette quarantine` lists them):")
        _print_frame(frame(con, QUARANTINE_SQL))
    _print_counts(counts)
    print(
        f"-> {a.db or _default_db()}; try: .venv/bin/gazette sql"
        ' "SELECT * FROM issuance_by_month ORDER BY 1 DESC LIMIT 10"'
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
