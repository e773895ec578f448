"""Shared steps for browser tests."""

from __future__ import annotations

from datetime import datetime


def sign_in(browser, live, person: str):
    """Open a fresh context and sign in through the provider's page as `person`."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live.url}/auth/login")
    page.get_by_label(person).check()
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(f"{live.url}/")
    return page


def local(dt: datetime) -> str:
    """Format a UTC datetime for a datetime-local input (demo users' zone is UTC)."""
    return dt.strftime("%Y-%m-%dT%H:%M")
