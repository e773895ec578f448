"""The survey builder: settings, questions of every type, state moves, duplication, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from survey_helpers import every_type, make_items, make_survey, valid_post

from core.audit import AuditEvent
from core.db import db
from core.member_rules import CompanyStatus
from surveys.models import Question, Survey
from surveys.rules import QuestionType, SurveyState


@pytest.fixture
def w(app, consortium, login):
    app.config["WTF_CSRF_ENABLED"] = False
    items = [i.id for i in make_items("Logging", "Telemetry", "Tempest")]
    db.session.commit()
    login(consortium["chair"])
    return SimpleNamespace(items=items, chair=consortium["chair"], reps=consortium["reps"],
                           admin=consortium["admin"])


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audited(prefix: str = "survey") -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like(f"{prefix}%")).order_by(AuditEvent.seq)))


def test_chair_creates_a_draft_survey_in_their_time_zone(client, w):
    w.chair.timezone = "Europe/Paris"
    db.session.commit()
    resp = client.post("/surveys/new", data={
        "title": "Pike roadmap", "introduction": "Tell us.", "cycle": "Pike", "unit": "company",
        "opens_at": "2030-01-10T09:00", "closes_at": "2030-02-10T18:30"})
    assert resp.status_code == 302
    survey = db.session.scalars(select(Survey)).one()
    assert survey.state is SurveyState.DRAFT and [s.title for s in survey.sections] == ["Questions"]
    assert survey.opens_at == datetime(2030, 1, 10, 8, tzinfo=UTC)  # 09:00 in Paris
    assert survey.closes_at == datetime(2030, 2, 10, 17, 30, tzinfo=UTC)
    assert audited() == ["survey.create"]
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Manage this survey" in page and "CET" in page and "UTC" in page


@pytest.mark.parametrize(("change", "message"), [
    ({"title": ""}, "This field is required"),
    ({"unit": "household"}, "Not a valid choice"),
    ({"opens_at": "2030-02-11T00:00"}, "The survey must close after it opens"),
    ({"closes_at": "tomorrow"}, "Not a valid datetime value"),
])
def test_bad_survey_settings_are_refused(client, w, change, message):
    data = {"title": "T", "cycle": "", "unit": "company", "opens_at": "2030-01-10T09:00",
            "closes_at": "2030-02-10T09:00", **change}
    resp = client.post("/surveys/new", data=data)
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    assert count(Survey) == 0 and audited() == []


SETTINGS = {
    "likert": {"points": "7", "dont_know": "y"},
    "matrix": {"points": "5", "statements": "Fast\nCheap"},
    "single": {"options": "Nova\nNeutron", "other": "y"},
    "multiple": {"options": "a\nb\nc", "min_choices": "1", "max_choices": "2"},
    "ranking": {"top_k": "2"},
    "budget": {"total": "10"},
    "number": {"min_value": "0", "max_value": "99.5"},
    "text": {"max_length": "300"},
}


@pytest.mark.parametrize("qtype", list(SETTINGS))
def test_every_question_type_can_be_added(client, w, qtype):
    survey = make_survey([], state=SurveyState.DRAFT)
    data = {"section_id": str(survey.sections[0].id), "text": f"A {qtype} question",
            "required": "y", "items": [str(i) for i in w.items], **SETTINGS[qtype]}
    resp = client.post(f"/surveys/{survey.id}/questions/new/{qtype}", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    question = db.session.scalars(select(Question)).one()
    assert question.type is QuestionType(qtype) and question.required
    assert audited("survey.question") == ["survey.question.add"]
    assert client.get(f"/surveys/{survey.id}").status_code == 200
    assert client.get(f"/surveys/{survey.id}/questions/{question.id}/edit").status_code == 200


@pytest.mark.parametrize(("qtype", "data", "message"), [
    ("single", {"options": "only one"}, "Give 2 to 40 entries, one per line."),
    ("ranking", {"items": ["999"]}, "Choose 2 to 40 roadmap items."),
    ("ranking", {"items": ["1", "999"]}, "Choose items from the roadmap catalog."),
    ("budget", {"items": ["1", "2"], "total": "0"}, "Spread 1 to 100000 points."),
    ("likert", {"points": "4"}, "A scale has 5 or 7 points."),
    ("number", {"min_value": "5", "max_value": "1"}, "The highest value is below the lowest."),
])
def test_bad_question_settings_are_refused_with_the_field_named(client, w, qtype, data, message):
    survey = make_survey([], state=SurveyState.DRAFT)
    resp = client.post(f"/surveys/{survey.id}/questions/new/{qtype}",
                       data={"section_id": str(survey.sections[0].id), "text": "Q?", **data})
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    assert count(Question) == 0 and audited("survey.question") == []


def test_unknown_question_type_is_404(client, w):
    survey = make_survey([], state=SurveyState.DRAFT)
    assert client.get(f"/surveys/{survey.id}/questions/new/essay").status_code == 404


def test_edit_move_and_remove_questions(client, w):
    survey = make_survey(every_type(w.items)[:3], state=SurveyState.DRAFT)
    first, second, third = survey.questions
    resp = client.post(f"/surveys/{survey.id}/questions/{first.id}/edit", data={
        "section_id": str(first.section_id), "text": "Reworded", "points": "5", "labels": ""})
    assert resp.status_code == 302 and first.text == "Reworded" and not first.required
    assert client.post(f"/surveys/{survey.id}/questions/{third.id}/move/up").status_code == 302
    db.session.expire_all()
    assert [q.id for q in survey.questions] == [first.id, third.id, second.id]
    assert client.post(f"/surveys/{survey.id}/questions/{first.id}/move/up").status_code == 409
    assert client.post(f"/surveys/{survey.id}/questions/{second.id}/delete").status_code == 302
    db.session.expire_all()
    assert [q.id for q in survey.questions] == [first.id, third.id]
    assert audited("survey.question") == ["survey.question.edit", "survey.question.move",
                                          "survey.question.delete"]


def test_questions_are_fixed_once_a_response_exists(client, login, w):
    survey = make_survey(every_type(w.items))
    login(w.reps["NTT"])
    draft = {**valid_post(survey, w.items), "save": "Save draft"}
    assert client.post(f"/surveys/{survey.id}/answer", data=draft).status_code == 302
    login(w.chair)
    question = survey.questions[0]
    resp = client.post(f"/surveys/{survey.id}/questions/{question.id}/edit", data={
        "section_id": str(question.section_id), "text": "Changed", "points": "5"})
    assert resp.status_code == 422
    assert "questions cannot change once a response exists" in resp.get_data(as_text=True)
    assert client.post(f"/surveys/{survey.id}/questions/{question.id}/delete").status_code == 409
    resp = client.post(f"/surveys/{survey.id}/questions/new/text",
                       data={"section_id": str(survey.sections[0].id), "text": "More?"})
    assert resp.status_code == 422
    assert client.post(f"/surveys/{survey.id}/sections", data={"title": "More"}).status_code == 409
    db.session.expire_all()
    assert question.text == "Publish quarterly?" and len(survey.questions) == 8
    assert "The questions are fixed" in client.get(f"/surveys/{survey.id}").get_data(as_text=True)


def test_state_moves_and_the_eligibility_snapshot(client, w, consortium, travel):
    survey = make_survey(every_type(w.items)[:1], state=SurveyState.DRAFT)
    url = f"/surveys/{survey.id}/state"
    resp = client.post(f"{url}/open")
    assert resp.status_code == 409 and "a draft survey cannot become open" in resp.get_data(as_text=True)
    assert client.post(f"{url}/propose").status_code == 302
    survey.closes_at = None
    db.session.commit()
    resp = client.post(f"{url}/open")
    assert resp.status_code == 409 and "set when the survey opens and closes" in resp.get_data(
        as_text=True)
    survey.closes_at = survey.opens_at.replace(year=survey.opens_at.year + 1)
    db.session.commit()
    assert client.post(f"{url}/open").status_code == 302
    assert survey.state is SurveyState.OPEN
    assert [c.name for c in survey.eligible] == ["AT&T", "NTT", "Orange", "Reliance Jio", "Walmart"]
    consortium["candidate"].change_status(CompanyStatus.MEMBER, survey.opens_at.date(), "late",
                                          None)
    db.session.commit()
    assert "Comcast" not in [c.name for c in survey.eligible]  # the snapshot does not move
    refused = client.post(f"{url}/close")  # nobody has answered: no closing at once
    assert refused.status_code == 409 and "0 of 5 companies have answered" in refused.get_data(True)
    travel(survey.closes_at + timedelta(seconds=1))  # once its time has passed, close records it
    assert client.post(f"{url}/close").status_code == 302 and survey.state is SurveyState.CLOSED
    assert client.post(f"{url}/open").status_code == 409
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "survey.open")).all()
    assert events[0].details["eligible"][0] == "AT&T"
    assert audited() == ["survey.propose", "survey.open", "survey.close"]


def test_duplicate_copies_questions_into_a_new_draft(client, w):
    survey = make_survey(every_type(w.items), state=SurveyState.CLOSED)
    resp = client.post(f"/surveys/{survey.id}/duplicate")
    copy = db.session.scalars(select(Survey).where(Survey.id != survey.id)).one()
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/surveys/{copy.id}")
    assert copy.state is SurveyState.DRAFT and copy.copied_from_id == survey.id
    assert copy.title == "Pike roadmap (copy)" and copy.opens_at is None
    pairs = zip(survey.questions, copy.questions, strict=True)
    assert all((a.type, a.text, a.config, a.required) == (b.type, b.text, b.config, b.required)
               and a.id != b.id for a, b in pairs)
    assert audited() == ["survey.duplicate"]


def test_only_the_chair_and_admins_build(client, login, w):
    survey = make_survey([], state=SurveyState.DRAFT)
    login(w.reps["NTT"])
    assert client.get("/surveys/new").status_code == 403
    assert client.get(f"/surveys/{survey.id}").status_code == 404  # drafts are not shown
    assert "Pike roadmap" not in client.get("/surveys/").get_data(as_text=True)
    login(w.admin)
    assert client.get(f"/surveys/{survey.id}").status_code == 200
    assert "Pike roadmap" in client.get("/surveys/").get_data(as_text=True)


def test_a_question_moves_to_another_section_without_being_lost(client, w):
    survey = make_survey(every_type(w.items)[:2], state=SurveyState.DRAFT)
    assert client.post(f"/surveys/{survey.id}/sections", data={"title": "Capacity"}).status_code == 302
    first, _second = survey.questions
    capacity = survey.sections[1]
    resp = client.post(f"/surveys/{survey.id}/questions/{first.id}/edit", data={
        "section_id": str(capacity.id), "text": "Moved", "points": "5"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert [(s.title, [q.text for q in s.questions]) for s in survey.sections] == [
        ("Priorities", ["Rate the tools"]), ("Capacity", ["Moved"])]
