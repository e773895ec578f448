"""Question proposals with +1: one endorsement per company, withdrawal, the chair's finalization."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from survey_helpers import make_items, make_survey

from core.audit import AuditEvent
from core.db import db
from surveys.models import Question
from surveys.proposals import Endorsement, Proposal, ProposalStatus
from surveys.rules import QuestionType, SurveyState


@pytest.fixture
def w(app, consortium, login, make_rep):
    app.config["WTF_CSRF_ENABLED"] = False
    make_items("Logging", "Telemetry")
    survey = make_survey([(QuestionType.TEXT, "Anything else?", False, {})],
                         state=SurveyState.PROPOSED)
    att_alternate = make_rep(consortium["companies"]["AT&T"]).user
    return SimpleNamespace(survey=survey, reps=consortium["reps"], chair=consortium["chair"],
                           alt=att_alternate, base=f"/surveys/{survey.id}/proposals")


def propose(client, w, text: str, qtype: str = "likert", **settings) -> Proposal:
    resp = client.post(f"{w.base}/new/{qtype}", data={"text": text, "points": "5", **settings})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return db.session.scalars(select(Proposal).order_by(Proposal.id.desc())).first()


def endorsements(proposal: Proposal) -> list[str]:
    db.session.expire_all()
    return [e.company.name for e in proposal.endorsements]


def test_representative_proposes_a_question(client, login, w):
    login(w.reps["NTT"])
    proposal = propose(client, w, "Upgrades matter more than features.")
    assert proposal.status is ProposalStatus.PENDING and proposal.company.name == "NTT"
    assert proposal.config["points"] == 5
    page = client.get(w.base).get_data(as_text=True)
    assert "Upgrades matter more than features." in page and "+0" in page


def test_one_endorsement_per_company_and_withdrawal(client, login, w):
    login(w.reps["NTT"])
    proposal = propose(client, w, "Q?")
    url = f"{w.base}/{proposal.id}"
    login(w.reps["AT&T"])
    assert client.post(f"{url}/endorse").status_code == 302
    login(w.alt)  # another representative of the same company
    resp = client.post(f"{url}/endorse")
    assert resp.status_code == 409
    assert "AT&amp;T has already given this question its +1" in resp.get_data(as_text=True)
    login(w.reps["Orange"])
    assert client.post(f"{url}/endorse").status_code == 302
    assert endorsements(proposal) == ["AT&T", "Orange"]
    login(w.alt)  # any representative may withdraw the company's +1
    assert client.post(f"{url}/withdraw").status_code == 302
    assert client.post(f"{url}/withdraw").status_code == 409
    assert endorsements(proposal) == ["Orange"]
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("survey.proposal.%")).order_by(AuditEvent.seq)).all()
    assert actions == ["survey.proposal.create", "survey.proposal.endorse",
                       "survey.proposal.endorse", "survey.proposal.withdraw"]


def test_the_database_allows_one_endorsement_per_company(client, login, w):
    login(w.reps["NTT"])
    proposal = propose(client, w, "Q?")
    company = w.reps["NTT"].company()
    db.session.add_all([Endorsement(proposal_id=proposal.id, company_id=company.id,
                                    user_id=w.reps["NTT"].id) for _ in range(2)])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_candidate_companies_neither_propose_nor_endorse(client, login, w):
    login(w.reps["Comcast"])
    assert client.get(w.base).status_code == 200  # reading is fine
    assert client.post(f"{w.base}/new/text", data={"text": "Q?"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_proposals_only_while_the_survey_is_proposed(client, login, w):
    w.survey.back_to_draft()
    db.session.commit()
    login(w.reps["NTT"])
    assert client.post(f"{w.base}/new/text", data={"text": "Q?"}).status_code == 404  # a draft
    login(w.chair)
    resp = client.post(f"{w.base}/new/text", data={"text": "Q?"})
    assert resp.status_code == 422 and "only while the survey is proposed" in resp.get_data(
        as_text=True)


def test_finalization_moves_exactly_the_accepted_questions(client, login, w):
    login(w.reps["NTT"])
    first = propose(client, w, "First?", "single", options="a\nb")
    second = propose(client, w, "Second?")
    third = propose(client, w, "Third?", "text", max_length="80")
    login(w.chair)
    assert client.post(f"/surveys/{w.survey.id}/state/open").status_code == 409  # 3 pending
    section = w.survey.sections[0]
    resp = client.post(f"{w.base}/finalize", data={"accept": [str(first.id), str(third.id)],
                                                   "section_id": str(section.id)})
    assert resp.status_code == 302
    db.session.expire_all()
    assert [q.text for q in w.survey.questions] == ["Anything else?", "First?", "Third?"]
    added = {q.text: q for q in w.survey.questions}
    assert added["First?"].type is QuestionType.SINGLE and added["First?"].config["options"] == ["a", "b"]
    assert added["Third?"].config == {"max_length": 80}
    assert [p.status for p in (first, second, third)] == [ProposalStatus.ACCEPTED,
                                                          ProposalStatus.DECLINED,
                                                          ProposalStatus.ACCEPTED]
    assert first.question_id == added["First?"].id and second.question_id is None
    login(w.reps["Orange"])
    assert client.post(f"{w.base}/{second.id}/endorse").status_code == 409  # decided already
    login(w.chair)
    assert client.post(f"/surveys/{w.survey.id}/state/open").status_code == 302


def test_finalizing_an_unknown_or_decided_proposal_changes_nothing(client, login, w):
    login(w.reps["NTT"])
    proposal = propose(client, w, "Q?")
    login(w.chair)
    section = str(w.survey.sections[0].id)
    resp = client.post(f"{w.base}/finalize", data={"accept": [str(proposal.id + 1)],
                                                   "section_id": section})
    assert resp.status_code == 409 and "only pending proposals" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert proposal.status is ProposalStatus.PENDING
    assert db.session.scalar(select(func.count()).select_from(Question)) == 1
