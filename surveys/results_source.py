"""From a closed survey's counted answers to its summary and the gated public document.

The statistics read the same tidy rows as the CSV export (surveys/export.py: submitted
responses only, the latest submission of each), so the app, the export and
``python -m surveys.summarize`` on that export agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core import clock
from surveys.export import tidy_rows
from surveys.models import Survey, item_titles
from surveys.public_document import QuestionMeta, compose
from surveys.publication import Publication
from surveys.responses import responses_of
from surveys.rules import QuestionType
from surveys.tidy import COLUMNS

if TYPE_CHECKING:  # SciPy loads on first use, not when the app starts
    from surveys.results.data import SurveyData
    from surveys.results.summary import SurveySummary

T = QuestionType


def questions_meta(survey: Survey) -> list[QuestionMeta]:
    """Return what can be published, in survey order: each question, and each 'Other' text."""
    titles = item_titles()
    out = []
    for q in survey.questions:
        section = q.section.title
        labels = tuple(q.config.get("labels", ())) if q.type in (T.LIKERT, T.MATRIX) else ()
        out.append(QuestionMeta(str(q.id), q.type.value, q.text, section, labels,
                                _items_of(q.type, q.config, titles)))
        if q.type is T.SINGLE and q.config.get("other"):
            out.append(QuestionMeta(f"{q.id}.other", "text", f"{q.text} (“Other”, in words)",
                                    section))
    return out


def _items_of(qtype: QuestionType, config: dict[str, Any], titles: dict[int, str]) -> tuple:
    """Return the options, statements or roadmap items of a question, in survey order."""
    if qtype is T.MATRIX:
        return tuple(config["statements"])
    if qtype is T.SINGLE:
        return (*config["options"], *(("Other",) if config.get("other") else ()))
    if qtype is T.MULTIPLE:
        return tuple(config["options"])
    if qtype in (T.RANKING, T.BUDGET):
        return tuple(titles[int(i)] for i in config["items"])
    return ()


def survey_data(survey: Survey) -> SurveyData:
    """Build the statistics' input from the survey's tidy rows."""
    from surveys.results.data import survey_from_tidy

    rows = list(tidy_rows(survey))
    columns = {name: [row[i] for row in rows] for i, name in enumerate(COLUMNS)}
    scales = {str(q.id): (1, int(q.config["points"])) for q in survey.questions
              if q.type in (T.LIKERT, T.MATRIX)}
    items = {m.question_id: list(m.items) for m in questions_meta(survey) if m.items}
    return survey_from_tidy(columns, scales=scales, items=items)


def schulze_order(rows: list[list[int | None]], items: list[str]) -> list[list[str]]:
    """Return the Schulze consensus order of a ranking question (the decisions' tally)."""
    from voting.schulze import schulze

    ballots = [{i: r for i, r in zip(items, row, strict=True) if r is not None} for row in rows]
    return [list(tier) for tier in schulze(items, ballots, unranked="abstain").ranking]


def summarize(survey: Survey) -> SurveySummary:
    """Summarize every question of the survey (identified figures: never shown as such)."""
    from surveys.results.summary import summarize_survey

    return summarize_survey(survey_data(survey), consensus_order=schulze_order)


@dataclass(frozen=True)
class FreeText:
    """One counted free-text answer, as the chair reviews it (no company, no person)."""

    gate_id: str  # the answer id the publication gate knows: "<response id>:<question id>"
    answer_id: int  # the stored Answer row the approval points at
    question_id: str
    text: str


def free_texts(survey: Survey) -> list[FreeText]:
    """Return every counted free-text answer (text questions and 'Other' choices)."""
    kinds = {q.id: q.type for q in survey.questions if q.type in (T.TEXT, T.SINGLE)}
    out = []
    for response in responses_of(survey):
        counted = response.version_row(response.submitted_number)
        for answer in counted.answers if counted else ():
            kind, value = kinds.get(answer.question_id), answer.value
            if kind is T.TEXT and value:
                qid, text = str(answer.question_id), str(value)
            elif kind is T.SINGLE and isinstance(value, dict) and value.get("other"):
                qid, text = f"{answer.question_id}.other", str(value["other"])
            else:
                continue
            out.append(FreeText(f"{response.id}:{qid}", answer.id, qid, text.strip()))
    return sorted(out, key=lambda f: (f.question_id, f.text, f.answer_id))


def public_document(survey: Survey, publication: Publication,
                    summary: SurveySummary | None = None) -> dict[str, Any]:
    """Gate the survey's summary with the publication's choices: what the public will see."""
    from surveys.anonymize import GateSettings, gate_survey

    settings = GateSettings(publication.k_respondents, publication.k_companies,
                            bool(publication.allow_unanimous))
    approved = publication.approved_answer_ids()
    gate_ids = {f.gate_id for f in free_texts(survey) if f.answer_id in approved}
    gated = gate_survey(summary or summarize(survey), publication.question_ids, settings, gate_ids)
    closed = survey.closes_at or clock.now()
    facts = {"title": survey.title, "cycle": survey.cycle, "closed_on": closed.date().isoformat()}
    return compose(facts, questions_meta(survey), publication.question_ids, gated)
