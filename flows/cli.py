"""``gazette``: the pipeline for people who do not open the Prefect UI.

Every command that changes the warehouse runs the same Prefect flow a deployment runs,
in-process (ephemeral mode, no server needed). Expected failures print one line naming the
file or URL at fault and exit 2; no traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

import polars as pl


def _print_frame(df: pl.DataFrame, max_rows: int = 50) -> None:
    with pl.Config(
        tbl_rows=max_rows,
        tbl_cols=-1,
        fmt_str_lengths=60,
        tbl_width_chars=200,
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
    ):
        print(df)
    if df.height > max_rows:
        print(f"({df.height} rows, first {max_rows} shown)")


def _date(s: str) -> dt.date:
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {s!r}") from None


def cmd_ingest(a: argparse.Namespace) -> int:
    from flows.ingest import ingest
    from flows.steps import summary
    from sources.local import expand
    from warehouse.db import connect

    missing = [p for p in expand(a.paths) if not p.is_file()]
    if missing:  # say so before a flow run starts (and logs a traceback)
        raise FileNotFoundError(f"{missing[0]}: no such file")
    counts = ingest(paths=a.paths, db=a.db, force=a.force)
    with connect(a.db, read_only=True) as con:
        from sources.local import expand

        uris = [str(p.resolve()) for p in expand(a.paths)]
        _print_frame(summary(con, uris))
    print(
        f"{counts['inputs']} inputs parsed ({counts.get('skipped', 0)} unchanged skipped): "
        f"{counts['documents_added']} documents added, {counts['documents_updated']} updated, "
        f"{counts['quarantined']} quarantined -> {a.db or _default_db()}"
    )
    return 0 if not counts["quarantined"] else 1


def _print_counts(counts: dict) -> None:
    from warehouse.runs import COUNTERS

    print("  ".join(f"{k}={counts.get(k, 0)}" for k in ("state", *COUNTERS)))


def cmd_nightly(a: argparse.Namespace) -> int:
    from flows.crawl import nightly, select_sites

    select_sites(a.source or "all")  # unknown ids fail here, with the list of known ones
    counts = nightly(sources=a.source or None, db=a.db)
    _print_counts(counts)
    return 0 if not counts.get("quarantined") else 1


def cmd_backfill(a: argparse.Namespace) -> int:
    from flows.crawl import backfill, select_sites

    select_sites(a.source)
    if a.start and a.end and a.start >= a.end:
        raise ValueError(f"backfill range is empty: start {a.start} is not before end {a.end}")
    counts = backfill(source=a.source, start=a.start, end=a.end, issues=a.issue or None, db=a.db)
    _print_counts(counts)
    return 0 if not counts.get("quarantined") else 1


def cmd_sites(a: argparse.Namespace) -> int:
    from sources.definitions import load_sites

    rows = [
        {
            "id": s.id,
            "name": s.name,
            "family": s.family,
            "kind": s.kind,
            "verified": s.verified,
            "start": s.start_urls[0],
        }
        for s in load_sites().values()
    ]
    _print_frame(pl.DataFrame(rows).sort("id"))
    return 0


def cmd_reprocess(a: argparse.Namespace) -> int:
    from flows.ingest import reprocess

    counts = reprocess(
        source=a.source, start=a.start, end=a.end, only_quarantined=a.quarantined, db=a.db
    )
    _print_counts(counts)
    return 0 if not counts.get("quarantined") else 1


def cmd_sql(a: argparse.Namespace) -> int:
    from warehouse.db import connect, frame

    with connect(a.db, read_only=True) as con:
        _print_frame(frame(con, a.query), max_rows=a.max_rows)
    return 0


def cmd_summary(a: argparse.Namespace) -> int:
    from flows.steps import summary
    from warehouse.db import connect

    with connect(a.db, read_only=True) as con:
        _print_frame(summary(con))
    return 0


def cmd_quarantine(a: argparse.Namespace) -> int:
    from warehouse.db import connect, frame

    with connect(a.db, read_only=True) as con:
        df = frame(
            con,
            "SELECT source_id, uri, stage, reason, attempts, last_seen, raw_id FROM quarantine"
            " WHERE resolved_at IS NULL OR $1 ORDER BY last_seen DESC",
            [a.all],
        )
    if df.is_empty():
        print("quarantine is empty")
        return 0
    for r in df.iter_rows(named=True):  # whole reasons, not a truncated table
        print(
            f"[{r['stage']}] {r['uri']}  ({r['source_id']}, {r['attempts']} attempt(s), last {r['last_seen']:%Y-%m-%d %H:%M})"
        )
        print(f"    {r['reason']}\n    raw_id {r['raw_id']}")
    print(f"{df.height} input(s) in quarantine; after a fix: gazette reprocess --quarantined")
    return 0


def cmd_report(a: argparse.Namespace) -> int:
    from warehouse.db import connect
    from warehouse.report import write_report

    with connect(a.db, read_only=True) as con:
        path = write_report(con, Path(a.out))
    print(f"report written to {path} (open it in a browser; no server needed)")
    return 0


def cmd_export(a: argparse.Namespace) -> int:
    from warehouse.db import connect
    from warehouse.export import export_parquet

    with connect(a.db, read_only=True) as con:
        files = export_parquet(con, Path(a.out))
    print(f"{len(files)} Parquet files written under {a.out} (facts partitioned by year)")
    return 0


def cmd_eval(a: argparse.Namespace) -> int:
    import tempfile

    from flows.evaluation import evaluate_file

    with tempfile.TemporaryDirectory() as tmp:
        print(evaluate_file(Path(a.gold), Path(a.source), db=Path(tmp) / "eval.duckdb"))
    return 0


def _default_db() -> str:
    from warehouse.db import default_path

    return str(default_path())


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        help="warehouse file (default: $GAZETTE_DB or data/gazette.duckdb)",
    )
    p = argparse.ArgumentParser(
        prog="gazette",
        description="Gazette warehouse: ingest gazettes and portal pages into DuckDB.",
        parents=[common],
    )
    sub = p.add_subparsers(dest="command", required=True)
    _add = sub.add_parser

    def add_parser(name: str, **kw: object) -> argparse.ArgumentParser:
        return _add(name, parents=[common], **kw)

    sub.add_parser = add_parser  # type: ignore[method-assign]

    s = sub.add_parser("ingest", help="ingest local files (.txt, .pdf, .html) with the ingest flow")
    s.add_argument("paths", nargs="+", help="files, directories or globs")
    s.add_argument(
        "--force",
        action="store_true",
        help="read and re-parse every file, even unchanged ones already loaded",
    )
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("nightly", help="crawl configured sources incrementally (the nightly flow)")
    s.add_argument("--source", action="append", help="source id (repeat for several; default: all)")
    s.set_defaults(func=cmd_nightly)

    s = sub.add_parser(
        "backfill", help="fetch a source over a date range or chosen issues (the backfill flow)"
    )
    s.add_argument("--source", default="all", help="source id or 'all'")
    s.add_argument("--start", type=_date, default=None, help="first publication date (inclusive)")
    s.add_argument(
        "--end", type=_date, default=None, help="publication date to stop before (exclusive)"
    )
    s.add_argument(
        "--issue", action="append", help="gazette issue URL, label or local file (repeatable)"
    )
    s.set_defaults(func=cmd_backfill)

    s = sub.add_parser("sites", help="list the configured sources")
    s.set_defaults(func=cmd_sites)

    s = sub.add_parser("reprocess", help="re-derive everything from the raw layer, no network")
    s.add_argument("--source", default="all")
    s.add_argument("--start", type=_date, default=None, help="first fetch date (inclusive)")
    s.add_argument("--end", type=_date, default=None, help="last fetch date (exclusive)")
    s.add_argument("--quarantined", action="store_true", help="retry only quarantined inputs")
    s.set_defaults(func=cmd_reprocess)

    s = sub.add_parser("sql", help="run a query and print the result as a table")
    s.add_argument("query")
    s.add_argument("--max-rows", type=int, default=50)
    s.set_defaults(func=cmd_sql)

    s = sub.add_parser("summary", help="documents and facts per input")
    s.set_defaults(func=cmd_summary)

    s = sub.add_parser("quarantine", help="list inputs that could not be parsed, with the reason")
    s.add_argument("--all", action="store_true", help="include resolved entries")
    s.set_defaults(func=cmd_quarantine)

    s = sub.add_parser("report", help="write an HTML page with charts of issuance over time")
    s.add_argument("--out", default="report", help="output directory (default: report/)")
    s.set_defaults(func=cmd_report)

    s = sub.add_parser("export", help="export the warehouse as Parquet files partitioned by year")
    s.add_argument("--out", default="export", help="output directory (default: export/)")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("eval", help="score extraction of SOURCE_FILE against GOLD.json")
    s.add_argument("gold")
    s.add_argument("source")
    s.set_defaults(func=cmd_eval)
    return p


def main(argv: list[str] | None = None) -> int:
    # No telemetry calls to the internet from the ephemeral Prefect server this command starts.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    args = build_parser().parse_args(argv)
    args.db = getattr(args, "db", None)
    # --db may be given before or after the sub-command; both end up here.
    if args.db:
        os.environ["GAZETTE_DB"] = args.db
    from duckdb import Error as DuckDBError

    from flows.stream import ParsePoolBroken
    from sources.definitions import SiteDefinitionError
    from transforms.model import ParseError
    from warehouse.db import WarehouseBusy, WarehouseInvalidated

    try:
        return args.func(args)
    except (
        WarehouseBusy,
        FileNotFoundError,
        ParseError,
        DuckDBError,
        ValueError,
        SiteDefinitionError,
        ParsePoolBroken,
        WarehouseInvalidated,
    ) as exc:
        print(f"gazette {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
