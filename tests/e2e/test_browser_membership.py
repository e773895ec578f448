"""In a real browser: a representative nominates Comcast in the window, members respond, it joins."""

from __future__ import annotations

from datetime import UTC, datetime

from e2e.helpers import sign_in

from core import clock
from core.db import db
from devtools.demo_data import load_demo

IN_WINDOW = datetime(2027, 6, 10, 12, 0, tzinfo=UTC)  # the default window: 1 to 30 June
AFTER_DEADLINE = datetime(2027, 7, 1, 9, 0, tzinfo=UTC)  # the round closed at midnight


def _support(browser, live, person: str, ballot_url: str) -> None:
    page = sign_in(browser, live, person)
    page.goto(ballot_url)
    page.check("input[name='response'][value='support']")
    page.get_by_role("button", name="Cast the vote").click()
    assert "Receipt:" in page.inner_text("main")
    page.context.close()


def test_comcast_is_nominated_admitted_and_listed(live, browser):
    with clock.frozen(IN_WINDOW):
        with live.app.app_context():
            assert load_demo()  # inside the frozen year, so Carol's chair term is current
            db.session.remove()
        naoko = sign_in(browser, live, "Naoko Tanaka")
        naoko.goto(f"{live.url}/cycles/")
        naoko.get_by_role("link", name="Nominate a company").click()
        naoko.fill("#company_name", "Comcast")
        naoko.check("#operator_or_nsp")
        naoko.check("#participates")
        naoko.fill("#dedicated_ftes", "8")
        naoko.fill("#upstream_ftes", "2")
        naoko.fill("#contacts", "lee@comcast.example")
        naoko.get_by_role("button", name="Nominate").click()
        assert "Comcast is nominated" in naoko.inner_text("main")
        naoko.get_by_role("link", name="Admit Comcast as a member company").click()
        ballot_url = naoko.url
        naoko.context.close()
        for person in ("Naoko Tanaka", "Olivier Martin", "Priya Sharma"):
            _support(browser, live, person, ballot_url)
    with clock.frozen(AFTER_DEADLINE):
        public = browser.new_context().new_page()
        public.goto(f"{live.url}/members")
        assert "Comcast" not in public.inner_text("main")
        chair = sign_in(browser, live, "Carol Chen")
        chair.goto(ballot_url)
        chair.get_by_role("button", name="Count the votes").click()
        assert "Consensus reached" in chair.inner_text("main")
        chair.check("input[name='confirm']")  # publishing asks for a confirmation first
        chair.get_by_role("button", name="Publish the outcome").click()
        assert "Published in the decisions register" in chair.inner_text("main")
        public.goto(f"{live.url}/members")
        listed = public.inner_text("main")
        assert "Comcast" in listed and "1 Jul 2027" in listed
        public.context.close()
        chair.context.close()
