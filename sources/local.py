"""Local files as inputs: a gazette issue as text or PDF, a saved portal page (HTML or text).

The kind is read from the extension and the first bytes (a PDF starts with ``%PDF``), never
from the file name's city or date.
"""

from __future__ import annotations

import datetime as dt
import glob
from pathlib import Path

from sources.raw import RawItem

_HTML_EXT = {".html", ".htm", ".shtml", ".xhtml"}


def kind_of(path: Path, head: bytes) -> str:
    """Which parser reads this file: gazette_pdf, portal_page (HTML) or gazette_text."""
    if head.lstrip().startswith(b"%PDF") or path.suffix.lower() == ".pdf":
        return "gazette_pdf"
    if path.suffix.lower() in _HTML_EXT:
        return "portal_page"
    low = head[:2048].lower()
    if b"<html" in low or b"<!doctype html" in low:
        return "portal_page"
    return "gazette_text"


def expand(paths: list[str | Path]) -> list[Path]:
    """Files named by ``paths``: files as given, directories walked, globs expanded; sorted, unique."""
    out: list[Path] = []
    for p in paths:
        matches = [Path(m) for m in glob.glob(str(p))] or [Path(p)]
        for m in matches:
            if m.is_dir():
                out.extend(
                    sorted(f for f in m.rglob("*") if f.is_file() and not f.name.startswith("."))
                )
            else:
                out.append(m)
    seen: set[Path] = set()
    unique = []
    for p in out:  # resolve() is a realpath per call: once per file here (a rerun of 1,000 files
        real = p.resolve()  # spent a third of its time resolving paths, twice each here)
        if real not in seen:
            seen.add(real)
            unique.append(p)
    return unique


def read_file(path: str | Path, *, source_id: str = "local") -> RawItem:
    """One local file as a RawItem; raises FileNotFoundError naming the path.

    The text encoding is left for the raw layer to detect (``RawItem.encoding`` None): only
    for files it has not stored before, so a run over an unchanged corpus decodes nothing.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    content = path.read_bytes()
    kind = kind_of(path, content[:4096])
    mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    return RawItem(
        source_id=source_id,
        uri=str(path.resolve()),
        kind=kind,
        content=content,
        fetched_at=mtime,
        media_type={"gazette_pdf": "application/pdf", "portal_page": "text/html"}.get(
            kind, "text/plain"
        ),
    )
