"""In a real browser: every page template, as an anonymous visitor, a representative, the chair
and an administrator would meet it (forms with errors included), passes axe-core with no
serious or critical violation and the Nu HTML Checker with no error; see docs/ACCESSIBILITY.md."""

from __future__ import annotations

from datetime import timedelta

from e2e.helpers import local, sign_in
from playwright.sync_api import expect
from sqlalchemy import select

from core import clock
from core.db import db
from core.members import Company
from core.users import User
from devtools.demo_data import load_demo
from surveys import responses
from surveys.models import RoadmapItem, Survey
from surveys.rules import QuestionType
from voting.models import Ballot

LIKERT = {"carol@att.example": "5", "naoko@ntt.example": "4", "olivier@orange.example": "4",
          "priya@jio.example": "2", "walter@walmart.example": "5"}


def answer_pike(survey: Survey) -> None:
    """Every member company submits; the survey closes in an hour (its results can be published)."""
    q = {question.type: question for question in survey.questions}
    ranked, funded = q[QuestionType.RANKING].config["items"], q[QuestionType.BUDGET].config["items"]
    teams = q[QuestionType.MULTIPLE].config["options"]
    for n, (email, point) in enumerate(LIKERT.items()):
        user = db.session.scalars(select(User).where(User.email == email)).one()
        order = [*ranked[n % 2:], *ranked[:n % 2]][:5]
        values = {q[QuestionType.RANKING].id: {str(i): r for r, i in enumerate(order, 1)},
                  q[QuestionType.BUDGET].id: dict(zip(map(str, funded), (40, 30, 20, 10, 0),
                                                      strict=True)),
                  q[QuestionType.NUMBER].id: str(3 + n), q[QuestionType.LIKERT].id: point,
                  q[QuestionType.MULTIPLE].id: teams[n % 3:n % 3 + 2],
                  q[QuestionType.TEXT].id: f"Keep the upgrade work going ({n})."}
        found = responses.Response.find(survey, user.company(), user)  # demo history answered some
        responses.save(survey, user.company(), user, found.version if found else 0, values,
                       submit=True)
    survey.closes_at = clock.now() + timedelta(hours=1)
    db.session.commit()


def assert_error_summary(page) -> None:
    """The title says there is an error, the summary has the focus and links to each field."""
    summary = page.locator(".error-summary[role=alert]").first
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: "), page.title()
    for href in summary.locator("a").evaluate_all("links => links.map(a => a.hash)"):
        target = page.locator(href)
        expect(target).to_have_count(1)
        described = target.evaluate(
            "e => (e.closest('[aria-describedby]') || e).getAttribute('aria-describedby') || ''")
        errors = [i for i in described.split() if i.endswith("-err")]
        assert errors and all(page.locator(f"#{i}").count() == 1 for i in errors), (href, described)


class Tour:
    """Visit pages as one person, checking each state with the audit."""

    def __init__(self, live, audit, page, who: str):
        self.live, self.audit, self.page, self.who = live, audit, page, who
        audit.watch(page)

    def visit(self, path: str, label: str = "", status: int = 200) -> None:
        response = self.page.goto(f"{self.live.url}{path}")
        assert response.status == status, (path, response.status)
        self.check(label or path)

    def check(self, label: str) -> None:
        self.audit.check(self.page, f"{self.who} {label}")

    def refuse(self, path: str, label: str, fill: dict[str, str] | None = None) -> None:
        """Submit a form with missing or wrong values: the page says what to fix, and where."""
        self.page.goto(f"{self.live.url}{path}")
        for selector, value in (fill or {}).items():
            target = self.page.locator(selector)
            if target.evaluate("e => e.tagName") == "SELECT":
                target.select_option(value)
            else:
                target.fill(value)
        self.page.locator("main form[novalidate] [type=submit]").first.click()
        assert_error_summary(self.page)
        self.check(f"{label} with errors")

    def close(self) -> None:
        self.page.context.close()


def _meetings() -> dict[str, int]:
    """Return a past meeting with published minutes and the next one, by id."""
    from meetings.models import Meeting

    rows = db.session.scalars(select(Meeting).order_by(Meeting.starts_at)).all()
    now = clock.now()
    return {"past": next(m.id for m in rows if m.starts_at < now),
            "next": next(m.id for m in rows if m.starts_at > now)}


