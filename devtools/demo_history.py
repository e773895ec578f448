"""A year of demo history: past chair terms, survey answers (with a saved draft), a survey whose
results are published, and votes on the open ballots (Reliance Jio has not answered one)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core import audit, clock
from core.db import db
from core.members import ChairTerm
from core.users import User
from surveys import responses
from surveys.models import Survey, add_question
from surveys.publication import Publication
from surveys.question_settings import normalize
from surveys.results_source import public_document
from surveys.rules import QuestionType
from voting import actions
from voting.models import Ballot
from voting.outcome import Kind


def _people() -> dict[str, User]:
    return {u.email: u for u in db.session.scalars(select(User))}


def past_chairs(current: ChairTerm) -> None:
    """Record the two terms before the current chair's (each a year, back to back)."""
    people = _people()
    end = current.starts_on
    for email in ("naoko@ntt.example", "olivier@orange.example"):
        user = people[email]
        term = ChairTerm.record(user, user.company(), end - timedelta(days=365), end)
        audit.record("chair_term.create", term, actor=None, user=user.name, demo=True)
        end = term.starts_on


def answer_open_survey(survey: Survey) -> None:
    """AT&T, Orange and Walmart submit; Reliance Jio saves a draft; NTT has not started."""
    people, qs = _people(), survey.questions
    ranking, budget = qs[0].config, qs[1].config

    def values(shift: int, ftes: str) -> dict[int, object]:
        items = ranking["items"][shift:] + ranking["items"][:shift]
        funded = budget["items"]
        return {qs[0].id: {str(i): r for r, i in enumerate(items[:5], start=1)},
                qs[1].id: {str(i): p for i, p in zip(funded, (40, 30, 20, 10, 0), strict=True)},
                qs[2].id: 4 + shift % 2, qs[3].id: ftes}
    for shift, (email, ftes) in enumerate((("carol@att.example", "12"),
                                           ("olivier@orange.example", "6"),
                                           ("walter@walmart.example", "3"))):
        user = people[email]
        responses.save(survey, user.company(), user, 0, values(shift, ftes), submit=True)
    priya = people["priya@jio.example"]
    responses.save(survey, priya.company(), priya, 0, {qs[3].id: "4"}, submit=False)


def published_survey(chair: User) -> Survey:
    """An Ocata survey, answered by every member 4 months ago, closed, its results published."""
    now, people = clock.now(), _people()
    start = now - timedelta(days=120)
    with clock.frozen(start):
        survey = Survey(title="Ocata operator pain points", cycle="Ocata", created_by=chair,
                        introduction="Where does running OpenStack hurt most?",
                        opens_at=start, closes_at=start + timedelta(days=21))
        db.session.add(survey)
        section = survey.add_section("Operations")
        for qtype, text, settings in (
                (QuestionType.LIKERT, "Upgrades are the hardest part of operating OpenStack.",
                 {"points": 5}),
                (QuestionType.MULTIPLE, "Which areas cost your operators the most time?",
                 {"options": "Upgrades\nLogging\nNetworking\nCapacity planning"})):
            add_question(section, qtype, text, "", True, normalize(qtype, settings, []))
        survey.propose()
        survey.open()
        audit.record("survey.open", survey, actor=chair, demo=True)
    answers = {"carol@att.example": (5, ["Upgrades", "Logging"]),
               "naoko@ntt.example": (4, ["Upgrades", "Networking"]),
               "olivier@orange.example": (5, ["Upgrades", "Logging"]),
               "priya@jio.example": (4, ["Networking", "Capacity planning", "Upgrades"]),
               "walter@walmart.example": (2, ["Logging"])}
    for day, (email, (agree, areas)) in enumerate(answers.items(), start=1):
        user = people[email]
        with clock.frozen(start + timedelta(days=day)):
            responses.save(survey, user.company(), user, 0,
                           {survey.questions[0].id: agree, survey.questions[1].id: areas},
                           submit=True)
    with clock.frozen(start + timedelta(days=22)):
        survey.close()
        audit.record("survey.close", survey, actor=chair, demo=True)
        publication = Publication.start(survey, 5, 3)
        publication.choose([str(q.id) for q in survey.questions], 5, 3, (5, 3))
        publication.publish(public_document(survey, publication), chair)
        audit.record("survey.publication.publish", survey, actor=chair, demo=True)
    return survey


def vote_on_open_ballots() -> None:
    """Every company but Reliance Jio answers the open round; everyone ranks the open ballot."""
    people = _people()
    reps = {slug: people[email] for slug, email in (
        ("att", "carol@att.example"), ("ntt", "naoko@ntt.example"),
        ("orange", "olivier@orange.example"), ("jio", "priya@jio.example"),
        ("walmart", "walter@walmart.example"))}
    open_ballots = db.session.scalars(select(Ballot).where(Ballot.stage == "open")
                                      .order_by(Ballot.id)).all()
    for ballot in open_ballots:
        if ballot.phase().value != "open":
            continue
        voters = [s for s in reps if s != "jio"] if ballot.kind.value == "consensus" else list(reps)
        for hour, slug in enumerate(voters, start=1):
            if ballot.kind.value == "consensus":
                choice: dict = {"response": "support"}
            else:
                labels = [o.label for o in ballot.options]
                labels = labels[hour % len(labels):] + labels[:hour % len(labels)]
                choice = {"ranks": {label: i for i, label in enumerate(labels, start=1)}}
            with clock.frozen(ballot.opens_at + timedelta(hours=hour)):
                actions.cast(ballot, reps[slug], choice)


def awaiting_the_chair(chair: User) -> None:
    """A tied motion awaiting the chair's casting vote, and a round closed but not yet counted."""
    from devtools.demo_decisions import _ballot, _votes

    now = clock.now().replace(minute=0, second=0, microsecond=0)
    tied = _ballot(chair, "Rotate the meeting chair among members", Kind.MOTION,
                   now - timedelta(days=10), "Motion: each monthly meeting is chaired by another "
                   "member company in turn.", tie_break="casting_vote")
    _votes(tied, {"att": {"vote": "yes"}, "ntt": {"vote": "no"}, "orange": {"vote": "no"},
                  "reliance-jio": {"vote": "yes"}, "walmart": {"vote": "abstain"}})
    with clock.frozen(tied.closes_at + timedelta(hours=2)):
        actions.decide_ballot(tied)
    db.session.commit()
    closed = _ballot(chair, "Share the LMA dashboards upstream", Kind.CONSENSUS,
                     now - timedelta(days=8), "Contribute the members' LMA dashboards upstream.")
    _votes(closed, {"att": {"response": "support"}, "orange": {"response": "support"},
                    "walmart": {"response": "stand_aside"}})
    db.session.commit()
