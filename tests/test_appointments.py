"""Appointments (任命/免去) read from personnel documents of the seeds and from generic forms.

Expected rows were read by hand from ../shared/seeds: the Liangshan personnel document
``1—2月人事任免`` (25 任命 + 7 免去) and the damaged two-column Panzhihua notice.
"""

from __future__ import annotations

import json
import re

import polars as pl
import pytest
from bs4 import BeautifulSoup
from conftest import GOLD, SAMPLES, SEEDS

from transforms.appointments import extract_appointments
from transforms.facts import extract_facts
from transforms.model import APPOINTMENT_SCHEMA, CITATION_SCHEMA, TASK_SCHEMA


def _lines(name: str, start: int, end: int | None = None) -> str:
    """Lines ``start``..``end`` (1-based, inclusive) of a seed file."""
    lines = (SEEDS / name).read_text(encoding="utf-8").split("\n")
    return "\n".join(lines[start - 1 : end])


@pytest.fixture(scope="module")
def personnel() -> str:
    """The body of 1—2月人事任免 (Liangshan gazette 2020-04, from its heading to the end)."""
    return _lines("liangshan_gazette_2020-04.txt", 699)


def _key(r: dict) -> tuple:
    return (r["action"], r["person"], r["position"], r["qualifier"])


def test_liangshan_personnel_document_counts(personnel: str) -> None:
    rows = extract_appointments(personnel)
    assert len(rows) == 32
    assert sum(r["action"] == "任命" for r in rows) == 25
    assert sum(r["action"] == "免去" for r in rows) == 7


def test_liangshan_personnel_exact_rows(personnel: str) -> None:
    rows = {_key(r) for r in extract_appointments(personnel)}
    assert ("任命", "郝东焰", "州公务员局局长", "兼") in rows
    assert ("任命", "韩琼", "州以工代赈办公室主任", "试用期一年") in rows
    # broken over two lines in the PDF text: "(试用" / "期一年);"
    assert ("任命", "王启萍", "州第二人民医院副院长", "试用期一年") in rows
    assert ("任命", "马锦华", "越西中学副校长", "主持日常工作") in rows
    assert ("任命", "成国志", "西昌民族幼儿师范高等专科学校副校长", "挂职一年") in rows
    # a bracket that belongs to the post stays in it; the qualifier is popped
    assert (
        "任命",
        "马娅群",
        "西昌民族幼儿师范高等专科学校教师发展处(教师培训中心)处长(主任)",
        "试用期一年",
    ) in rows
    assert ("任命", "侯中太", "西昌民族幼儿师范高等专科学校教务处处长", None) in rows
    assert ("免去", "兰涛", "州政府督学", None) in rows
    assert ("免去", "彭俊", "州卫生健康委员会副主任", None) in rows
    assert all("试用" not in r[2] and r[2][-1] != "兼" for r in rows)


def test_joined_lines_give_the_same_rows(personnel: str) -> None:
    """The cleaner may or may not join broken lines: both give the same rows."""
    joined = personnel.replace("(试用\n\n期一年)", "(试用期一年)").replace("\n\n", "\n")
    assert {_key(r) for r in extract_appointments(joined)} == {
        _key(r) for r in extract_appointments(personnel)
    }


def test_liangshan_rows_match_gold(personnel: str) -> None:
    gold = json.loads((GOLD / "liangshan_gazette_2020-04.json").read_text(encoding="utf-8"))
    want = {_key(r) for r in gold["appointments"]}
    got = {_key(r) for r in extract_appointments(personnel)}
    assert got == want


def test_committee_membership_is_not_an_appointment() -> None:
    # 关于成立健康凉山行动推进委员会的通知: 主任/副主任/委员 lists, names spaced "廖 虎"
    body = _lines("liangshan_gazette_2020-04.txt", 261, 340)
    assert extract_appointments(body) == []
    html = (SAMPLES / "govcn" / "row54_guobanfa_2018_109.html").read_text(encoding="utf-8")
    assert extract_appointments(BeautifulSoup(html, "lxml").get_text("\n")) == []


