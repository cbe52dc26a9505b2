"""Scoring against gold labels, on tiny literal frames shaped like the warehouse views."""

from __future__ import annotations

import datetime as dt

import polars as pl

from transforms.evaluate import evaluate, format_report, match_documents

GOLD = {
    "source": "x.txt",
    "documents": [
        {
            "title": "甲市人民政府关于A的通知",
            "doc_number": "甲府发〔2020〕1号",
            "issuers": ["甲市人民政府"],
            "signed_date": "2020-01-02",
            "genre": "通知",
            "section": "本级文件",
        },
        {
            "title": "张三市长在会议上的讲话",
            "doc_number": None,
            "issuers": [],
            "signed_date": "2020-01-31",
            "genre": "讲话",
            "section": "领导讲话",
        },
        {
            "title": "1—2月人事任免",
            "doc_number": None,
            "issuers": [],
            "signed_date": None,
            "genre": "任免",
            "section": "人事任免",
        },
    ],
    "appointments": [
        {
            "doc": "1—2月人事任免",
            "action": "任命",
            "person": "李四",
            "position": "市财政局局长",
            "qualifier": None,
        },
        {
            "doc": "1—2月人事任免",
            "action": "免去",
            "person": "王五",
            "position": "市财政局局长",
            "qualifier": None,
        },
    ],
    "citations": [{"doc": "甲府发〔2020〕1号", "cited_doc_number": "国发〔2019〕13号"}],
    "task_assignments": [
        {"doc": "甲府发〔2020〕1号", "task_no": 1, "task": "任务", "unit": "市财政局"}
    ],
}

DOCS = pl.DataFrame(
    {
        "document_id": ["d1", "d2", "d3", "d4"],
        "title": ["甲市人民政府关于A的通知", "张三市长在会议上的讲话", "1—2月人事任免", "附件"],
        "doc_number": ["甲府发[2020]1 号", None, None, None],
        "issuers": [["甲市人民政府"], [], ["甲市人民政府"], []],
        "signed_date": [dt.date(2020, 1, 2), dt.date(2020, 1, 30), None, None],
        "genre": ["通知", "讲话", "任免", "其他"],
        "section": ["本级文件", "领导讲话", "人事任免", None],
    }
)
APPOINTMENTS = pl.DataFrame(
    {
        "document_id": ["d3", "d3"],
        "action": ["任命", "任命"],
        "person": ["李四", "王五"],
        "position": ["市财政局局长", "市财政局局长"],
        "qualifier": [None, None],
    }
)
CITATIONS = pl.DataFrame({"document_id": ["d1"], "cited_doc_number": ["国发（2019）13号"]})
TASKS = pl.DataFrame(
    {
        "document_id": ["d1", "d1"],
        "task_no": [1, 2],
        "task": ["任务", "别的"],
        "unit": ["市财政局", "市财政局"],
    }
)


def test_matching_by_number_then_title():
    pairs = match_documents(GOLD["documents"], DOCS.to_dicts())
    assert pairs == [(0, 0), (1, 1), (2, 2)]
    # Two numbered documents with different numbers never match on title.
    assert (
        match_documents(
            [{"title": "T", "doc_number": "甲府发〔2020〕1号"}],
            [{"title": "T", "doc_number": "甲府发〔2020〕2号"}],
        )
        == []
    )


def test_scores():
    report = evaluate(GOLD, DOCS, APPOINTMENTS, CITATIONS, TASKS)
    split = report["split"]
    assert (split["tp"], split["predicted"], split["gold"]) == (3, 4, 3)
    assert split["precision"] == 0.75 and split["recall"] == 1.0
    assert abs(split["f1"] - 6 / 7) < 1e-9
    fields = report["fields"]
    assert fields["doc_number"]["accuracy"] == 1.0  # 甲府发[2020]1 号 normalises
    assert abs(fields["signed_date"]["accuracy"] - 2 / 3) < 1e-9
    assert abs(fields["issuers"]["accuracy"] - 2 / 3) < 1e-9
    assert fields["title"]["accuracy"] == 1.0
    facts = report["facts"]
    assert facts["appointments"]["tp"] == 1 and facts["appointments"]["f1"] == 0.5
    assert facts["citations"]["f1"] == 1.0
    assert (
        facts["task_assignments"]["precision"] == 0.5 and facts["task_assignments"]["recall"] == 1.0
    )
    text = format_report(report)
    assert "split       P 0.750  R 1.000  F1 0.857" in text
    assert "spurious: 附件" in text


def test_empty_predictions():
    empty = pl.DataFrame(schema={"document_id": pl.Utf8, "title": pl.Utf8, "doc_number": pl.Utf8})
    report = evaluate(GOLD, empty, None, None, None)
    assert report["split"]["recall"] == 0.0 and report["split"]["f1"] == 0.0
    assert report["facts"]["citations"]["recall"] == 0.0
