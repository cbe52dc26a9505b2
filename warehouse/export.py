"""The warehouse as Parquet for other tools: facts partitioned by year, dimensions whole.

DuckDB writes the files itself (``COPY … (FORMAT parquet, PARTITION_BY (year))``), so the
export is one statement per table and needs no Python row handling. Fact rows are placed by
their document's year: the number's year, else the signing year, else the publication year
(``year=NULL`` for documents with none). Raw bytes and operational tables are not exported.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

# Fact tables and how to find the year of each row (a SQL expression over alias ``t``).
_DOC_YEAR = "coalesce(d.doc_year, year(d.signed_date), year(d.published_date))"
FACTS: dict[str, str] = {
    "fact_document": f"SELECT t.*, {_DOC_YEAR.replace('d.', 't.')} AS year FROM fact_document t",
    **{
        name: f"SELECT t.*, {_DOC_YEAR} AS year FROM {name} t LEFT JOIN fact_document d USING (document_id)"  # noqa: S608
        for name in (
            "fact_document_appearance",
            "fact_appointment",
            "fact_citation",
            "fact_task",
            "fact_task_assignment",
            "document_issuer",
            "document_issuer_canonical",
            "document_metadata",
        )
    },
}
DIMENSIONS = (
    "dim_issuer",
    "issuer_alias",
    "dim_series",
    "dim_gazette_issue",
    "dim_genre",
    "dim_source",
    "dim_date",
    "document_context",
)


def export_parquet(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[Path]:
    """Write every fact table (hive-partitioned by ``year``) and dimension under ``out_dir``.

    An existing export of a table is replaced, so a re-run does not mix old and new files.
    Returns the Parquet files written, sorted.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, query in FACTS.items():
        target = out_dir / name
        if target.exists():
            shutil.rmtree(target)
        con.execute(
            f"COPY ({query}) TO '{_sql_path(target)}' (FORMAT parquet, PARTITION_BY (year))"
        )
    for name in DIMENSIONS:
        target = out_dir / f"{name}.parquet"
        con.execute(f"COPY {name} TO '{_sql_path(target)}' (FORMAT parquet)")  # noqa: S608 - constant names
    return sorted(out_dir.rglob("*.parquet"))


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
