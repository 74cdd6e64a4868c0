"""The house reads one way, and no module grows past about 500 lines without a reason.

Imports run ``pipelines`` -> ``assets`` -> ``expectations`` -> ``warehouse`` ->
``connectors``; ``charts`` and ``connectors`` import neither Dagster nor DuckDB; ``synth``
is imported by nothing below ``pipelines`` (it writes extracts; it reads none).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("charts", "connectors", "warehouse", "expectations", "assets", "pipelines", "synth")
# package -> what it must not import
FORBIDDEN = {
    "charts": {"pipelines", "assets", "expectations", "warehouse", "connectors", "synth",
               "dagster", "duckdb"},
    "connectors": {"pipelines", "assets", "expectations", "warehouse", "synth", "dagster",
                   "duckdb"},
    "warehouse": {"pipelines", "assets", "expectations", "synth", "dagster"},
    "expectations": {"pipelines", "assets", "synth", "dagster"},
    "assets": {"pipelines", "synth"},
    "synth": {"pipelines", "assets", "expectations", "dagster", "duckdb"},
}  # fmt: skip
LONG = 500


def modules(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_run_one_way(package):
    wrong = {
        str(p.relative_to(REPO)): sorted(imported(p) & FORBIDDEN[package])
        for p in modules(package)
        if imported(p) & FORBIDDEN[package]
    }
    assert wrong == {}


def test_no_module_is_long_without_a_reason_at_its_top():
    long = []
    for package in PACKAGES:
        for path in modules(package):
            text = path.read_text(encoding="utf-8")
            if text.count("\n") > LONG and "Why this module is long" not in text[:3000]:
                long.append(f"{path.relative_to(REPO)} ({text.count(chr(10))} lines)")
    assert long == []
