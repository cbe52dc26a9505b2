"""sources.encoding.decode: one decode for valid UTF-8, the same text and encoding as detecting
first and decoding after (the reference below), for every kind of input a portal serves."""

from __future__ import annotations

import codecs

import pytest
from conftest import SAMPLES, SEEDS

from sources.encoding import decode, detect_encoding

PAGE = (SAMPLES / "jiangxi" / "art_4975_1566875.html").read_text(encoding="utf-8")
ISSUE = (SEEDS / "panzhihua_gazette_2018-12.txt").read_text(encoding="utf-8")


def reference(content: bytes, content_type: str | None = None) -> tuple[str, str]:
    """decode() as it was: detect, then decode with what was detected."""
    enc = detect_encoding(content, content_type)
    return content.decode(enc, errors="replace" if enc == "utf-8" else "strict"), enc


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (ISSUE.encode("utf-8"), None),
        (PAGE.encode("utf-8"), "text/html; charset=gbk"),  # declared GBK, really UTF-8
        (codecs.BOM_UTF8 + PAGE.encode("utf-8"), None),
        (codecs.BOM_UTF16_LE + PAGE.encode("utf-16-le"), None),
        (PAGE.replace("charset=utf-8", "charset=gbk").encode("gbk", "xmlcharrefreplace"), None),
        (PAGE.encode("gb18030"), "text/html; charset=GB18030"),
        ((ISSUE.strip() + "文件").encode("utf-8")[:-1], None),  # a download cut inside a character
        (b"", None),
    ],
    ids=["utf8", "utf8-declared-gbk", "bom8", "bom16", "gbk-meta", "gb18030", "cut", "empty"],
)
def test_decode_gives_what_detecting_first_gave(content, content_type):
    text, enc = decode(content, content_type)
    assert (text, enc) == reference(content, content_type)


def test_the_seed_issue_decodes_as_utf8():
    text, enc = decode((SEEDS / "panzhihua_gazette_2018-12.txt").read_bytes())
    assert enc == "utf-8" and "川府发〔2018〕42号" in text
