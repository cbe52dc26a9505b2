"""The engine every flow runs (flows/stream.py): parse groups, prepared frames, pool settings.

The parse processes prepare their group's frames (warehouse/frames.py); the loader combines the
groups of a batch. However a batch is cut into groups, the frames it loads must be the ones the
whole batch would give.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import polars as pl
import pytest
from conftest import ROOT, SEEDS

from flows.parse import RawRef, parse_group, parse_one
from flows.stream import memory_limit_mb, parse_workers
from sources.local import read_file
from warehouse.frames import FRAME_NAMES, LoadInput, combine_frames, only_input, prepare_frames

HELDOUT = ROOT / "tests" / "gold" / "heldout"


def _jobs(paths):
    out = []
    for i, p in enumerate(paths):
        it = read_file(p)
        out.append((RawRef(f"r{i}", "local", it.uri, it.kind, it.sha256, None), it.content))
    return out


@pytest.fixture(scope="module")
def parsed():
    paths = sorted(SEEDS.glob("*.txt")) + sorted(HELDOUT.glob("*.txt"))
    outcomes = [parse_one(r, c) for r, c in _jobs(paths)]
    assert all(o.ok for o in outcomes)
    return [
        (LoadInput(o.ref.raw_id, o.ref.source_id, o.ref.uri, o.ref.sha256, o.keys), o.parsed)
        for o in outcomes
    ]


def test_groups_combined_give_the_frames_of_the_whole_batch(parsed):
    whole = prepare_frames(parsed)
    for size in (1, 2, 4):
        groups = [prepare_frames(parsed[i : i + size]) for i in range(0, len(parsed), size)]
        combined = combine_frames(groups)
        for name in FRAME_NAMES:
            assert combined[name].equals(whole[name]), (size, name)
    # what the nine issues hold: 11 + 8 + 1 documents in the seeds, task units numbered per
    # document from 0, tasks once each
    assert whole["docs"].height == sum(p.documents.height for _, p in parsed)
    assert whole["assign"].height == sum(p.tasks.height for _, p in parsed)
    firsts = whole["assign"].group_by("document_id").agg(pl.col("ordinal").min(), pl.len())
    assert firsts["ordinal"].to_list() == [0] * firsts.height
    assert whole["task"].height == whole["task"].unique(["document_id", "task_ordinal"]).height


def test_only_input_holds_the_rows_of_one_input(parsed):
    frames = prepare_frames(parsed)
    panzhihua = next(i for i, (inp, _) in enumerate(parsed) if "panzhihua" in inp.uri)
    rid = parsed[panzhihua][0].raw_id
    one = only_input(frames, rid)
    assert one["docs"].height == 8 and one["inputs"]["raw_id"].to_list() == [rid]
    assert one["assign"].height == parsed[panzhihua][1].tasks.height == 830
    assert one["issues"]["gazette"].to_list() == ["攀枝花市人民政府公报"]


def test_a_parse_group_sends_counts_and_frames_not_each_inputs_frames(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    group = parse_group(_jobs([SEEDS / "liangshan_gazette_2020-04.txt", empty]))
    good, bad = group.outcomes
    assert good.ok and good.parsed is None and good.keys is None and good.documents == 11
    assert not bad.ok and bad.stage == "parse" and "empty" in bad.error
    assert group.frames["docs"].height == 11
    assert set(group.frames["docs"]["raw_id"]) == {good.ref.raw_id}


def test_pool_and_memory_settings_from_the_environment(monkeypatch):
    monkeypatch.delenv("GAZETTE_PARSE_WORKERS", raising=False)
    assert parse_workers(3) == 0  # a handful of inputs: no pool
    assert parse_workers(500) >= 1
    assert parse_workers(500, workers=0) == 0
    monkeypatch.setenv("GAZETTE_PARSE_WORKERS", "3")
    assert parse_workers(2) == 3
    monkeypatch.setenv("GAZETTE_PARSE_WORKERS", "many")
    with pytest.raises(ValueError, match="GAZETTE_PARSE_WORKERS='many'"):
        parse_workers(10)
    monkeypatch.delenv("GAZETTE_DB_MEMORY_MB", raising=False)
    assert memory_limit_mb() == 320
    monkeypatch.setenv("GAZETTE_DB_MEMORY_MB", "0")
    assert memory_limit_mb() is None
    monkeypatch.setenv("GAZETTE_DB_MEMORY_MB", "1g")
    with pytest.raises(ValueError, match="GAZETTE_DB_MEMORY_MB"):
        memory_limit_mb()


def test_a_script_without_a_main_guard_gets_a_clear_message(tmp_path):
    """Spawned parse processes import the main module again: a script that starts an ingest
    at import time cannot start its pool, and must be told what to do."""
    script = tmp_path / "ingest_it.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from flows.steps import ingest_files
            ingest_files({str(tmp_path / "w.duckdb")!r}, [{str(SEEDS)!r}], workers=2)
            """
        ),
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("flows.stream.ParsePoolBroken: a parse process died")
    assert 'if __name__ == "__main__":' in last and "GAZETTE_PARSE_WORKERS=0" in last
