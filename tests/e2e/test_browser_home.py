"""In a real browser, on the demo: each home page lists what waits, and the chair closes early."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from e2e.helpers import local, sign_in

from core import clock
from core.db import db
from devtools.demo_data import load_demo

SHOTS = os.environ.get("CONCORD_SCREENSHOTS")  # a directory: save 1280 and 375 px screenshots


@pytest.fixture
def demo(live):
    with live.app.app_context():
        assert load_demo()
        db.session.remove()
    return live


def _shoot(page, name: str) -> None:
    if not SHOTS:
        return
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _no_sideways_scroll(page) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_representative_home_lists_what_waits(demo, browser):
    page = sign_in(browser, demo, "Priya Sharma")
    todo = page.get_by_role("region", name="Waiting for Reliance Jio").inner_text()
    assert "Endorse the Rocky survey questions" in todo
    assert "Pike roadmap priorities" in todo and "draft saved" in todo
    assert "Prioritize the Rocky work items" not in todo  # Reliance Jio has voted on it
    assert "Queens roadmap survey" in todo  # the +1 round
    assert "Deadlines are in your time zone, UTC" in todo
    _no_sideways_scroll(page)
    _shoot(page, "home-representative")
    page.get_by_role("link", name="Endorse the Rocky survey questions").click()
    participation = page.get_by_role("region", name="Participation").inner_text()
    assert "4 of 5 companies have answered" in participation
    assert "Not yet answered: Reliance Jio" in participation
    assert "support" not in participation.lower()  # names only, never choices
    page.goto(f"{demo.url}/ballots/")
    listing = page.inner_text("main")
    assert "Reliance Jio has not voted" in listing and "Reliance Jio has voted" in listing
    page.context.close()


def test_chair_home_lists_what_to_act_on(demo, browser):
    page = sign_in(browser, demo, "Carol Chen")
    chair = page.get_by_role("region", name="For the chair").inner_text()
    for expected in ("Rounds to count", "Share the LMA dashboards upstream",
                     "Ties awaiting the casting vote", "Rotate the meeting chair among members",
                     "your casting vote", "Ballots every company has answered",
                     "Prioritize the Rocky work items", "Surveys to close or publish",
                     "Pike roadmap priorities", "3 of 5 companies have answered"):
        assert expected in chair, expected
    _no_sideways_scroll(page)
    _shoot(page, "home-chair")
    page.get_by_role("link", name="Rotate the meeting chair among members").click()
    main = page.inner_text("main")
    assert "Tied, awaiting the casting vote" in main and "Decided" not in main
    _shoot(page, "ballot-tied")
    page.context.close()


def test_admin_home_lists_invitations_and_unverified(demo, browser):
    page = sign_in(browser, demo, "Ada Admin")
    admin = page.get_by_role("region", name="For the administrator").inner_text()
    assert "uma@orange.example for Orange" in admin and "dana@comcast.example for Comcast" in admin
    assert "Priya Sharma (Reliance Jio)" in admin and "has never signed in" in admin
    _shoot(page, "home-admin")
    page.context.close()


def test_chair_closes_a_round_every_company_answered(demo, browser):
    jio = sign_in(browser, demo, "Priya Sharma")
    jio.get_by_role("link", name="Endorse the Rocky survey questions").click()
    round_url = jio.url
    jio.check("input[name='response'][value='support']")
    jio.get_by_role("button", name="Cast the vote").click()
    assert "Receipt:" in jio.inner_text("main")
    jio.goto(f"{demo.url}/")
    assert "Endorse the Rocky survey questions" not in jio.get_by_role(
        "region", name="Waiting for Reliance Jio").inner_text()
    jio.context.close()

    chair = sign_in(browser, demo, "Carol Chen")
    chair.goto(round_url)
    assert "5 of 5 companies have answered" in chair.inner_text("main")
    _shoot(chair, "ballot-close-now")
    close = chair.get_by_role("button", name="Close now")
    close.click()  # not confirmed: the browser keeps the form, nothing is closed
    assert chair.url == round_url and "Open for votes" in chair.inner_text("main")
    chair.check("input[name='confirm']")
    close.click()
    main = chair.inner_text("main")
    assert "Closed: every company had answered" in main
    assert "Voting ended, awaiting the count" in main
    assert "closed at once, every company having answered, by Carol Chen" in main
    chair.get_by_role("button", name="Count the votes").click()
    assert "Consensus reached" in chair.inner_text("main")
    chair.context.close()


def test_chair_moves_a_close_later(demo, browser):
    chair = sign_in(browser, demo, "Carol Chen")
    chair.goto(f"{demo.url}/ballots/")
    chair.get_by_role("link", name="Endorse the Rocky survey questions").click()
    assert "Close now" not in chair.inner_text("main")  # Reliance Jio has not answered
    chair.locator("summary", has_text="Move the closing time").click()
    chair.fill("#closes_at", local(clock.now() + timedelta(days=20)))
    chair.fill("#close-reason", "Wait for Reliance Jio's board")
    chair.get_by_role("button", name="Move the close").click()
    main = chair.inner_text("main")
    assert "The close moved later" in main and "Wait for Reliance Jio's board" in main
    _shoot(chair, "ballot-moved")
    chair.context.close()
