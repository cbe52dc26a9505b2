"""One entry point from raw input to :class:`~transforms.model.Parsed`.

Flows call :func:`parse_input` with the raw kind and either decoded text or bytes (PDF); this
module picks the parser. A saved portal page given as ``.txt`` is told from a gazette issue by
its labelled metadata block; a PDF is a whole issue unless it reads as one red-header document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from transforms.model import Parsed, ParseError

MAX_INPUT_BYTES = (
    64 * 1024 * 1024
)  # a gazette issue is a few MB; larger inputs are refused, not parsed
MAX_TEXT_CHARS = 32_000_000
MAX_LINE_CHARS = 200_000  # a "line" longer than this is not text a person wrote (or a PDF made)
_BINARY_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
# The same characters one by one: a text holds none of them as a rule, and ~28 ``in`` tests
# (C scans) settle that in half the instructions of the class scan, which then counts them.
_BINARY_LIST = tuple(map(chr, (*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0xFFFD)))


def _check_text(text: str, uri: str) -> None:
    if not text or not text.strip():
        raise ParseError(f"{uri}: empty input (no text)")
    if len(text) > MAX_TEXT_CHARS:
        raise ParseError(
            f"{uri}: {len(text):,} characters is more than the {MAX_TEXT_CHARS:,} a single input may have"
        )
    # No line is longer than the text: most inputs are shorter than the limit, and then
    # splitting the whole text into lines (a list of a thousand strings) is not needed.
    longest = len(text) if len(text) <= MAX_LINE_CHARS else max(map(len, text.splitlines()))
    if longest > MAX_LINE_CHARS:
        raise ParseError(
            f"{uri}: a line of {longest:,} characters is longer than the {MAX_LINE_CHARS:,} a line may have"
        )
    sample = text[:20000]
    bad = len(_BINARY_CHARS.findall(sample)) if any(c in sample for c in _BINARY_LIST) else 0
    if bad > len(sample) * 0.05:
        raise ParseError(
            f"{uri}: looks like binary data, not text ({bad} control or undecodable characters in the first {len(sample)})"
        )


def parse_input(
    kind: str,
    *,
    uri: str,
    text: str | None = None,
    data: bytes | None = None,
    hints: Mapping[str, str] | None = None,
    site_name: str | None = None,
    rules: str | None = None,
) -> Parsed:
    """Parse one raw input; raises :class:`ParseError` with a plain reason when it cannot."""
    hints = hints or {}
    size = len(data) if data is not None else len(text or "")
    if size > MAX_INPUT_BYTES:
        raise ParseError(
            f"{uri}: {size:,} bytes is more than the {MAX_INPUT_BYTES:,} a single input may have"
        )
    if kind == "gazette_pdf":
        from transforms.pdf import pdf_to_text

        if data is None:
            raise ParseError(f"{uri}: a PDF input needs its bytes")
        text = pdf_to_text(data)
        _check_text(text, uri)
        return _parse_pdf_text(text, uri=uri, rules=rules)
    if text is None:
        raise ParseError(f"{uri}: no text to parse")
    _check_text(text, uri)
    if kind == "portal_page":
        from transforms.portal import parse_portal_html

        return parse_portal_html(text, url=uri, site_name=site_name or hints.get("site_name"))
    if kind == "gazette_text":
        from transforms.portal import looks_like_portal_text, parse_portal_text

        if looks_like_portal_text(text):
            return parse_portal_text(text, url=uri)
        from transforms.gazette import parse_gazette_text

        return parse_gazette_text(text, rules=rules)
    raise ParseError(f"{uri}: no parser for inputs of kind {kind!r}")


def _parse_pdf_text(text: str, *, uri: str, rules: str | None) -> Parsed:
    """A PDF is a whole gazette issue, or one red-header document when no issue structure shows."""
    from transforms.gazette import parse_gazette_text

    try:
        parsed = parse_gazette_text(text, rules=rules)
    except ParseError:
        parsed = None
    if parsed is not None and parsed.documents.height > 1:
        return parsed
    try:
        from transforms.portal import parse_single_document_pdf_text
    except ImportError:
        parse_single_document_pdf_text = None
    if parse_single_document_pdf_text is not None:
        try:
            return parse_single_document_pdf_text(text)
        except ParseError:
            pass
    if parsed is not None:
        return parsed
    raise ParseError(f"{uri}: no recognisable document in the PDF's text")
