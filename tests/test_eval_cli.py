"""The evaluation the lead runs: ``gazette eval GOLD SOURCE`` end to end, and the targets on
every seed.

One seed goes through the real command (a subprocess running the ingest flow's engine, no
Prefect start-up) and its printed figures are read back. Every seed then goes through the same
``evaluate()`` in-process, loaded with ``flows.steps.ingest_files`` (no Prefect, fast) into a
scratch warehouse, and must reach the project's targets.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOLD, SEEDS

from transforms.evaluate import evaluate

ROOT = Path(__file__).resolve().parents[1]
SEED_FILES = {
    "liangshan_gazette_2020-04.json": "liangshan_gazette_2020-04.txt",
    "panzhihua_gazette_2018-12.json": "panzhihua_gazette_2018-12.txt",
    "liangshan_web_2020-06-19.json": "liangshan_web_2020-06-19.txt",
}
HEADER_TARGETS = ("doc_number", "signed_date", "title", "issuers")


def _cli() -> list[str]:
    exe = ROOT / ".venv" / "bin" / "gazette"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "flows.cli"]


def test_gazette_eval_command_prints_the_scores_of_the_panzhihua_issue() -> None:
    out = subprocess.run(
        [
            *_cli(),
            "eval",
            str(GOLD / "panzhihua_gazette_2018-12.json"),
            str(SEEDS / "panzhihua_gazette_2018-12.txt"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    text = out.stdout
    assert "source: panzhihua_gazette_2018-12.txt" in text
    # 8 documents: 4 上级文件, 3 本级文件, 1 人事任免
    assert "split       P 1.000  R 1.000  F1 1.000  (8 matched / 8 predicted / 8 gold)" in text
    for field in ("title", "doc_number", "issuers", "signed_date", "genre", "section"):
        assert re.search(rf"^  {field}\s+1\.000  \(8/8\)$", text, re.M), field
    # 卢海滨 removed (攀府人〔2018〕10号): one appointment row.
    assert re.search(r"appointments\s+P 1\.000  R 1\.000  F1 1\.000  \(1 / 1 predicted", text)
    tasks = re.search(r"task_assignments\s+P ([\d.]+)  R ([\d.]+)  F1 ([\d.]+)  \((\d+) /", text)
    assert tasks and float(tasks[3]) >= 0.97
    assert "missed:" not in text and "spurious:" not in text


def _scores(gold_name: str, tmp_path: Path) -> dict:
    from flows.steps import ingest_files
    from warehouse.db import connect, frame

    db = tmp_path / "eval.duckdb"
    ingest_files(db, [SEEDS / SEED_FILES[gold_name]], force=True)
    with connect(db, read_only=True) as con:  # each SELECT consumed before the next
        frames = [
            frame(con, f"SELECT * FROM {view}")
            for view in ("documents", "appointments", "citations", "task_assignments")
        ]
    gold = json.loads((GOLD / gold_name).read_text(encoding="utf-8"))
    return evaluate(gold, *frames)


@pytest.mark.parametrize("gold_name", sorted(SEED_FILES))
def test_every_seed_reaches_the_targets(gold_name: str, tmp_path: Path) -> None:
    report = _scores(gold_name, tmp_path)
    assert report["split"]["f1"] >= 0.98, report["unmatched_gold"]
    for field in HEADER_TARGETS:
        assert report["fields"][field]["accuracy"] >= 0.97, (field, report["mismatches"])
    assert report["facts"]["appointments"]["f1"] >= 0.95
    assert report["facts"]["task_assignments"]["f1"] >= 0.97


def test_panzhihua_tasks_cover_every_document_that_assigns_work(tmp_path: Path) -> None:
    gold = json.loads((GOLD / "panzhihua_gazette_2018-12.json").read_text(encoding="utf-8"))
    docs = {t["doc"] for t in gold["task_assignments"]}
    # Bracket styles in 川府发/川办发 (（省发展改革委、省财政厅负责）) and 〔责任单位：…〕 in 攀办发.
    assert docs == {
        "川府发〔2018〕42号",
        "川办发〔2018〕85号",
        "川办发〔2018〕86号",
        "川办发〔2018〕87号",
        "攀府发〔2018〕18号",
        "攀办发〔2018〕144号",
        "攀办发〔2018〕145号",
    }
    report = _scores("panzhihua_gazette_2018-12.json", tmp_path)
    assert report["facts"]["task_assignments"]["gold"] == len(gold["task_assignments"])
    assert report["facts"]["task_assignments"]["f1"] >= 0.97
