"""The `gazette` command's expected failures: one line naming the file, source or field, exit 2,
no traceback; and the read-only commands on a small warehouse (no Prefect needed)."""

from __future__ import annotations

import pytest
from conftest import SEEDS

from flows.cli import main
from flows.steps import ingest_files


def test_missing_file_is_named_without_traceback(capsys, tmp_path):
    assert main(["ingest", str(tmp_path / "nope.txt"), "--db", str(tmp_path / "w.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"gazette ingest: error: {tmp_path / 'nope.txt'}: no such file"


def test_unknown_source_and_empty_range(capsys):
    assert main(["backfill", "--source", "nowhere"]) == 2
    assert "unknown source(s) ['nowhere']; defined: [" in capsys.readouterr().err
    assert (
        main(["backfill", "--source", "liangshan", "--start", "2020-02-01", "--end", "2020-01-01"])
        == 2
    )
    assert "backfill range is empty" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["backfill", "--start", "2020-13-01"])
    assert "not a date (YYYY-MM-DD): '2020-13-01'" in capsys.readouterr().err


def test_sql_summary_and_quarantine_on_a_loaded_warehouse(capsys, tmp_path):
    db = tmp_path / "w.duckdb"
    (tmp_path / "empty.txt").write_bytes(b"")
    ingest_files(db, [SEEDS / "liangshan_web_2020-06-19.txt", tmp_path / "empty.txt"])
    assert main(["sql", "SELECT doc_number, signed_date FROM documents", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "凉府办发〔2020〕20号" in out and "2020-06-16" in out
    assert main(["summary", "--db", str(db)]) == 0
    assert "479" in capsys.readouterr().out  # task assignments of the page
    assert main(["quarantine", "--db", str(db)]) == 0
    assert "empty.txt: empty input" in capsys.readouterr().out
    assert main(["sql", "SELECT * FROM no_such_table", "--db", str(db)]) == 2
    assert "no_such_table" in capsys.readouterr().err
    assert main(["sql", "SELECT 1", "--db", str(tmp_path / "absent.duckdb")]) == 2
    assert "does not exist yet" in capsys.readouterr().err
