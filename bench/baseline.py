"""The obvious plain-Python split and extraction, as a yardstick on the same machine and corpus.

One pass over the lines with a handful of regexes: a short line ending in a genre word starts a
document; a document number, a date, a 任命/免去 line and a 责任单位 line are counted where
they appear. It does far less than the real parser (no cleaning, no table of contents, no
column recovery, no normalisation), so it is a floor: timing both in the same run gives a
ratio that holds on a noisy machine, where absolute seconds do not.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

GENRES = (
    "通知",
    "决定",
    "意见",
    "通报",
    "办法",
    "方案",
    "规定",
    "批复",
    "报告",
    "讲话",
    "细则",
    "任免",
)
NUMBER = re.compile(r"[\u4e00-\u9fa5]{1,10}[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\d+\s*号")
DATE = re.compile(
    r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇一二三四五六七八九]{4}年[〇一二三四五六七八九十]{1,3}月[〇一二三四五六七八九十]{1,3}日"
)
APPOINT = re.compile(r"^(?:任命|免去)(.+?)(?:为|的)?(.+?)(?:职务)?[。；;]?$")
DUTY = re.compile(r"[（(]?(?:责任单位|牵头单位)[:：](.+?)[)）]?$")


@dataclass
class BaselineResult:
    """What the naive pass found, and how long it took."""

    files: int = 0
    bytes: int = 0
    documents: int = 0
    numbers: int = 0
    dates: int = 0
    appointments: int = 0
    duty_lines: int = 0
    seconds: float = 0.0


def scan_text(text: str, out: BaselineResult) -> None:
    """One issue, line by line: headers, numbers, dates, appointments, duty lines."""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if len(line) < 60 and line.endswith(GENRES):
            out.documents += 1
        for _ in NUMBER.finditer(line):
            out.numbers += 1
        for _ in DATE.finditer(line):
            out.dates += 1
        if APPOINT.match(line):
            out.appointments += 1
        if DUTY.search(line):
            out.duty_lines += 1


def run_baseline(files: list[Path]) -> BaselineResult:
    """Read and scan every file in one process; seconds include reading and decoding."""
    out = BaselineResult()
    t0 = time.perf_counter()
    for f in files:
        data = f.read_bytes()
        out.bytes += len(data)
        out.files += 1
        scan_text(data.decode("utf-8"), out)
    out.seconds = time.perf_counter() - t0
    return out
