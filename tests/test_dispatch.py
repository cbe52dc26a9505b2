"""The input checks before any parser runs (transforms.dispatch._check_text)."""

from __future__ import annotations

import pytest

from transforms.dispatch import _BINARY_CHARS, _BINARY_LIST, _check_text
from transforms.model import ParseError


def test_binary_character_list_is_the_class() -> None:
    assert {chr(c) for c in range(0x10000) if _BINARY_CHARS.match(chr(c))} == set(_BINARY_LIST)


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("公报正文\n第二行", False),
        ("正文" * 100 + "\x00" * 10, False),  # 10 of 210: under 5%
        ("正文" * 10 + "\x00\x01\x1f\ufffd" * 10, True),
        ("\ufffd" * 30 + "a" * 100, True),
        ("a\t\n\x0c\r" * 50, False),  # tab, breaks and form feed are text
        ("x" * 19990 + "\x00" * 30, False),  # the sample is the first 20,000 characters
    ],
)
def test_binary_text_is_refused_past_five_percent(text: str, refused: bool) -> None:
    if refused:
        with pytest.raises(ParseError, match="binary"):
            _check_text(text, "x.txt")
    else:
        _check_text(text, "x.txt")
