"""Task tables (style e) in transforms/tasks.py against the row loop they replaced (the
reference below), on the seeds, the held-out issues and edge cases."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import SEEDS

from transforms import tasks
from transforms.dates import cn_to_int
from transforms.tasks import TaskRow, _clean_task, rules, split_units

HELDOUT = Path(__file__).resolve().parent / "gold" / "heldout"
TEXTS = sorted(SEEDS.glob("*.txt")) + sorted(HELDOUT.glob("*.txt"))


def _reference_table_rows(lines: list[str]) -> list[TaskRow]:
    """_table_rows as it was: a header dict for every row (with the later fix for a row that
    stops before the number column, which raised IndexError)."""
    r = rules()
    cols: dict[str, int] | None = None
    rows: list[TaskRow] = []
    for line in lines:
        cells = [c.strip() for c in line.split("\t")]
        header = {c.replace(" ", ""): i for i, c in enumerate(cells)}
        unit_col = next((h for h in r["table_unit_header"] if h in header), None)
        if unit_col:
            cols = {
                "unit": header[unit_col],
                "no": next((header[h] for h in r["table_no_header"] if h in header), -1),
                "task": next((header[h] for h in r["table_task_header"] if h in header), -1),
            }
            role = unit_col
            continue
        if cols is None or len(cells) <= cols["unit"]:
            continue
        no_cell = cells[cols["no"]] if 0 <= cols["no"] < len(cells) else ""
        no = cn_to_int(no_cell) if no_cell else None
        task = cells[cols["task"]] if 0 <= cols["task"] < len(cells) else ""
        for unit in split_units(cells[cols["unit"]]):
            rows.append((no, _clean_task(task), unit, role))
    return rows


EDGES = [
    ["序号\t工作任务\t责任单位", "1\t做好 甲\t市财政局、市税务局", "2\t乙\t", "3"],
    ["序 号\t重点 任务\t责 任 单 位", "一\t 丙 \t市商务局", "二\t丁\t等有关部门"],
    ["编号\t任务\t牵头单位\t责任单位", "1\t甲\t市委\t市府", "\t\t\t"],
    ["任务\t\u3000责任主体\u3000", "甲\t各县（市）人民政府"],
    ["责任单位 说明\t任务", "1\t甲"],  # not a header: no cell is a unit header
    ["甲\t市财政局", "序号\t责任部门", "2\t市财政局,市税务局", "任务\t牵头部门", "乙\t市委"],
]


def _tab_lines(text: str) -> list[str]:
    return [ln for ln in text.split("\n") if "\t" in ln]


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_table_rows_match_the_reference(path: Path) -> None:
    lines = _tab_lines(path.read_text(encoding="utf-8"))
    assert tasks._table_rows(lines) == _reference_table_rows(lines)


def test_table_rows_match_the_reference_on_edge_cases() -> None:
    r = rules()
    words = [*r["table_unit_header"], *r["table_no_header"], *r["table_task_header"]]
    pieces = [*words, "责 任单位", "市财政局、市税务局", "一", "12", " ", "\u3000", "甲"]
    rng = random.Random(2)
    tables = list(EDGES)
    for _ in range(300):
        tables.append(
            [
                "\t".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
                for _ in range(rng.randint(1, 6))
            ]
        )
    for lines in tables:
        assert tasks._table_rows(lines) == _reference_table_rows(lines), lines


def test_a_row_that_stops_before_the_number_column_has_no_number() -> None:
    """序号 printed after 责任单位: a row holding only the task and its units (a cell the PDF
    dropped) raised IndexError, and the whole issue was quarantined."""
    lines = ["工作任务\t责任单位\t序号", "做好甲\t市财政局、市税务局", "做好乙\t市商务局\t2"]
    assert tasks._table_rows(lines) == [
        (None, "做好甲", "市财政局", "责任单位"),
        (None, "做好甲", "市税务局", "责任单位"),
        (2, "做好乙", "市商务局", "责任单位"),
    ]
