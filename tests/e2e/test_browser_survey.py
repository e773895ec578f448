"""In a real browser: a representative answers the demo roadmap survey (ranking and budget),
saves a draft, comes back, fixes a mistake, submits, and edits before the close."""

from __future__ import annotations

from playwright.sync_api import expect

from core.db import db
from devtools.demo_data import load_demo

TOP5 = ["Skip-level upgrades", "Testing: scenario Tempest tests", "Log request ID mappings",
        "Telemetry: Ceilometer for operations", "Containers: Kolla and Kubernetes"]
BUDGET = {"Testing: scenario Tempest tests": "40", "Logging: filtering and error flagging": "30",
          "Telemetry: Ceilometer for operations": "20"}
FTES = "How many FTEs can your company commit upstream?"


def sign_in(page, url: str, person: str) -> None:
    page.goto(f"{url}/")
    page.get_by_role("link", name="Sign in with OpenStackID").first.click()
    page.get_by_label(person).check()
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(f"{url}/")


def open_answer_form(page) -> None:
    page.get_by_role("link", name="Surveys", exact=True).click()
    page.get_by_role("link", name="Pike roadmap priorities").click()
    page.get_by_role("link", name="Answer the survey").click()


def test_representative_answers_saves_resumes_submits_and_edits(live, page):
    with live.app.app_context():
        assert load_demo()
        db.session.remove()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live.url, "Naoko Tanaka")
    open_answer_form(page)
    ranking, budget = page.locator("fieldset.q-ranking"), page.locator("fieldset.q-budget")
    for rank, title in enumerate(TOP5, start=1):
        ranking.get_by_label(title).select_option(str(rank))
    budget.get_by_label("Testing: scenario Tempest tests").fill("40")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Your draft is saved.")).to_be_visible()

    page.goto(f"{live.url}/")  # leave, then come back: the draft is there
    open_answer_form(page)
    expect(ranking.get_by_label("Skip-level upgrades")).to_have_value("1")
    expect(budget.get_by_label("Testing: scenario Tempest tests")).to_have_value("40")
    expect(page.locator("main")).to_contain_text("Your company's response: draft")

    for title, points in BUDGET.items():  # 90 of 100 points: refused, nothing lost
        budget.get_by_label(title).fill(points)
    page.get_by_label(FTES).fill("6")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert")).to_contain_text("they must add up to exactly 100")
    expect(ranking.get_by_label("Containers: Kolla and Kubernetes")).to_have_value("5")
    expect(page.get_by_label(FTES)).to_have_value("6")

    budget.get_by_label("Improve scheduler logging").fill("10")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Your answers are submitted.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Your company's response: submitted")

    page.get_by_label(FTES).fill("8")  # edit before the close
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Your answers are submitted.")).to_be_visible()
    expect(page.get_by_label(FTES)).to_have_value("8")
    page.get_by_role("link", name="History of saves").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("submission (counts)")
    expect(rows.first).to_contain_text("Naoko Tanaka")
    assert errors == []
