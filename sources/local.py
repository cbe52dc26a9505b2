"""Local files as inputs: a gazette issue as text or PDF, a saved portal page (HTML or text).

The kind is read from the extension and the first bytes (a PDF starts with ``%PDF``), never
from the file name's city or date.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import stat as stat_mode
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sources.raw import RawItem

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
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
        text = str(p)
        matches = [Path(m) for m in glob.glob(text)] if glob.has_magic(text) else []
        for m in matches or [Path(p)]:
            if m.is_dir():
                out.extend(
                    sorted(f for f in m.rglob("*") if f.is_file() and not f.name.startswith("."))
                )
            else:
                out.append(m)
    seen: set[str] = set()
    unique = []
    real_dirs: dict[str, str] = {}
    for p in out:
        real = real_path(p, real_dirs)
        if real not in seen:
            seen.add(real)
            unique.append(p)
    return unique


@dataclass(frozen=True, slots=True)
class FileStat:
    """What a file looks like without reading it: the check git's index and rsync make before
    they read a file again (path, size, modification time, inode)."""

    path: Path  # as given
    uri: str  # resolved absolute path: the raw layer's uri for the file
    size: int
    mtime_ns: int
    inode: int


def real_path(path: Path, real_dirs: dict[str, str]) -> str:
    """``str(path.resolve())``, with each folder resolved once (``real_dirs`` caches them):
    resolving every file walked each component of its path, 80 µs a file, the largest cost of
    a rerun over 10,000 unchanged files. A link, or a name that is not a file's, is resolved
    whole."""
    folder, name = os.path.split(os.fspath(path))
    if name in ("", ".", "..") or os.path.islink(path):
        return os.path.realpath(path)
    real = real_dirs.get(folder)
    if real is None:
        real = real_dirs[folder] = os.path.realpath(folder or ".")
    return os.path.join(real, name)


def stat_file(path: Path, real_dirs: dict[str, str] | None = None) -> FileStat:
    """The :class:`FileStat` of one file; raises FileNotFoundError naming the path."""
    try:
        uri = real_path(path, {} if real_dirs is None else real_dirs)
        st = os.stat(uri)
    except (FileNotFoundError, NotADirectoryError):
        raise FileNotFoundError(f"{path}: no such file") from None
    if not stat_mode.S_ISREG(st.st_mode):
        raise FileNotFoundError(f"{path}: not a file")
    return FileStat(path, uri, st.st_size, st.st_mtime_ns, st.st_ino)


def stat_files(paths: Iterable[str | Path]) -> list[FileStat]:
    """:func:`stat_file` for many files, each folder resolved once."""
    real_dirs: dict[str, str] = {}
    return [stat_file(Path(p), real_dirs) for p in paths]


def read_file(
    path: str | Path, *, source_id: str = "local", stat: FileStat | None = None
) -> RawItem:
    """One local file as a RawItem; raises FileNotFoundError naming the path.

    ``stat``: the file's :class:`FileStat`, taken before reading (so a change while it is read
    shows as a new modification time next run). The text encoding is left for the raw layer to
    detect (``RawItem.encoding`` None): only for files it has not stored before, so a run over
    an unchanged corpus decodes nothing.
    """
    path = Path(path)
    st = stat or stat_file(path)
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such file") from None
    kind = kind_of(path, content[:4096])
    mtime = EPOCH + dt.timedelta(microseconds=st.mtime_ns // 1000)
    return RawItem(
        source_id=source_id,
        uri=st.uri,
        kind=kind,
        content=content,
        fetched_at=mtime,
        media_type={"gazette_pdf": "application/pdf", "portal_page": "text/html"}.get(
            kind, "text/plain"
        ),
    )
