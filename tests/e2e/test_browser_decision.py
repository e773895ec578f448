"""In a real browser: a consensus round fails, the chair calls a vote, the tie goes to the chair."""

from __future__ import annotations

from datetime import timedelta

from e2e.helpers import local, sign_in

from core import clock
from core.db import db
from devtools.demo_data import load_demo


def _respond(browser, live, person: str, ballot_url: str, **fields) -> None:
    page = sign_in(browser, live, person)
    page.goto(ballot_url)
    for name, value in fields.items():
        if name == "reason":
            page.fill("#reason", value)
        else:
            page.check(f"input[name='{name}'][value='{value}']")
    page.get_by_role("button", name="Cast the vote").click()
    assert "Receipt:" in page.inner_text("main")
    page.context.close()


def _draft(page, title: str, kind: str, start, tie_break: str = "status_quo") -> None:
    if title:
        page.fill("#title", title)
        page.fill("#text", "Adopt Gluon as the consortium's networking API.")
    page.select_option("#kind", kind)
    page.select_option("#tie_break", tie_break)
    page.fill("#opens_at", local(start))
    page.fill("#closes_at", local(start + timedelta(hours=2)))
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Open to the members").click()
    assert "Opened to 5 member companies" in page.inner_text("main")


def test_consensus_then_called_vote_then_casting_vote(live, browser):
    with live.app.app_context():
        assert load_demo()
        db.session.remove()
    start = clock.now().replace(second=0, microsecond=0)
    with clock.frozen(start + timedelta(minutes=1)):
        chair = sign_in(browser, live, "Carol Chen")
        chair.goto(f"{live.url}/ballots/new")
        _draft(chair, "Adopt Gluon", "consensus", start)
        round_url = chair.url
        _respond(browser, live, "Naoko Tanaka", round_url, response="support")
        _respond(browser, live, "Olivier Martin", round_url, response="object",
                 reason="Not production ready")
    later = start + timedelta(hours=3)
    with clock.frozen(later):
        chair.goto(round_url)
        chair.get_by_role("button", name="Count the votes").click()
        assert "Consensus not reached: Orange objected" in chair.inner_text("main")
        chair.get_by_role("button", name="Call a vote on this proposal").click()
        _draft(chair, "", "motion", later, tie_break="casting_vote")
        vote_url = chair.url
        for person, choice in (("Naoko Tanaka", "yes"), ("Olivier Martin", "no"),
                               ("Priya Sharma", "abstain")):
            _respond(browser, live, person, vote_url, vote=choice)
    with clock.frozen(later + timedelta(hours=3)):
        chair.goto(vote_url)
        chair.get_by_role("button", name="Count the votes").click()
        assert "awaiting the chair's casting vote" in chair.inner_text("main")
        chair.check("input[name='choice'][value='yes']")
        chair.get_by_role("button", name="Record casting vote").click()
        chair.fill("#statement", "Carried on the chair's casting vote.")
        chair.check("input[name='confirm']")  # publishing asks for a confirmation first
        chair.get_by_role("button", name="Publish the outcome").click()
        assert "Published in the decisions register" in chair.inner_text("main")
        public = browser.new_context().new_page()
        public.goto(f"{live.url}/decisions/")
        register = public.inner_text("main")
        assert "Vote: Adopt Gluon" in register
        assert "Passed on a tie, decided by the chair's casting vote (Carol Chen)" in register
