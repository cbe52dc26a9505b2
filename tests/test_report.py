"""The HTML report: self-contained (no scripts, no external URLs) and its SVG charts render in a
real browser (headless Chromium; CI installs it with `apt-get install -y chromium`)."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from flows.steps import load_outcomes, parse_one, stage_items
from sources.local import read_file
from warehouse.db import connect
from warehouse.issuers import refresh_issuers
from warehouse.report import write_report

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
CHROMIUM = next(
    (p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p),
    None,
)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--hide-scrollbars"]  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    items = [read_file(p) for p in sorted(SEEDS.glob("*.txt"))]
    with connect(tmp / "w.duckdb") as con:
        refs = stage_items(con, items)
        load_outcomes(con, [parse_one(r, it.content) for r, it in zip(refs, items, strict=True)])
        refresh_issuers(con)
        return write_report(con, tmp / "out")


def test_report_is_self_contained(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert text.count('class="chart') == 3  # issuance over time, series coverage, most cited
    assert "凉山州人民政府办公室" in text and "凉府办函 2020" in text


def _chromium(args: list[str], tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
        capture_output=True,
        text=False,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary on PATH (apt-get install -y chromium)"
)
def test_charts_render_in_chromium(report: Path, tmp_path: Path) -> None:
    dom = _chromium(["--dump-dom", report.as_uri()], tmp_path).stdout.decode("utf-8", "replace")
    svgs = re.findall(r"<svg[^>]*class=\"chart ([a-z-]+)\".*?</svg>", dom, flags=re.S)
    assert svgs == ["line-chart", "bar-chart", "bar-chart"]
    assert (
        len(re.findall(r'<circle class="point"', dom)) >= 9
    )  # one point per issuer-month (9 issuers in the seeds)
    assert len(re.findall(r'<rect class="bar"', dom)) >= 9 + 2  # coverage segments + cited bars
    assert "凉府办函 2020" in dom


def _png_ink(png: bytes) -> float:
    """Share of non-white pixels in an 8-bit RGB(A) PNG (enough to tell a blank page)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, ihdr = 8, [], None
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", data)
        elif kind == b"IDAT":
            chunks.append(data)
        pos += 12 + length
    width, height, depth, color = ihdr[:4]
    assert depth == 8 and color in (2, 6)
    bpp = 3 if color == 2 else 4
    raw, stride = zlib.decompress(b"".join(chunks)), width * bpp
    prev, ink, out = bytearray(stride), 0, 0
    for y in range(height):
        f, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp * 4):  # sample every 4th pixel
            out += 1
            ink += any(v < 230 for v in line[x : x + 3])
        prev = line
    return ink / out


@pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary on PATH (apt-get install -y chromium)"
)
def test_screenshot_is_not_blank(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    _chromium([f"--screenshot={shot}", "--window-size=1100,900", report.as_uri()], tmp_path)
    assert shot.exists()
    assert _png_ink(shot.read_bytes()) > 0.02
