"""Answering a survey: every question type, clear errors that keep the draft, versions, windows."""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from survey_helpers import every_type, make_items, make_survey, qid, valid_post

from core import clock
from core.audit import AuditEvent
from core.db import db
from core.member_rules import CompanyStatus
from surveys.export import tidy_csv
from surveys.responses import Response, ResponseVersion
from surveys.rules import QuestionType, RespondentUnit

T = QuestionType


@pytest.fixture
def w(app, make_company, make_rep):
    """AT&T with two representatives, NTT with one, an open survey with every question type."""
    app.config["WTF_CSRF_ENABLED"] = False
    att, ntt = make_company("AT&T"), make_company("NTT")
    carol, andy, naoko = make_rep(att).user, make_rep(att).user, make_rep(ntt).user
    items = [i.id for i in make_items("Logging", "Telemetry", "Tempest")]
    survey = make_survey(every_type(items))
    return SimpleNamespace(att=att, ntt=ntt, carol=carol, andy=andy, naoko=naoko, items=items,
                           survey=survey, url=f"/surveys/{survey.id}/answer")


def responses() -> list[Response]:
    return list(db.session.scalars(select(Response).order_by(Response.id)))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("survey.response%")).order_by(AuditEvent.seq)))


def test_valid_answers_of_every_type_are_stored_exactly(client, login, w):
    login(w.carol)
    resp = client.post(w.url, data={**valid_post(w.survey, w.items), "send": "Submit"})
    assert resp.status_code == 302
    [response] = responses()
    a, b, c = (str(i) for i in w.items)
    assert response.submitted_values() == {
        qid(w.survey, T.LIKERT): 4, qid(w.survey, T.MATRIX): [5, "dk"],
        qid(w.survey, T.SINGLE): {"option": "Neutron"}, qid(w.survey, T.MULTIPLE): ["Net"],
        qid(w.survey, T.RANKING): {a: 1, b: 2, c: 3},
        qid(w.survey, T.BUDGET): {a: 50, b: 30, c: 20}, qid(w.survey, T.NUMBER): "12",
        qid(w.survey, T.TEXT): "Thanks"}
    assert response.company == w.att and response.user is None and response.status == "submitted"
    assert actions() == ["survey.response.submit"]


INVALID = {
    "out of range": (T.LIKERT, "", "6", "Choose a point from 1 to 5."),
    "duplicate rank": (T.RANKING, 1, "1", "Rank 1 is given twice"),
    "wrong budget sum": (T.BUDGET, 0, "40", "The points add up to 90; they must add up to "
                                            "exactly 100."),
    "too many choices": (T.MULTIPLE, "", ["Ops", "Net", "Security"],
                         "Choose at most 2 option(s); you chose 3."),
    "too long text": (T.TEXT, "", "x" * 51, "At most 50 characters; you wrote 51."),
    "unknown option": (T.SINGLE, "", "Keystone", "&#39;Keystone&#39; is not one of the options."),
    "missing required": (T.NUMBER, "", "", "This question is required."),
    "not a number": (T.NUMBER, "", "a dozen", "Enter a number, such as 12 or 2.5."),
}


