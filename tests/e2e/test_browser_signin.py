"""In a real browser: sign in through the local provider as a demo representative."""

from __future__ import annotations

from core.db import db
from devtools.demo_data import load_demo


def test_demo_representative_signs_in_and_sees_company(live, page):
    with live.app.app_context():
        assert load_demo()
        db.session.remove()
    page.goto(f"{live.url}/")
    page.get_by_role("link", name="Sign in with OpenStackID").first.click()
    page.get_by_label("Naoko Tanaka").check()
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(f"{live.url}/")
    assert page.get_by_role("heading", name="NTT", exact=True).is_visible()
    assert "You act for NTT as its representative" in page.inner_text("main")
    page.goto(f"{live.url}/members")
    assert page.get_by_role("cell", name="Reliance Jio").is_visible()