def _ids(live) -> dict:
    with live.app.app_context():
        ballots = {b.title: b.id for b in db.session.scalars(select(Ballot))}
        surveys = {s.title: s for s in db.session.scalars(select(Survey))}
        pike = surveys["Pike roadmap priorities"]
        answer_pike(pike)
        ids = {"ballots": ballots, "pike": pike.id, "queens": surveys["Queens roadmap survey"].id,
               "item": db.session.scalars(select(RoadmapItem.id)).first(),
               "company": db.session.scalars(select(Company.id).where(Company.slug == "intel")).one(),
               "meetings": _meetings()}
        db.session.remove()
    return ids


def test_every_page_template_passes_axe_and_the_html_checker(live, browser, audit):
    live.app.config["INVITATION_WINDOW_START"] = clock.today().strftime("%m-%d")  # window open
    with live.app.app_context():
        assert load_demo()
        db.session.remove()
    ids = _ids(live)
    ballots, pike, queens = ids["ballots"], ids["pike"], ids["queens"]

    anon = Tour(live, audit, browser.new_context().new_page(), "anonymous")
    for path in ("/", "/members", "/decisions/", "/results/", "/chairs"):
        anon.visit(path)
    for title in ("Move the weekly call to 15:00 UTC", "Prioritize the Queens work items",
                  "Host city of the 2027 operators' meetup"):
        anon.visit(f"/decisions/{ballots[title]}", f"decision {title}")
    meetings = ids["meetings"]
    anon.visit("/meetings/", "meetings")
    anon.visit(f"/meetings/{meetings['past']}", "published minutes")
    anon.visit("/no-such-page", "not found", status=404)
    anon.visit("/auth/callback?code=x&state=forged", "sign-in failed", status=400)

    rep = Tour(live, audit, sign_in(browser, live, "Naoko Tanaka"), "representative")
    rep.visit("/", "dashboard")
    for path in ("/ballots/", f"/ballots/{ballots['Prioritize the Rocky work items']}", "/surveys/",
                 f"/surveys/{pike}", f"/surveys/{pike}/answer", f"/surveys/{pike}/history",
                 f"/surveys/{queens}/proposals", "/surveys/items", f"/surveys/items/{ids['item']}",
                 "/cycles/", "/account", "/account/tokens/", "/account/notifications"):
        rep.visit(path)
    consensus = f"/ballots/{ballots['Endorse the Rocky survey questions']}"
    rep.page.goto(f"{live.url}{consensus}")
    rep.page.check("input[name='response'][value='object']")
    rep.page.fill("#reason", "")
    rep.page.locator("form.vote [type=submit]").click()
    assert_error_summary(rep.page)
    expect(rep.page.locator("#reason")).to_have_attribute("aria-invalid", "true")
    expect(rep.page.locator("input[value=object]")).to_be_checked()  # kept as typed
    rep.check("objection without a reason")
    rep.refuse(f"/surveys/{pike}/answer", "survey answer",
               {"fieldset.q-budget input >> nth=0": "90", "fieldset.q-number input": "-3"})
    rep.refuse(f"/surveys/{queens}/proposals/new/likert", "question proposal")
    rep.refuse("/cycles/nominations/new", "nomination")
    rep.refuse("/cycles/revocations/new", "revocation")
    rep.refuse("/account/tokens/", "new token")
    rep.page.goto(f"{live.url}/cycles/nominations/new")
    rep.page.fill("#company_name", "Comcast")
    rep.page.check("#operator_or_nsp")
    rep.page.check("#participates")
    rep.page.fill("#dedicated_ftes", "8")
    rep.page.fill("#upstream_ftes", "2")
    rep.page.fill("#contacts", "lee@comcast.example")
    rep.page.get_by_role("button", name="Nominate").click()
    expect(rep.page.locator("main")).to_contain_text("Comcast is nominated")
    rep.check("nomination")
    rep.page.goto(f"{live.url}/cycles/revocations/new")
    rep.page.select_option("#company_id", label="Walmart")
    rep.page.fill("#grounds", "Fewer than 2 upstream FTEs since March.")
    rep.page.fill("#closes_at", local(clock.now() + timedelta(days=7)))
    rep.page.fill("#effective_on", (clock.today() + timedelta(days=30)).isoformat())
    rep.page.get_by_role("button", name="Put the motion to the board").click()
    expect(rep.page.locator("h1")).to_contain_text("Walmart")
    rep.check("revocation")
    rep.close()

    outsider = Tour(live, audit, sign_in(browser, live, "Nina Novak"), "signed-in non-member")
    outsider.visit("/", "dashboard")
    outsider.close()

    with clock.frozen(clock.now() + timedelta(hours=2)):  # the Pike survey has closed
        chair = Tour(live, audit, sign_in(browser, live, "Carol Chen"), "chair")
        chair.visit(f"/meetings/{meetings['next']}", "next meeting (chair)")
        for suffix in ("edit", "attendance", "minutes"):
            chair.visit(f"/meetings/{meetings['next']}/{suffix}", f"meeting {suffix}")
        chair.refuse("/meetings/new", "new meeting")
        chair.refuse("/ballots/new", "new ballot")
        chair.page.fill("#title", "Adopt Gluon")
        chair.page.fill("#text", "Adopt Gluon as the networking API.")
        chair.page.fill("#opens_at", local(clock.now()))
        chair.page.fill("#closes_at", local(clock.now() + timedelta(days=2)))
        chair.page.get_by_role("button", name="Save draft").click()
        chair.check("draft ballot")
        chair.page.get_by_role("link", name="Edit the draft").click()
        chair.check("edit draft ballot")
        for path in (f"/surveys/{pike}", f"/surveys/{pike}/responses", f"/surveys/{queens}",
                     f"/surveys/{queens}/settings", f"/surveys/{queens}/proposals", "/cycles/"):
            chair.visit(path)
        for qtype in ("matrix", "single", "multiple", "number", "text"):  # likert, ranking below
            chair.visit(f"/surveys/{queens}/questions/new/{qtype}", f"new {qtype} question")
        chair.refuse(f"/surveys/{queens}/questions/new/ranking", "new ranking question")
        chair.refuse(f"/surveys/{queens}/questions/new/likert", "new likert question")
        chair.refuse("/surveys/new", "new survey")
        chair.refuse("/surveys/items/new", "new roadmap item")
        chair.refuse("/cycles/elections/new", "new election", {"#title": "", "#closes_at": ""})
        chair.page.fill("#title", "Chair election 2027")
        chair.page.fill("#closes_at", local(clock.now() + timedelta(days=7)))
        chair.page.fill("#term_starts_on", (clock.today() + timedelta(days=10)).isoformat())
        chair.page.get_by_role("button", name="Call the election").click()
        expect(chair.page.locator("h1")).to_contain_text("Chair election 2027")
        chair.check("election")
        chair.refuse(f"/surveys/{pike}/publication", "publication",
                     {"#k_respondents": "1"})
        chair.page.goto(f"{live.url}/surveys/{pike}/publication")
        for box in chair.page.locator("input[name=questions]").all():
            box.check()
        chair.page.get_by_role("button", name="Save the choice").click()
        for button in chair.page.get_by_role("button", name="Approve for publication").all()[:1]:
            button.click()
        chair.check("publication")
        chair.page.get_by_role("link", name="Preview what the public will see").click()
        chair.check("publication preview")
        chair.page.get_by_role("button", name="Publish these results").click()
        expect(chair.page.get_by_text("The results are public.")).to_be_visible()
        chair.check("published results (member view)")
        chair.close()

        anon.visit("/results/", "results index")
        anon.visit(f"/results/{pike}", "results")
        anon.visit(f"/results/{pike}/report", "printable report")
        anon.page.set_viewport_size({"width": 375, "height": 800})
        anon.visit(f"/results/{pike}", "results at 375 px")
        anon.visit(f"/decisions/{ballots['Prioritize the Queens work items']}", "decision at 375 px")
        anon.close()

    admin = Tour(live, audit, sign_in(browser, live, "Ada Admin"), "admin")
    admin.visit("/", "dashboard")
    for path in ("/admin/", "/admin/companies", f"/admin/companies/{ids['company']}",
                 f"/admin/companies/{ids['company']}/edit", "/admin/audit"):
        admin.visit(path)
    for path, fill in (("/admin/companies/new", {}), ("/admin/invitations", {"#email": "nobody"}),
                       ("/admin/representatives", {"#start_on": ""}),
                       ("/admin/chair-terms", {"#starts_on": ""})):
        admin.refuse(path, path, fill)  # the same template as the blank form, plus its errors
    admin.close()
    audit.assert_clean(at_least=70)
