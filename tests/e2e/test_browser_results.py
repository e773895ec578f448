"""In a real browser: the chair publishes a closed survey's results; an anonymous visitor opens
them and sees what five companies' answers may show: the consensus order's first place."""

from __future__ import annotations

from datetime import timedelta

from e2e.helpers import sign_in
from playwright.sync_api import expect
from sqlalchemy import select

from core import clock
from core.db import db
from core.users import User
from devtools.demo_data import load_demo
from surveys import responses
from surveys.models import Survey
from surveys.rules import QuestionType

RANKING = "Rank your top 5 work items for Pike."
# One ranking of the first five items per company: similar, so the companies agree.
ORDERS = {"carol@att.example": (0, 1, 2, 3, 4), "naoko@ntt.example": (0, 2, 1, 3, 4),
          "olivier@orange.example": (1, 0, 2, 4, 3), "priya@jio.example": (0, 1, 3, 2, 4),
          "walter@walmart.example": (0, 1, 2, 3, 5)}


def answer_demo_survey() -> Survey:
    """Submit a response from each member company, then let the survey close in an hour."""
    survey = db.session.scalars(select(Survey).where(
        Survey.title == "Pike roadmap priorities")).one()
    q = {question.type: question for question in survey.questions}
    ranked, funded = q[QuestionType.RANKING].config["items"], q[QuestionType.BUDGET].config["items"]
    for email, order in ORDERS.items():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        values = {q[QuestionType.RANKING].id: {str(ranked[i]): r for r, i in enumerate(order, 1)},
                  q[QuestionType.BUDGET].id: dict(zip(map(str, funded), (40, 30, 20, 10, 0),
                                                      strict=True)),
                  q[QuestionType.NUMBER].id: "4"}
        # The demo already holds some answers (and Reliance Jio's draft): save over them.
        existing = responses.Response.find(survey, user.company(), user)
        responses.save(survey, user.company(), user, existing.version if existing else 0, values,
                       submit=True)
    survey.closes_at = clock.now() + timedelta(hours=1)
    db.session.commit()
    return survey


def watch(page, errors: list[str]) -> None:
    """Collect script errors and Content Security Policy violations (SVG charts included)."""
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)


def test_chair_publishes_and_an_anonymous_visitor_sees_charts(live, browser):
    with live.app.app_context():
        assert load_demo()
        survey_id = answer_demo_survey().id
        db.session.remove()
    errors: list[str] = []
    with clock.frozen(clock.now() + timedelta(hours=2)):  # past the close
        chair = sign_in(browser, live, "Carol Chen")
        watch(chair, errors)
        chair.goto(f"{live.url}/surveys/{survey_id}")
        chair.get_by_role("link", name="Publish the anonymized results").click()
        chair.get_by_label(RANKING).check()
        chair.get_by_label("How many FTEs can your company commit upstream?").check()
        chair.get_by_role("button", name="Save the choice").click()
        expect(chair.get_by_text("The choice is saved.")).to_be_visible()
        chair.get_by_role("link", name="Preview what the public will see").click()
        # Five companies: the figures that would pin a company's ranking are coarsened away
        # (surveys/disclosure.py); the first place of the consensus order still shows.
        expect(chair.locator("article.results")).to_contain_text("only the first place")
        chair.get_by_role("button", name="Publish these results").click()
        expect(chair.get_by_text("The results are public.")).to_be_visible()

        public = browser.new_context().new_page()
        watch(public, errors)
        public.goto(f"{live.url}/")
        public.get_by_role("link", name="Results", exact=True).click()
        public.get_by_role("link", name="Pike roadmap priorities").click()
        expect(public.locator("main")).to_contain_text("Consensus order")
        expect(public.locator("main")).to_contain_text("Containers: Kolla and Kubernetes")
        expect(public.locator("main")).to_contain_text("Unranked items are read the same way")
        expect(public.locator("main")).not_to_contain_text("W = ")
        for name in ("Carol Chen", "Naoko Tanaka", "AT&T", "Walmart"):
            expect(public.locator("main")).not_to_contain_text(name)
        public.context.close()
        chair.context.close()
    assert errors == []
