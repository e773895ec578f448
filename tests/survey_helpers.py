"""Builders shared by the survey tests: roadmap items, a survey with one question per type."""

from __future__ import annotations

from datetime import timedelta

from core import clock
from core.db import db
from surveys.catalog import Team, WorkKind
from surveys.models import RoadmapItem, Survey, add_question
from surveys.question_settings import normalize
from surveys.rules import QuestionType, RespondentUnit, SurveyState


def make_items(*titles: str) -> list[RoadmapItem]:
    """Add roadmap items with these titles."""
    items = [RoadmapItem(title=t, team=Team.OPERATIONS, kind=WorkKind.NEW) for t in titles]
    db.session.add_all(items)
    db.session.flush()
    return items


def every_type(item_ids: list[int]) -> list[tuple[QuestionType, str, bool, dict]]:
    """Return one question of each type: (type, text, required, builder settings)."""
    return [
        (QuestionType.LIKERT, "Publish quarterly?", True, {"points": 5, "dont_know": True}),
        (QuestionType.MATRIX, "Rate the tools", True,
         {"points": 5, "statements": "Fast\nCheap", "dont_know": True}),
        (QuestionType.SINGLE, "Main project", False,
         {"options": "Nova\nNeutron\nHorizon", "other": True}),
        (QuestionType.MULTIPLE, "Teams you staff", False,
         {"options": "Ops\nNet\nContainers\nSecurity", "min_choices": 1, "max_choices": 2}),
        (QuestionType.RANKING, "Rank the items", True, {"items": item_ids}),
        (QuestionType.BUDGET, "Spread 100 points", True, {"items": item_ids, "total": 100}),
        (QuestionType.NUMBER, "FTEs", True, {"min_value": "0", "max_value": "500", "integer": True}),
        (QuestionType.TEXT, "Anything else", False, {"max_length": 50}),
    ]


def make_survey(questions, *, state: SurveyState = SurveyState.OPEN,
                unit: RespondentUnit = RespondentUnit.COMPANY, hours: int = 48,
                title: str = "Pike roadmap") -> Survey:
    """Create a survey with the questions in one section, opened (the default) or not."""
    now = clock.now()
    survey = Survey(title=title, cycle="Pike", unit=unit, opens_at=now - timedelta(hours=1),
                    closes_at=now + timedelta(hours=hours))
    db.session.add(survey)
    section = survey.add_section("Priorities")
    known = [i.id for i in db.session.scalars(db.select(RoadmapItem))]
    for qtype, text, required, settings in questions:
        add_question(section, qtype, text, "", required, normalize(qtype, settings, known))
    if state is not SurveyState.DRAFT:
        survey.propose()
    if state in (SurveyState.OPEN, SurveyState.CLOSED):
        survey.open()
    if state is SurveyState.CLOSED:
        survey.close()
    db.session.commit()
    return survey


def valid_post(survey: Survey, items: list[int], **changes: str) -> dict[str, str]:
    """Return form data answering every question of an every_type() survey validly."""
    q = {question.type: question.id for question in survey.questions}
    data = {
        "base_version": "0",
        f"q{q[QuestionType.LIKERT]}": "4",
        f"q{q[QuestionType.MATRIX]}_0": "5", f"q{q[QuestionType.MATRIX]}_1": "dk",
        f"q{q[QuestionType.SINGLE]}": "Neutron",
        f"q{q[QuestionType.MULTIPLE]}": "Net",
        f"q{q[QuestionType.NUMBER]}": "12",
        f"q{q[QuestionType.TEXT]}": "Thanks",
    }
    for rank, item in enumerate(items, start=1):
        data[f"q{q[QuestionType.RANKING]}_{item}"] = str(rank)
    for item, points in zip(items, (50, 30, 20), strict=False):
        data[f"q{q[QuestionType.BUDGET]}_{item}"] = str(points)
    data.update(changes)
    return data


def qid(survey: Survey, qtype: QuestionType) -> int:
    """Return the id of the survey's (first) question of a type."""
    return next(q.id for q in survey.questions if q.type is qtype)


