"""In a real browser: the strict CSP breaks nothing (sign-in, pages, sign-out through the provider)."""

from __future__ import annotations

from e2e.helpers import sign_in

from core.db import db
from devtools.demo_data import load_demo

PAGES = ["/", "/members", "/decisions/", "/ballots/", "/account", "/account/tokens/"]


def test_strict_csp_sign_in_pages_and_sign_out(live, browser):
    with live.app.app_context():
        assert load_demo()
        db.session.remove()
    page = sign_in(browser, live, "Carol Chen")
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    for path in PAGES:
        resp = page.goto(f"{live.url}{path}")
        assert resp.status == 200, path
        csp = resp.headers["content-security-policy"]
        assert "script-src 'self'" in csp and f"form-action 'self' {live.provider.url}" in csp
        assert resp.headers["x-frame-options"] == "DENY"
        assert page.locator("link[rel=stylesheet]").count() == 1
    # The stylesheet applies under the CSP (a style from static/concord.css is computed).
    assert page.evaluate("getComputedStyle(document.querySelector('header.site')).display") != ""
    # Sign-out posts a form whose redirect goes to the provider and back: form-action allows it.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live.url}/")
    assert "signed out of Concord and OpenStackID" in page.inner_text("main")
    assert violations == []
    page.context.close()
