"""A red-header single-document PDF -> one document.

No CJK font is installed on the build machine (``fc-list :lang=zh`` is empty), so the first tests
give the parser the text such a PDF yields (masthead with spaced-out issuer names, the number,
the title over two lines, ``— 1 —`` page footers, joint signatures and the date), built from the
body of a real page, govcn row19 (国办发〔1996〕25号); the last one builds a real PDF whose text
layer needs no font file and runs it through ``transforms.dispatch.parse_input``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from pdfmaker import make_pdf

from transforms.model import ParseError
from transforms.portal import parse_portal_html, parse_single_document_pdf_text

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "portal"


def _row19_paragraphs() -> list[str]:
    html = (SAMPLES / "govcn/row19_guobanfa_1996_25.html").read_text(encoding="utf-8")
    lines = parse_portal_html(html).documents["body"][0].splitlines()
    return lines[4:-2]  # after title + number, before the signature block


def _pdf_text() -> str:
    body = _row19_paragraphs()
    half = len(body) // 2
    return "\n".join(
        [
            "国 务 院 办 公 厅",
            "中 央 军 委 办 公 厅   文件",
            "",
            "国办发〔1996〕25 号",
            "国务院办公厅 中央军委办公厅关于加强对侵华日军遗弃",
            "化学武器调查和管理工作的通知",
            *body[:half],
            body[half][:24],  # a paragraph broken by the page break
            "— 1 —",
            body[half][24:],
            *body[half + 1 :],
            "国 务 院 办 公 厅　　中 央 军 委 办 公 厅",
            "1996 年 6 月 29 日",
            "— 2 —",
        ]
    )


def test_red_header_document() -> None:
    p = parse_single_document_pdf_text(_pdf_text())
    assert p.kind == "portal_page" and p.documents.height == 1
    d = p.documents.row(0, named=True)
    assert (
        d["title"]
        == "国务院办公厅、中央军委办公厅关于加强对侵华日军遗弃化学武器调查和管理工作的通知"
    )
    assert d["doc_number"] == "国办发〔1996〕25号"
    assert d["issuers"] == ["国务院办公厅", "中央军委办公厅"]
    assert d["signed_date"] == dt.date(1996, 6, 29)
    assert d["genre"] == "通知"
    body = d["body"]
    assert "— 1 —" not in body and "— 2 —" not in body
    assert body.splitlines()[0] == "国务院办公厅 中央军委办公厅关于加强对侵华日军遗弃"
    assert "三、对已发现的日军遗弃的化学武器" in body
    broken = _row19_paragraphs()[len(_row19_paragraphs()) // 2]
    if (
        importlib.util.find_spec("transforms.clean") is not None
    ):  # paragraphs rejoined by the gazette cleaner
        assert broken in body.splitlines()


def test_issuers_from_signatures_when_masthead_is_missing() -> None:
    text = "\n".join(
        [
            "交规划发〔2020〕5号",
            "关于印发综合运输服务发展规划的通知",
            "各省、自治区、直辖市交通运输厅（局、委）：",
            "现将规划印发给你们，请认真贯彻执行。",
            "- 1 -",
            "交 通 运 输 部      国 家 发 展 改 革 委",
            "2020年3月16日",
        ]
    )
    d = parse_single_document_pdf_text(text).documents.row(0, named=True)
    assert d["issuers"] == ["交通运输部", "国家发展改革委"]
    assert d["title"] == "交通运输部、国家发展改革委关于印发综合运输服务发展规划的通知"
    assert d["signed_date"] == dt.date(2020, 3, 16)
    assert d["doc_number"] == "交规划发〔2020〕5号"


def test_empty_text_is_refused() -> None:
    with pytest.raises(ParseError):
        parse_single_document_pdf_text("— 1 —\n\n")


# --- a real PDF ---------------------------------------------------------------------------------


def _red_header_pages() -> list[list[str]]:
    """Row19's document laid out as a two-page red-header PDF: spaced-out masthead of both
    issuers, number, title over two lines, body, ``— 1 —`` footers, joint signature, date."""
    body = _row19_paragraphs()
    half = len(body) // 2
    return [
        [
            "国 务 院 办 公 厅",
            "中 央 军 委 办 公 厅   文件",
            "国办发〔1996〕25号",
            "国务院办公厅 中央军委办公厅关于加强对侵华日军遗弃",
            "化学武器调查和管理工作的通知",
            *body[:half],
            "— 1 —",
        ],
        [
            *body[half:],
            "国 务 院 办 公 厅　　中 央 军 委 办 公 厅",
            "一九九六年六月二十九日",
            "— 2 —",
        ],
    ]


def test_real_red_header_pdf_through_dispatch() -> None:
    from transforms.dispatch import parse_input

    pdf = make_pdf(_red_header_pages())
    p = parse_input("gazette_pdf", uri="file:///guobanfa_1996_25.pdf", data=pdf)
    assert p.documents.height == 1
    d = p.documents.row(0, named=True)
    assert d["issuers"] == ["国务院办公厅", "中央军委办公厅"]
    assert d["doc_number"] == "国办发〔1996〕25号"
    assert d["signed_date"] == dt.date(1996, 6, 29)
    assert d["title"] == (
        "国务院办公厅、中央军委办公厅关于加强对侵华日军遗弃化学武器调查和管理工作的通知"
    )
    assert "— 1 —" not in d["body"] and "— 2 —" not in d["body"]
    assert "三、对已发现的日军遗弃的化学武器" in d["body"]
