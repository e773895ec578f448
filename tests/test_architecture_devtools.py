"""Production code imports no development tool: devtools/ plugs in through DEV_EXTENSIONS."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Allowed to use the development tools: themselves, the benchmarks and the tests.
ALLOWED = {"devtools", "bench", "tests"}
SKIPPED = {".venv", ".tools", "node_modules", "instance", "build", "dist"}
IMPORT_PATH = re.compile(r"devtools(\.\w+)*")


def production_modules() -> list[Path]:
    """Every Python file of the project outside the allowed and tooling folders."""
    found = []
    for path in ROOT.rglob("*.py"):
        top = path.relative_to(ROOT).parts[0]
        if top not in ALLOWED | SKIPPED and not top.startswith("."):
            found.append(path)
    return sorted(found)


def devtools_references(source: str, name: str = "<source>") -> set[str]:
    """Name every import of devtools, at any depth, and every string naming a devtools module."""
    found = set()
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if IMPORT_PATH.fullmatch(a.name)}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found |= {node.module} if IMPORT_PATH.fullmatch(node.module or "") else set()
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # importlib.import_module("devtools.x"), __import__("devtools"), a setting default
            found |= {node.value.strip()} if IMPORT_PATH.fullmatch(node.value.strip()) else set()
    return found


@pytest.mark.parametrize("source", [
    "import devtools",
    "import devtools.bench_endpoints as b",
    "from devtools import demo_data",
    "from devtools.demo_data import load_demo",
    "def f():\n    from devtools.demo_data import load_demo\n",
    "import importlib\nimportlib.import_module('devtools.bench_endpoints')",
    "__import__('devtools')",
    "DEFAULTS = {'DEV_EXTENSIONS': 'devtools.demo_cli'}",
])
def test_the_check_sees_every_form_of_import(source):
    assert devtools_references(source)


def test_the_check_ignores_prose_and_look_alikes():
    source = '"""Set DEV_EXTENSIONS to load devtools.demo_cli."""\nimport devtoolsx\nfrom . import x\n'
    assert devtools_references(source) == set()


def test_the_check_covers_the_packages():
    tops = {p.relative_to(ROOT).parts[0] for p in production_modules()}
    assert {"core", "voting", "surveys", "cycles", "meetings", "migrations", "wsgi.py"} <= tops


def test_production_code_imports_no_devtools():
    bad = {str(p.relative_to(ROOT)): refs for p in production_modules()
           if (refs := devtools_references(p.read_text(), str(p)))}
    assert bad == {}, f"production modules reach into devtools: {bad}"
