"""What every source hands on: the raw bytes of one fetched or read input, with provenance.

Sources never parse documents; they fetch bytes and say where they came from. The warehouse
stores a :class:`RawItem` before anything parses it, so a reprocess never needs the network.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

# What an input is, which decides the parser that reads it.
KINDS = ("gazette_text", "gazette_pdf", "portal_page", "list_page")


@dataclass
class RawItem:
    """One input as fetched: bytes plus URL/path, time, hash, encoding and HTTP facts."""

    source_id: str
    uri: str
    kind: str
    content: bytes
    fetched_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    media_type: str | None = None
    encoding: str | None = None  # detected text encoding; None for binary (PDF)
    http_status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # What the list page said of this item (title, date), or the gazette label from a source.
    hints: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.uri}: unknown kind {self.kind!r}; expected one of {KINDS}")

    @property
    def sha256(self) -> str:
        """Content hash: the raw layer's key, and the cache key for parsing."""
        return hashlib.sha256(self.content).hexdigest()
