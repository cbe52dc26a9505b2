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


def _make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal PDF whose text layer holds ``pages`` (lists of lines). No CJK font is needed:
    a Type0 font with Identity-H encoding whose codes are the Unicode code points, plus a
    ToUnicode map (the technique of tests/test_pdf.py), is all a text layer needs."""
    chars = sorted({ord(c) for page in pages for line in page for c in line})
    bf = "\n".join(f"<{c:04X}> <{c:04X}>" for c in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{bf}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode()
    kids = " ".join(f"{6 + 2 * i} 0 R" for i in range(len(pages)))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /SimSun /Flags 4 "
        b"/FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 700 /StemV 80 >> /DW 1000 >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    for page in pages:
        ops = ["BT", "/F1 12 Tf", "14 TL", "50 780 Td"]
        ops += [f"<{''.join(f'{ord(c):04X}' for c in line)}> Tj T*" for line in page]
        content = "\n".join([*ops, "ET"]).encode()
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {len(objs) + 2} 0 R >>".encode()
        )
        objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


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

    pdf = _make_pdf(_red_header_pages())
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
