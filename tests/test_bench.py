"""The benchmark at a tiny N: the corpus varies the seeds, the table has every column, and a
second run over the same corpus loads nothing. No timing is asserted (machines differ)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SEEDS

sys.path.insert(0, str(ROOT))  # bench/ is a tool beside the packages, not an installed package

from bench.baseline import BaselineResult, scan_text  # noqa: E402
from bench.corpus import make_issue, seed_issues  # noqa: E402
from bench.run import COLUMNS, Row, linearity  # noqa: E402
from transforms.gazette import parse_gazette_text  # noqa: E402


def test_synthetic_issues_differ_but_parse_like_their_seed() -> None:
    seeds = seed_issues(SEEDS)
    assert [p.name for p in seeds] == [
        "liangshan_gazette_2020-04.txt",
        "panzhihua_gazette_2018-12.txt",
    ]
    liangshan = seeds[0]
    a, b = make_issue(liangshan, 0), make_issue(liangshan, 1)
    assert a != b
    pa, pb = parse_gazette_text(a), parse_gazette_text(b)
    assert pa.documents.height == pb.documents.height == 11
    # Year shifted by -k, serial offset by 100 per 30 variants; the TOC and the header agree.
    assert "凉府办发〔2020〕105号" in pa.documents["doc_number"].to_list()
    assert "凉府办发〔2019〕105号" in pb.documents["doc_number"].to_list()
    assert pb.issue is not None and pb.issue.published == "2019年4月"
    assert pa.appointments.height == pb.appointments.height == 32


def test_baseline_finds_numbers_and_appointments() -> None:
    out = BaselineResult()
    scan_text(
        "凉府办发〔2020〕5号\n任命张三为州财政局局长。\n2020年2月3日\n(责任单位:州财政局)", out
    )
    assert (out.numbers, out.appointments, out.dates, out.duty_lines) == (1, 1, 1, 1)


def test_bench_prints_every_column_and_rerun_loads_nothing(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--n", "5", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    lines = run.stdout.splitlines()
    head = lines[0].split()
    assert head == [name for name, _ in COLUMNS]
    row = dict(zip(head, lines[1].split(), strict=True))
    assert row["N"] == "5"
    assert row["docs"] == "49"  # 3 Liangshan issues x 11 documents + 2 Panzhihua x 8
    assert row["rerun_new"] == "0"
    assert float(row["MB"]) > 0.4
    assert len(list((tmp_path / "v1-5").glob("*.txt"))) == 5  # the corpus is cached on disk


def test_load_profile_names_the_statements_that_load_the_corpus(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.profile", "--n", "5", "--load", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    out = run.stdout
    assert out.startswith("5 issues, ")
    calls = {
        " ".join(line.split()[:-2]): int(line.split()[-2])
        for line in out.splitlines()
        if line.startswith(("INSERT INTO", "COMMIT"))
    }
    # one chunk: one stage commit + one load commit; every fact table loaded once
    assert calls["INSERT INTO fact_document"] == 1
    assert calls["INSERT INTO fact_task_assignment"] == 1
    assert calls["INSERT INTO raw_blob"] == 1
    assert calls["COMMIT"] >= 2


def test_linearity_compares_time_per_issue_and_its_ratio_to_the_baseline() -> None:
    def row(n: int, total: float, base: float) -> Row:
        return Row(n, n / 10, n * 8, 0, 0, 0, total, 500, 0, 0, base, n / 10)

    # 10x the issues in 12x the time, while the baseline (the machine) slowed by 1.2x as well
    assert linearity(row(1000, 10.0, 5.0), row(10000, 120.0, 60.0)) == (
        "time per issue at N=10000 is 1.20x that at N=1000 (1.00x relative to the baseline)"
    )