def test_panzhihua_damaged_two_column_notice() -> None:
    body = _lines("panzhihua_gazette_2018-12.txt", 895)
    assert extract_appointments(body) == [
        {
            "action": "免去",
            "person": "卢海滨",
            "position": "攀枝花市住房和城乡建设局副局长",
            "qualifier": None,
        }
    ]
    repaired = "各县(区)人民政府:\n经研究决定:\n免去卢海滨的攀枝花市住房和城乡建设局副局长职务。"
    assert [_key(r) for r in extract_appointments(repaired)] == [
        ("免去", "卢海滨", "攀枝花市住房和城乡建设局副局长", None)
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "任命张三为市财政局局长、党组书记；免去李四的市交通局副局长职务。",
            [
                ("任命", "张三", "市财政局局长", None),
                ("任命", "张三", "党组书记", None),
                ("免去", "李四", "市交通局副局长", None),
            ],
        ),
        (
            "决定：王五同志任市发展改革委主任，免去其市统计局局长职务；赵六同志任市统计局局长（试用期一年）。",
            [
                ("任命", "王五", "市发展改革委主任", None),
                ("免去", "王五", "市统计局局长", None),
                ("任命", "赵六", "市统计局局长", "试用期一年"),
            ],
        ),
        ("经研究，决定：\n张三任市财政局局长；", [("任命", "张三", "市财政局局长", None)]),
        ("免去李四市财政局局长职务。", [("免去", "李四", "市财政局局长", None)]),
        ("免去王小强市财政局局长职务。", [("免去", "王小强", "市财政局局长", None)]),
        (
            "任命张三、李 四同志为市财政局副局长。",
            [("任命", "张三", "市财政局副局长", None), ("任命", "李四", "市财政局副局长", None)],
        ),
        (
            "任命:\n阿牛·木呷为市民族宗教局局长;\n王强同志任市商务局副局长,主持日常工作。",
            [
                ("任命", "阿牛·木呷", "市民族宗教局局长", None),
                ("任命", "王强", "市商务局副局长", "主持日常工作"),
            ],
        ),
        ("聘任张三为市政府参事。", []),
        ("提名李四为市长候选人。", []),
        ("成立领导小组\n组长:杨 卉 州政府副州长\n成员:李四 州教育局局长", []),
    ],
)
def test_generic_forms(body: str, expected: list[tuple]) -> None:
    assert [_key(r) for r in extract_appointments(body)] == expected


def test_extract_facts_frames_and_schemas(personnel: str) -> None:
    docs = pl.DataFrame(
        {
            "seq": [0, 1, 2],
            "title": ["1—2月人事任免", "空", "无正文"],
            "doc_number": [None, "凉府办发〔2020〕5号", None],
            "body": [personnel, "根据凉府办发〔2020〕5号文件。", None],
        }
    )
    appointments, citations, tasks = extract_facts(docs)
    assert appointments.schema == pl.Schema(APPOINTMENT_SCHEMA)
    assert citations.schema == pl.Schema(CITATION_SCHEMA)
    assert tasks.schema == pl.Schema(TASK_SCHEMA)
    assert appointments.height == 32 and set(appointments["seq"]) == {0}
    assert citations.filter(pl.col("seq") == 0)["cited_doc_number"].to_list() == [
        "凉府人〔2020〕1号",
        "凉府人〔2020〕3号",
        "凉府人〔2020〕4号",
    ]
    assert citations.filter(pl.col("seq") == 1).height == 0  # its own number
    assert tasks.height == 0
    empty = extract_facts(docs.head(0))
    assert [f.height for f in empty] == [0, 0, 0]


_REFERENCE_CUE = re.compile(r"任命|免去|任免|免职|同志任|决定")  # the cue as one alternation


def _cue_samples() -> list[str]:
    """Every line and every 500-character stretch of the seeds and held-out issues, and edges."""
    out = ["", "任", "免", "同志", "决", "任务", "免费", "同志们任", "决策", "x任命", "免职y"]
    out += ["同志任", "任免", "决定", "免去", "任\n命", "任 命"]
    for path in sorted(SEEDS.glob("*.txt")) + sorted((GOLD / "heldout").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out += text.split("\n") + [text[i : i + 500] for i in range(0, len(text), 500)]
    return out


def test_appointment_cue_agrees_with_the_single_alternation() -> None:
    from transforms.appointments import _has_cue

    samples = _cue_samples()
    assert sum(bool(_REFERENCE_CUE.search(s)) for s in samples) > 20  # both kinds occur
    for s in samples:
        assert _has_cue(s) == bool(_REFERENCE_CUE.search(s)), s
