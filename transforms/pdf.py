"""PDF bytes -> text, page by page, with pypdfium2.

Gazette issues are published as PDFs. The text layer is read page by page and the pages are
joined with form feeds, so that later steps know where a page ended (a page break is where
lines get broken mid-sentence and running headers sit). Damaged input raises
:class:`transforms.model.ParseError` with a plain reason (it goes to quarantine).
"""

from __future__ import annotations

import threading

import pypdfium2 as pdfium

from transforms.model import ParseError

PAGE_BREAK = "\f"
# PDFium is not thread-safe: two threads in it at once crash the process (seen with Prefect's
# thread-pool task runner). One lock per process; process pools parallelise instead.
_PDFIUM = threading.Lock()


def _open(data: bytes) -> pdfium.PdfDocument:
    if not data:
        raise ParseError("not a PDF: the file is empty")
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ParseError("not a PDF: the file does not start with %PDF")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc).lower()
        if "password" in reason or "security" in reason:
            raise ParseError("encrypted PDF: it needs a password to be read") from exc
        raise ParseError(f"damaged or truncated PDF: pdfium cannot open it ({exc})") from exc


def pdf_to_text(data: bytes) -> str:
    """The text of every page, pages joined with form feeds (``\\f``), lines with ``\\n``.

    Raises ParseError for an empty, non-PDF, encrypted, truncated or damaged file and for a
    PDF with no text layer at all (a scan needs OCR, which this module does not do).
    """
    with _PDFIUM:
        return _pdf_to_text(data)


def _pdf_to_text(data: bytes) -> str:
    doc = _open(data)
    try:
        if len(doc) == 0:
            raise ParseError("PDF has no pages")
        pages = []
        for page in doc:
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_range()
            finally:
                textpage.close()
                page.close()
            pages.append(text.replace("\r\n", "\n").replace("\r", "\n"))
    finally:
        doc.close()
    if not any(p.strip() for p in pages):
        raise ParseError("PDF has no text layer (a scanned image needs OCR)")
    return PAGE_BREAK.join(pages)