@pytest.mark.parametrize("kind", INVALID)
def test_invalid_answer_is_refused_and_the_draft_stays_intact(client, login, w, kind):
    qtype, suffix, bad, message = INVALID[kind]
    login(w.carol)
    draft = valid_post(w.survey, w.items, **{f"q{qid(w.survey, T.TEXT)}": "first draft"})
    assert client.post(w.url, data={**draft, "save": "Save draft"}).status_code == 302
    q = qid(w.survey, qtype)
    name = f"q{q}_{w.items[suffix]}" if isinstance(suffix, int) else f"q{q}"
    typed = valid_post(w.survey, w.items, base_version="1", **{f"q{qid(w.survey, T.NUMBER)}": "77",
                                                               name: bad})
    if qtype is T.NUMBER:
        typed[name] = bad
    resp = client.post(w.url, data={**typed, "send": "Submit"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert message in page
    assert f'href="#question-{q}"' in page and f'id="question-{q}-err"' in page
    assert "nothing was saved" in page and "Everything you typed is still below" in page
    if qtype is not T.NUMBER:
        assert 'value="77"' in page  # the rest of what was typed is shown again
    assert 'value="30"' in page and ("Thanks" in page or qtype is T.TEXT)
    [response] = responses()  # the stored draft is untouched
    assert response.version == 1 and response.submitted_number is None
    assert response.current_values()[qid(w.survey, T.TEXT)] == "first draft"
    assert actions() == ["survey.response.save"]


def test_errors_on_several_questions_are_all_pointed_at(client, login, w):
    login(w.carol)
    data = valid_post(w.survey, w.items, **{f"q{qid(w.survey, T.LIKERT)}": "9",
                                            f"q{qid(w.survey, T.TEXT)}": "y" * 60})
    page = client.post(w.url, data={**data, "send": "Submit"}).get_data(as_text=True)
    assert "2 questions need attention" in page
    assert page.count('class="error" id="question-') == 2


def test_save_draft_resume_submit_and_edit_until_close(client, login, w):
    login(w.carol)
    partial = {"base_version": "0", f"q{qid(w.survey, T.NUMBER)}": "7",
               f"q{qid(w.survey, T.RANKING)}_{w.items[0]}": "2", "save": "Save draft"}
    assert client.post(w.url, data=partial).status_code == 302  # incomplete is fine for a draft
    page = client.get(w.url).get_data(as_text=True)  # resume: the draft is shown
    assert 'value="7"' in page and re.search(r'<option selected value="2">', page)
    assert "1 of 5 required questions answered" in page and "(1 of 8 in all)" in page
    assert "draft" in page
    login(w.andy)  # any representative of the company continues the same response
    assert client.post(w.url, data={**valid_post(w.survey, w.items, base_version="1"),
                                    "send": "Submit"}).status_code == 302
    login(w.carol)
    edit = valid_post(w.survey, w.items, base_version="2", **{f"q{qid(w.survey, T.NUMBER)}": "9"})
    assert client.post(w.url, data={**edit, "send": "Submit"}).status_code == 302
    [response] = responses()
    assert response.version == 3 and response.submitted_number == 3
    assert response.submitted_values()[qid(w.survey, T.NUMBER)] == "9"
    versions = [(v.number, v.submitted, v.saved_by) for v in response.versions]
    assert versions == [(1, False, w.carol), (2, True, w.andy), (3, True, w.carol)]
    history = client.get(f"/surveys/{w.survey.id}/history").get_data(as_text=True)
    assert history.count("<tr><td>") == 3 and "(counts)" in history and w.andy.name in history


def test_a_later_draft_does_not_replace_the_submission_that_counts(client, login, w):
    login(w.carol)
    client.post(w.url, data={**valid_post(w.survey, w.items), "send": "Submit"})
    change = valid_post(w.survey, w.items, base_version="1", **{f"q{qid(w.survey, T.NUMBER)}": "99"})
    client.post(w.url, data={**change, "save": "Save draft"})
    [response] = responses()
    assert response.status == "submitted, with unsubmitted changes"
    assert response.submitted_values()[qid(w.survey, T.NUMBER)] == "12"
    assert response.current_values()[qid(w.survey, T.NUMBER)] == "99"


def test_one_response_per_representative_when_the_survey_says_so(client, login, w):
    survey = make_survey(every_type(w.items), unit=RespondentUnit.REPRESENTATIVE, title="Per rep")
    for user in (w.carol, w.andy):
        login(user)
        resp = client.post(f"/surveys/{survey.id}/answer",
                           data={**valid_post(survey, w.items), "send": "Submit"})
        assert resp.status_code == 302
    assert [(r.company, r.user) for r in responses()] == [(w.att, w.carol), (w.att, w.andy)]


def test_companies_that_were_not_members_at_opening_get_a_clear_403(client, login, w, make_company,
                                                                    make_rep, make_user):
    late = make_company("Intel", CompanyStatus.CANDIDATE)
    late.change_status(CompanyStatus.MEMBER, clock.today(), "joined today", None)
    db.session.commit()
    login(make_rep(late).user)
    resp = client.get(w.url)
    assert resp.status_code == 403
    assert "Intel was not a member company when this survey opened" in resp.get_data(as_text=True)
    assert client.post(w.url, data=valid_post(w.survey, w.items)).status_code == 403
    login(make_user())  # signed in, but no company at all
    assert client.get(w.url).status_code == 403
    assert responses() == []


def test_not_yet_open_shows_when_it_opens_and_refuses_saves(client, login, w):
    w.survey.opens_at = clock.now() + timedelta(hours=2)
    db.session.commit()
    login(w.carol)
    page = client.get(w.url).get_data(as_text=True)
    assert "not open yet" in page and "It opens" in page and 'name="send"' not in page
    resp = client.post(w.url, data={**valid_post(w.survey, w.items), "send": "Submit"})
    assert resp.status_code == 409 and "The survey is not yet open." in resp.get_data(as_text=True)
    assert responses() == []


def test_deadline_refuses_a_submit_after_close_and_keeps_the_uncounted_draft(client, login, w):
    closes = w.survey.closes_at
    login(w.carol)
    with clock.frozen(closes - timedelta(minutes=5)):
        draft = {**valid_post(w.survey, w.items), "save": "Save draft"}
        assert client.post(w.url, data=draft).status_code == 302
    with clock.frozen(closes):
        resp = client.post(w.url, data={**valid_post(w.survey, w.items, base_version="1"),
                                        "send": "Submit"})
        page = resp.get_data(as_text=True)
        assert resp.status_code == 409
        assert "The survey is closed; answers can no longer be saved." in page
        assert 'value="50"' in page  # what was typed is still shown
        assert "closed" in client.get(w.url).get_data(as_text=True)
        bad = {**valid_post(w.survey, w.items, base_version="1"), f"q{qid(w.survey, T.LIKERT)}": "9"}
        resp = client.post(w.url, data={**bad, "send": "Submit"})
        assert resp.status_code == 409 and "The survey is closed" in resp.get_data(as_text=True)
    [response] = responses()
    assert response.version == 1 and response.submitted_number is None
    assert response.current_values()  # the draft is kept...
    assert tidy_csv(w.survey).splitlines()[1:] == []  # ...but never counted


def test_csrf_is_required_to_answer(app, client, login, w):
    app.config["WTF_CSRF_ENABLED"] = True
    login(w.carol)
    resp = client.post(w.url, data={**valid_post(w.survey, w.items), "send": "Submit"})
    assert resp.status_code == 400 and responses() == []


def test_ended_representative_can_no_longer_answer(client, login, w):
    w.andy.representation().end(date(2021, 1, 1))
    db.session.commit()
    login(w.andy)
    assert client.get(w.url).status_code == 403
    assert db.session.scalar(select(ResponseVersion.id)) is None