def survey_ids(company, rep_user) -> dict[str, int]:
    """Create what the route x role matrix needs: an open and a proposed survey, a roadmap item."""
    from surveys.proposals import Proposal

    items = make_items("Logging", "Telemetry")
    survey = make_survey([(QuestionType.TEXT, "Anything else?", False, {})])
    proposed = make_survey([(QuestionType.TEXT, "Why?", False, {}),
                            (QuestionType.TEXT, "Spare", False, {})],
                           state=SurveyState.PROPOSED, title="Queens roadmap")
    proposal = Proposal.suggest(proposed, company, rep_user, QuestionType.TEXT, "More?", "", False,
                                {"max_length": 100})
    db.session.commit()
    first, spare = proposed.questions
    return {"survey": survey.id, "proposed": proposed.id, "question": first.id, "spare": spare.id,
            "proposal": proposal.id, "item": items[0].id}


def answered_survey(questions, answers, *, unit: RespondentUnit = RespondentUnit.COMPANY,
                    title: str = "Pike roadmap") -> Survey:
    """Open a survey, submit each (user, {question position: canonical value}), then close it."""
    from surveys import responses

    survey = make_survey(questions, unit=unit, title=title)
    qs = survey.questions
    for user, values in answers:
        responses.save(survey, user.company(), user, 0, {qs[i].id: v for i, v in values.items()},
                       submit=True)
    survey.close()
    db.session.commit()
    return survey


def results_ids(rep_user, chair) -> dict[str, int]:
    """Create what the matrix needs for results: a closed survey with a free text, a published one."""
    from surveys.publication import Publication
    from surveys.results_source import free_texts, public_document

    text = [(QuestionType.TEXT, "Anything else?", False, {})]
    closed = answered_survey(text, [(rep_user, {0: "More logging"})], title="Ocata roadmap")
    published = answered_survey(text, [(rep_user, {0: "Thanks"})], title="Newton roadmap")
    publication = Publication.start(published, 5, 3)
    publication.choose([str(published.questions[0].id)], 5, 3, (5, 3))
    publication.publish(public_document(published, publication), chair)
    db.session.commit()
    return {"closed_survey": closed.id, "results_survey": published.id,
            "free_text": free_texts(closed)[0].answer_id}


RICH_TEXTS = {0: "Please publish the roadmap quarterly", 1: "Write to alice@att.example",
              3: "Fewer meetings, more reviews", 5: "Upgrade pain is the top issue",
              6: "Keep the survey short", 9: "Telemetry at scale matters",
              12: "Nothing to add this quarter"}


def rich_survey(consortium, make_rep, make_user) -> Survey:
    """Close a per-representative survey of 15 respondents (3 per member company) with small cells.

    Respondent i belongs to company i // 3. Small cells on purpose: Likert point 1 and a
    "don't know" from AT&T only, 4 Neutron answers from 2 companies, 1 Horizon, 1 Other
    ("Zun"), Security chosen by AT&T only, Tempest funded by 2 AT&T people, free texts.
    """
    people = []
    for name, company in consortium["companies"].items():
        people += [consortium["reps"][name]] + [
            make_rep(company, make_user(f"{word} of {name}")).user for word in ("Second", "Third")]
    items = [i.id for i in make_items("Logging", "Telemetry", "Tempest")]
    questions = every_type(items)
    questions[-1] = (QuestionType.TEXT, "Anything else", False, {"max_length": 200})
    orders = ((1, 2, 3), (1, 3, 2), (2, 1, 3))
    answers = []
    for i, person in enumerate(people):
        ranks = orders[i % 3]
        values = {
            0: 1 if i < 2 else "dk" if i == 2 else 4 if i % 2 == 0 else 5,
            1: [1, "dk"] if i < 3 else [4, 5],
            2: {"option": "Nova"} if i < 9 else {"option": "Neutron"} if i < 13
            else {"option": "Horizon"} if i == 13 else {"other": "Zun"},
            3: ["Ops", "Security"] if i < 3 else ["Ops"],
            4: {str(item): rank for item, rank in zip(items, ranks, strict=True)},
            5: dict(zip(map(str, items), (50, 30, 20) if i < 2 else (60, 40, 0), strict=True)),
            6: str(i + 1),
        }
        if i in RICH_TEXTS:
            values[7] = RICH_TEXTS[i]
        answers.append((person, values))
    return answered_survey(questions, answers, unit=RespondentUnit.REPRESENTATIVE,
                           title="Queens priorities")
