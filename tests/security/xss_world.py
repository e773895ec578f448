"""A world whose every free-text field holds a script payload, numbered per field."""

from __future__ import annotations

import re
from datetime import date, timedelta

from survey_helpers import answered_survey
from world_helpers import build_world

from core import clock
from core.db import db
from core.member_rules import CompanyStatus
from core.members import Company
from core.tokens import ApiToken
from cycles.models import ChairCandidacy, ChairElection, Nomination, RevocationProposal
from surveys.models import RoadmapItem, Survey
from surveys.proposals import Proposal
from surveys.publication import Publication
from surveys.results_source import free_texts, public_document
from surveys.rules import QuestionType, RespondentUnit
from voting.actions import cast, decide_ballot, publish
from voting.outcome import Kind

# A payload that escaping leaves inert; found raw in a page, it would run.
RAW = re.compile(r"<script>alert\(\d+\)|<img src=x onerror=alert\(\d+\)>")


def script(n: int) -> str:
    """Return the short payload of field n (for fields of 40 characters)."""
    return f"<script>alert({n})</script>"


def both(n: int) -> str:
    """Return field n's payload: a script element, then an attribute-breaking image."""
    return f'{script(n)}"><img src=x onerror=alert({n})>'


FIELDS = {
    101: "representative's name (OIDC claim)", 102: "chair's name (OIDC claim)",
    103: "company name", 104: "company criteria notes", 105: "company status reason",
    106: "ballot title", 107: "ballot text", 108: "ballot option", 109: "ballot option 2",
    110: "ballot statement", 111: "objection reason (open round)",
    112: "objection reason (published round)", 113: "survey title", 114: "survey introduction",
    115: "section title", 116: "question text", 117: "question help", 118: "choice option",
    119: "matrix statement", 120: "scale label", 121: "free-text answer", 122: "'Other' text",
    123: "roadmap item title", 124: "item description", 125: "item component",
    126: "item target release", 127: "item value to members", 128: "item value to community",
    129: "nomination notes", 130: "nomination contacts", 131: "nominated company name",
    132: "revocation grounds", 133: "election title", 134: "token name", 135: "proposal text",
    136: "proposal help", 137: "survey cycle", 138: "administrator's name (OIDC claim)",
    139: "nomination objection reason", 140: "candidate label",
}


def _item(item: RoadmapItem) -> None:
    item.title, item.description, item.components = both(123), both(124), [both(125)]
    item.target_release, item.member_value, item.community_value = script(126), both(127), both(128)


def _survey(reps: list, items: list[int]) -> Survey:
    """Close and publish a survey answered by five companies, payloads in wording and answers."""
    questions = [
        (QuestionType.LIKERT, both(116), True,
         {"points": 5, "labels": f"{both(120)}\nb\nc\nd\ne", "dont_know": True}),
        (QuestionType.MATRIX, "Rate", True, {"points": 5, "statements": f"{both(119)}\nPlain"}),
        (QuestionType.SINGLE, "Main", False, {"options": f"{both(118)}\nNova", "other": True}),
        (QuestionType.RANKING, "Rank", True, {"items": items}),
        (QuestionType.BUDGET, "Spread", True, {"items": items, "total": 100}),
        (QuestionType.TEXT, "Anything", False, {"max_length": 200}),
    ]
    answers = [(user, {0: 4, 1: [4, 5],
                       2: {"other": both(122)} if i == 4 else {"option": both(118)},
                       3: {str(items[0]): 1, str(items[1]): 2},
                       4: {str(items[0]): 60, str(items[1]): 40},
                       5: both(121) if i == 0 else f"plain {i}"}) for i, user in enumerate(reps)]
    survey = answered_survey(questions, answers, unit=RespondentUnit.COMPANY, title=both(113))
    survey.introduction, survey.cycle = both(114), script(137)
    survey.sections[0].title = both(115)
    survey.questions[0].help_text = both(117)
    return survey


