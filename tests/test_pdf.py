"""PDF bytes -> text with pypdfium2, on PDFs built here from seed text.

No CJK font is installed on the build machine (``fc-list :lang=zh`` is empty), so the test
PDFs are written by hand: a Type0 font with Identity-H encoding whose character codes are
Unicode code points and a ToUnicode map, which is all a text layer needs (no glyphs).
"""

from __future__ import annotations

import pytest

from transforms.gazette import parse_gazette_text
from transforms.model import ParseError
from transforms.pdf import pdf_to_text


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal PDF whose text layer holds ``pages`` (each a list of lines)."""
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
