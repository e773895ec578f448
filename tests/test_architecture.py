"""Rules of dependency: pure modules import no Flask, SQLAlchemy or models; core imports no feature."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE_MODULES = [
    "core/member_rules.py", "core/clock.py", "core/stats.py", "core/json_ready.py",
    "core/csv_cells.py",
    "core/domain_errors.py", "core/text.py", "voting/choice_schema.py",
    "voting/rules.py", "voting/outcome.py", "voting/tally.py", "voting/recount.py",
    "voting/formats.py", "voting/ballot_rules.py", "voting/export.py", "voting/tiebreak.py",
    "voting/schulze.py", "voting/count.py", "voting/record.py", "voting/record_csv.py",
    "voting/verify.py", "voting/errors.py", "voting/close_rules.py",
    "surveys/anonymize.py", "surveys/summarize.py", "surveys/charts.py",
    "surveys/anonymize_scale.py", "surveys/suppression.py",
    "surveys/rules.py", "surveys/tidy.py", "surveys/question_settings.py", "surveys/catalog.py",
    "cycles/rules.py", "cycles/due.py",
    "surveys/public_document.py", "surveys/public_view.py", "surveys/public_format.py",
    "surveys/public_scale.py",
    "surveys/disclosure.py", "surveys/coarsen_scale.py", "surveys/coarsen_choice.py",
    "surveys/coarsen_ranking.py",
    "meetings/rules.py", "meetings/documents.py",
    *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "surveys/results").glob("*.py")),
]
FORBIDDEN_IN_PURE = ("flask", "flask_sqlalchemy", "sqlalchemy", "flask_login", "flask_wtf",
                     "wtforms", "core.db", "core.members", "core.users", "voting.models",
                     "surveys.models", "cycles.models")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_modules_stay_pure(module):
    bad = {name for name in imports_of(ROOT / module)
           if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_IN_PURE)}
    assert bad == set(), f"{module} imports {sorted(bad)}"


def test_core_imports_no_feature_outside_the_factory():
    for path in sorted((ROOT / "core").glob("*.py")):
        if path.name == "__init__.py":
            continue
        bad = {n for n in imports_of(path) if n.split(".")[0] in {"voting", "surveys", "cycles",
                                                                 "meetings"}}
        assert bad == set(), f"{path.name} imports {sorted(bad)}"


# Request-bound names: domain code takes the acting user as a parameter and returns messages.
REQUEST_BOUND = {"flask.flash", "flask.request", "flask.session", "flask.g",
                 "flask.has_request_context", "flask_login.current_user"}
DOMAIN_MODULES = ["cycles/effects.py", "cycles/actions.py", "core/member_rules.py",
                  "meetings/actions.py"]


def imported_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return {f"{node.module}.{alias.name}" for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module for alias in node.names}


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_domain_code_imports_nothing_request_bound(module):
    assert imported_names(ROOT / module) & REQUEST_BOUND == set()
