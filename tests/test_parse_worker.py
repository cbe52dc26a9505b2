"""The parse pool's worker settings (flows.parse.lower_priority), checked in a child process:
they change process-wide state (niceness, the garbage collector) the test run must keep."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import ROOT, SEEDS


def test_worker_initializer_tunes_the_garbage_collector_and_the_worker_still_parses() -> None:
    script = textwrap.dedent(
        f"""
        import gc
        from flows.parse import PARSE_GC_THRESHOLD, RawRef, lower_priority, parse_one
        before = gc.get_threshold()
        lower_priority()
        after = gc.get_threshold()
        assert after == (PARSE_GC_THRESHOLD, *before[1:]), (before, after)
        assert gc.get_freeze_count() > 1000  # modules and polars, never walked again
        path = {str(SEEDS / "liangshan_gazette_2020-04.txt")!r}
        with open(path, "rb") as fh:
            out = parse_one(RawRef("1", "local", path, "gazette_text", "", "utf-8"), fh.read())
        assert out.error is None and out.parsed.documents.height > 5, out.error
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
