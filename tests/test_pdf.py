"""PDF bytes -> text with pypdfium2, on PDFs built here from seed text.

No CJK font is installed on the build machine (``fc-list :lang=zh`` is empty), so the test
PDFs are written by hand: a Type0 font with Identity-H encoding whose character codes are
Unicode code points and a ToUnicode map, which is all a text layer needs (no glyphs).
"""

from __future__ import annotations

import pytest
from pdfmaker import make_pdf  # noqa: E402

from transforms.gazette import parse_gazette_text
from transforms.model import ParseError
from transforms.pdf import pdf_to_text

# Lines of the seed liangshan_gazette_2020-04.txt (a document split over two pages).
PAGE_1 = [
    "凉山州人民政府办公室 关于成立健康凉山行动推进委员会的通知",
    "凉府办函〔2020〕11号",
    "各县(市)人民政府,州级有关部门:",
    "为深入贯彻落实《国务院关于实施健康中国行动和意见》(国发〔2019〕13号)精神,进一步推进健康凉山建设,州政府决定成立",
]
PAGE_2 = ["健康凉山行动推进委员会。", "凉山州人民政府办公室", "2020年2月20日"]


def test_cjk_text_roundtrip_with_page_breaks():
    text = pdf_to_text(make_pdf([PAGE_1, PAGE_2]))
    assert text.split("\f") == ["\n".join(PAGE_1), "\n".join(PAGE_2)]


def test_pdf_text_parses_into_a_document():
    parsed = parse_gazette_text(pdf_to_text(make_pdf([PAGE_1, PAGE_2])))
    doc = parsed.documents.row(0, named=True)
    assert parsed.documents.height == 1
    assert doc["title"] == "凉山州人民政府办公室关于成立健康凉山行动推进委员会的通知"
    assert doc["doc_number"] == "凉府办函〔2020〕11号"
    assert doc["signed_date"].isoformat() == "2020-02-20"
    assert "州政府决定成立健康凉山行动推进委员会。" in doc["body"]  # page break healed


def _encrypted(pdf: bytes) -> bytes:
    key = "A" * 64
    return pdf.replace(
        b"/Root 1 0 R >>",
        f"/Root 1 0 R /Encrypt << /Filter /Standard /V 1 /R 2 /O <{key}> /U <{key}> /P -4 >> "
        f"/ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>] >>".encode(),
    )


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda pdf: b"", "empty"),
        (lambda pdf: b"<html>not a pdf</html>", "not a PDF"),
        (lambda pdf: pdf[: len(pdf) // 3], "truncated"),
        (_encrypted, "encrypted"),
        (lambda pdf: make_pdf([[" "]]), "no text layer"),
    ],
)
def test_bad_input_raises_parse_error(make, reason):
    with pytest.raises(ParseError, match=reason):
        pdf_to_text(make(make_pdf([PAGE_1])))
