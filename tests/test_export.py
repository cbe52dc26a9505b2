"""Parquet export: facts partitioned by year, dimensions whole; read back, the counts match."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.steps import load_outcomes, parse_one, stage_items
from sources.local import read_file
from warehouse.db import connect
from warehouse.export import DIMENSIONS, FACTS, export_parquet
from warehouse.issuers import refresh_issuers

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[Path]]:
    tmp = tmp_path_factory.mktemp("export")
    db = tmp / "warehouse.duckdb"
    items = [read_file(p) for p in sorted(SEEDS.glob("*.txt"))]
    with connect(db) as con:
        refs = stage_items(con, items)
        load_outcomes(con, [parse_one(r, it.content) for r, it in zip(refs, items, strict=True)])
        refresh_issuers(con)
        files = export_parquet(con, tmp / "parquet")
    return db, tmp / "parquet", files


def test_counts_match_when_read_back(exported: tuple[Path, Path, list[Path]]) -> None:
    db, out, _ = exported
    reader = duckdb.connect()
    with connect(db, read_only=True) as con:
        for table in FACTS:
            n = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            if n == 0:
                assert not (out / table).exists() or not list((out / table).rglob("*.parquet"))
                continue
            back = reader.execute(
                f"SELECT count(*) FROM read_parquet('{out / table}/**/*.parquet', hive_partitioning = true)"
            ).fetchone()[0]
            assert back == n, table
        for table in DIMENSIONS:
            n = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            assert (
                reader.execute(f"SELECT count(*) FROM '{out / table}.parquet'").fetchone()[0] == n
            ), table


def test_facts_are_partitioned_by_document_year(exported: tuple[Path, Path, list[Path]]) -> None:
    _, out, files = exported
    years = sorted({p.parent.name for p in (out / "fact_document").rglob("*.parquet")})
    assert "year=2018" in years and "year=2020" in years  # Panzhihua 2018, Liangshan 2020
    reader = duckdb.connect()
    n_2018 = reader.execute(
        f"SELECT count(*) FROM read_parquet('{out}/fact_document/year=2018/*.parquet')"
    ).fetchone()[0]
    numbers = reader.execute(
        f"SELECT doc_number FROM read_parquet('{out}/fact_document/**/*.parquet', hive_partitioning = true) WHERE year = 2018"
    ).fetchall()
    assert n_2018 == len(numbers) and ("攀府发〔2018〕18号",) in numbers
    assert all(p.suffix == ".parquet" and p.exists() for p in files)
    assert (out / "dim_issuer.parquet") in files


def test_export_twice_replaces(exported: tuple[Path, Path, list[Path]]) -> None:
    db, out, files = exported
    with connect(db, read_only=True) as con:
        again = export_parquet(con, out)
    assert len(again) == len(files)
