"""Data flows sources -> transforms -> warehouse; only flows/ wires stages together.

Checked on the code itself (imports, read with ast) so a shortcut across stages fails here.
"""

from __future__ import annotations

import ast

import pytest
from conftest import ROOT

ALLOWED = {
    "sources": {"sources"},
    "transforms": {"transforms"},
    "warehouse": {"warehouse", "transforms.model"},
    "flows": {"flows", "sources", "transforms", "warehouse"},
}


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m.split(".")[0] in ALLOWED}


@pytest.mark.parametrize("stage", sorted(ALLOWED))
def test_stage_imports_only_what_it_may(stage):
    bad = []
    for path in sorted((ROOT / stage).rglob("*.py")):
        for module in _imports(path):
            if not any(module == a or module.startswith(a + ".") for a in ALLOWED[stage]):
                bad.append(f"{path.relative_to(ROOT)} imports {module}")
    assert bad == []


def test_parse_workers_import_no_database():
    """A pool worker imports flows.parse only: no DuckDB or Arrow in each of its processes."""
    import subprocess
    import sys

    code = "import sys, flows.parse; print([m for m in ('duckdb', 'pyarrow', 'prefect') if m in sys.modules])"
    worker = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert worker.stdout.strip() == "[]"
