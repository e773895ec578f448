"""Browser fixtures: Debian's chromium driven by Playwright (it cannot download its own browser here)."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """Launch headless chromium once per run; fail in CI, skip loudly elsewhere, if it is missing."""
    if not shutil.which(CHROMIUM):
        message = f"chromium not found at {CHROMIUM}: install it with 'apt-get install -y chromium'"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (own cookies) and page per test."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def vnu():
    """The Nu HTML Checker as a local service, started once per run (tests/e2e/a11y.py)."""
    from e2e.a11y import start_vnu

    checker = start_vnu()
    yield checker
    checker.stop()


@pytest.fixture
def audit(vnu):
    """Collect axe-core violations and v.Nu errors of the page states a test visits."""
    from e2e.a11y import Audit

    return Audit(vnu)