def _publish(survey: Survey, chair) -> None:
    publication = Publication.start(survey, 5, 3)
    single = survey.questions[2].id
    publication.choose([str(q.id) for q in survey.questions] + [f"{single}.other"], 5, 3, (5, 3))
    for text in free_texts(survey):
        publication.approve(db.session.get(text_answer_model(), text.answer_id), chair)
    publication.publish(public_document(survey, publication), chair)


def text_answer_model():
    """Return the Answer model (imported late: it pulls in the responses module)."""
    from surveys.responses import Answer

    return Answer


def _ballots(xss_user, att_user, make_ballot) -> dict[str, int]:
    """Open a choice ballot and a round with payloads; publish a round with a payload reason."""
    choice = make_ballot(Kind.PLURALITY, (both(108), both(109)), title=both(106))
    choice.text = both(107)
    cast(choice, xss_user, {"choice": both(108)})
    round_open = make_ballot(Kind.CONSENSUS, title="Open round")
    cast(round_open, xss_user, {"response": "object", "reason": both(111)})
    opened = clock.now() - timedelta(days=2)  # the round ran from then to an hour ago
    done = make_ballot(Kind.CONSENSUS, title="Finished round", at=opened, hours=47)
    with clock.frozen(opened):
        cast(done, xss_user, {"response": "object", "reason": both(112)})
        cast(done, att_user, {"response": "support", "reason": ""})
    decide_ballot(done)
    publish(done, both(110))
    db.session.commit()
    return {"ballot": choice.id, "round_open": round_open.id, "published": done.id}


def _cycles(ids: dict, att_name: str) -> None:
    nomination = db.session.get(Nomination, ids["nomination"])
    nomination.notes, nomination.contacts = both(129), [both(130)]
    nomination.objections = [{"company": att_name, "reason": both(139)}]
    nomination.company.name = both(131)
    db.session.get(RevocationProposal, ids["revocation"]).grounds = both(132)
    db.session.get(ChairElection, ids["election"]).title = both(133)
    db.session.get(ChairCandidacy, ids["candidacy"]).label = f"{both(140)} (AT&T)"


def build_xss_world(app, make_company, make_rep, make_user, make_ballot):
    """Return (users, ids) of the shared world with a payload in every free-text field."""
    users, ids = build_world(app, make_company, make_rep, make_user, make_ballot)
    users["chair"].name, users["admin"].name = both(102), both(138)
    xss = Company(name=both(103), slug="xss-co", criteria_notes=both(104))
    db.session.add(xss)
    xss.change_status(CompanyStatus.MEMBER, date(2020, 1, 1), "test", None)
    xss.change_status(CompanyStatus.WITHDRAWN, clock.today() + timedelta(days=400), both(105), None)
    db.session.commit()
    xss_user = make_rep(xss, make_user(both(101))).user
    others = [make_rep(make_company(f"Member {n}"), make_user(f"Rep {n}")).user for n in range(3)]
    att = db.session.get(Company, ids["company"])
    users["xss_rep"] = xss_user
    _item(db.session.get(RoadmapItem, ids["item"]))
    db.session.get(ApiToken, ids["token"]).name = both(134)
    proposal = db.session.get(Proposal, ids["proposal"])
    proposal.text, proposal.help_text = both(135), both(136)
    _cycles(ids, att.name)
    db.session.commit()
    ids.update(_ballots(xss_user, users["representative"], make_ballot))
    items = [i.id for i in db.session.scalars(db.select(RoadmapItem).order_by(RoadmapItem.id))][:2]
    survey = _survey([users["representative"], xss_user, *others], items)
    _publish(survey, users["chair"])
    db.session.commit()
    ids.update(company=xss.id, survey=survey.id, results_survey=survey.id,
               closed_survey=survey.id, free_text=free_texts(survey)[0].answer_id)
    return users, ids
