"""Pure rules of roadmap surveys: states and their moves, answer validation per question type, progress."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any


class SurveyError(ValueError):
    """A change the survey rules refuse; the message says why."""


class SurveyState(StrEnum):
    """Where a survey stands in its life."""

    DRAFT = "draft"
    PROPOSED = "proposed"
    OPEN = "open"
    CLOSED = "closed"


class Phase(StrEnum):
    """What respondents see: the state combined with the answering window."""

    DRAFT = "draft"
    PROPOSED = "proposed"
    NOT_YET_OPEN = "not yet open"
    OPEN = "open"
    CLOSED = "closed"


class RespondentUnit(StrEnum):
    """Who answers: one response per company (default) or one per representative."""

    COMPANY = "company"
    REPRESENTATIVE = "representative"


class QuestionType(StrEnum):
    """The question types; the values are also the tidy export's `question_type`."""

    LIKERT = "likert"
    MATRIX = "matrix"
    SINGLE = "single"
    MULTIPLE = "multiple"
    RANKING = "ranking"
    BUDGET = "budget"
    NUMBER = "number"
    TEXT = "text"


# Going back from proposed to draft lets the chair rework questions before opening.
TRANSITIONS: dict[SurveyState, frozenset[SurveyState]] = {
    SurveyState.DRAFT: frozenset({SurveyState.PROPOSED}),
    SurveyState.PROPOSED: frozenset({SurveyState.DRAFT, SurveyState.OPEN}),
    SurveyState.OPEN: frozenset({SurveyState.CLOSED}),
    SurveyState.CLOSED: frozenset(),
}
DONT_KNOW = "dk"
OTHER = "__other__"  # the form value of a single choice's "Other" option
OTHER_MAX = 200  # characters of an "Other" answer


def check_transition(current: SurveyState, new: SurveyState) -> None:
    """Refuse a state move the survey life cycle does not allow."""
    if new not in TRANSITIONS[current]:
        raise SurveyError(f"a {current.value} survey cannot become {new.value}")


def check_can_open(opens_at: datetime | None, closes_at: datetime | None, questions: int,
                   pending_proposals: int, now: datetime) -> None:
    """Refuse opening without questions, a valid answering window, or with undecided proposals."""
    if questions == 0:
        raise SurveyError("add at least one question before opening the survey")
    if opens_at is None or closes_at is None:
        raise SurveyError("set when the survey opens and closes before opening it")
    if closes_at <= opens_at:
        raise SurveyError("the survey must close after it opens")
    if closes_at <= now:
        raise SurveyError("the closing time is already past")
    if pending_proposals:
        raise SurveyError(f"finalize the {pending_proposals} proposed question(s) first")


def check_editable(state: SurveyState, has_responses: bool) -> None:
    """Refuse question edits once anyone has responded or the survey is closed."""
    if has_responses:
        raise SurveyError("questions cannot change once a response exists; duplicate the survey")
    if state is SurveyState.CLOSED:
        raise SurveyError("a closed survey cannot change; duplicate it to run it again")


def phase(state: SurveyState, opens_at: datetime | None, closes_at: datetime | None,
          now: datetime) -> Phase:
    """Combine the state with the answering window at `now`."""
    if state is SurveyState.CLOSED or (state is SurveyState.OPEN and closes_at and now >= closes_at):
        return Phase.CLOSED
    if state is SurveyState.OPEN:
        return Phase.OPEN if opens_at is None or now >= opens_at else Phase.NOT_YET_OPEN
    return Phase(state.value)


@dataclass(frozen=True)
class QuestionSpec:
    """What validation needs of a question: id, type, required flag and normalized settings."""

    id: int
    type: QuestionType
    required: bool
    config: Mapping[str, Any]


@dataclass(frozen=True)
class Checked:
    """One answer after validation: its canonical value (None if unanswered) or an error."""

    value: Any = None
    error: str | None = None


def _fail(message: str) -> Checked:
    return Checked(None, message)


def _scale_point(raw: str, spec: QuestionSpec) -> int | str | None:
    """Parse one scale answer; raise SurveyError when it is not a point of the scale."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if raw == DONT_KNOW and spec.config.get("dont_know"):
        return DONT_KNOW
    points = spec.config["points"]
    if raw.isdigit() and 1 <= int(raw) <= points:
        return int(raw)
    raise SurveyError(f"choose a point from 1 to {points}")


def _likert(spec: QuestionSpec, raw: str, final: bool) -> Checked:
    return Checked(_scale_point(raw, spec))


def _matrix(spec: QuestionSpec, raw: Sequence[str], final: bool) -> Checked:
    statements = spec.config["statements"]
    raw = list(raw) + [""] * (len(statements) - len(raw))
    values = []
    for n, text in enumerate(raw[: len(statements)], start=1):
        try:
            values.append(_scale_point(text, spec))
        except SurveyError as exc:
            raise SurveyError(f"statement {n} ({statements[n - 1]}): {exc}") from None
    missing = values.count(None)
    if missing == len(values):
        return Checked(None)
    if missing and final:
        raise SurveyError(f"answer every statement ({missing} of {len(values)} missing)")
    return Checked(values)


def _single(spec: QuestionSpec, raw: tuple[str, str], final: bool) -> Checked:
    choice, other = (raw[0] or "").strip(), (raw[1] or "").strip()
    if not choice:
        return Checked(None)
    if choice == OTHER and spec.config.get("other"):
        if len(other) > OTHER_MAX:
            raise SurveyError(f"'Other' takes at most {OTHER_MAX} characters (you wrote {len(other)})")
        if not other:
            raise SurveyError("say what 'Other' is, or choose one of the options")
        return Checked({"other": other})
    if choice not in spec.config["options"]:
        raise SurveyError(f"'{choice[:80]}' is not one of the options")
    return Checked({"option": choice})


def _multiple(spec: QuestionSpec, raw: Sequence[str], final: bool) -> Checked:
    options = spec.config["options"]
    chosen = {c.strip() for c in raw if c and c.strip()}
    unknown = sorted(chosen - set(options))
    if unknown:
        raise SurveyError(f"'{unknown[0][:80]}' is not one of the options")
    most, least = spec.config.get("max") or len(options), spec.config.get("min") or 0
    if len(chosen) > most:
        raise SurveyError(f"choose at most {most} option(s); you chose {len(chosen)}")
    if final and chosen and len(chosen) < least:
        raise SurveyError(f"choose at least {least} option(s); you chose {len(chosen)}")
    return Checked([o for o in options if o in chosen] or None)


def _ranking(spec: QuestionSpec, raw: Mapping[int, str], final: bool) -> Checked:
    items = spec.config["items"]
    needed = spec.config.get("top_k") or len(items)
    ranks: dict[str, int] = {}
    for item in items:
        text = (raw.get(item) or "").strip()
        if not text:
            continue
        if not text.isdigit() or not 1 <= int(text) <= needed:
            raise SurveyError(f"ranks go from 1 to {needed}; '{text[:20]}' is not one of them")
        if int(text) in ranks.values():
            raise SurveyError(f"rank {int(text)} is given twice; give each rank to one item only")
        ranks[str(item)] = int(text)
    if final and ranks and len(ranks) < needed:
        what = "every item" if needed == len(items) else f"your top {needed}"
        raise SurveyError(f"rank {what}: {needed - len(ranks)} rank(s) still missing")
    # Keyed by item id (JSON keys are strings); a draft keeps gaps exactly as typed.
    return Checked(dict(sorted(ranks.items(), key=lambda pair: pair[1])) or None)


def _budget(spec: QuestionSpec, raw: Mapping[int, str], final: bool) -> Checked:
    items, total = spec.config["items"], spec.config["total"]
    points: dict[str, int] = {}
    for item in items:
        text = (raw.get(item) or "").strip()
        if not text:
            continue
        if not text.lstrip("-").isdigit():
            raise SurveyError(f"points are whole numbers; '{text[:20]}' is not")
        if int(text) < 0:
            raise SurveyError("points cannot be negative")
        points[str(item)] = int(text)
    spent = sum(points.values())
    if spent > total:
        raise SurveyError(f"the points add up to {spent}; spread exactly {total}")
    if final and points and spent != total:
        raise SurveyError(f"the points add up to {spent}; they must add up to exactly {total}")
    if final and points:
        points = {str(item): points.get(str(item), 0) for item in items}
    return Checked(points or None)


def _number(spec: QuestionSpec, raw: str, final: bool) -> Checked:
    text = (raw or "").strip()
    if not text:
        return Checked(None)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise SurveyError("enter a number, such as 12 or 2.5") from None
    if not number.is_finite() or len(text) > 30:
        raise SurveyError("enter a number, such as 12 or 2.5")
    if spec.config.get("integer") and number != number.to_integral_value():
        raise SurveyError("enter a whole number")
    low, high = spec.config.get("min"), spec.config.get("max")
    if (low is not None and number < Decimal(low)) or (high is not None and number > Decimal(high)):
        raise SurveyError(_range_message(low, high))
    return Checked(canonical_number(number))


def _range_message(low: str | None, high: str | None) -> str:
    if low is not None and high is not None:
        return f"enter a number from {low} to {high}"
    return f"enter a number of at least {low}" if low is not None else f"enter at most {high}"


def canonical_number(number: Decimal) -> str:
    """Write a decimal exactly, without exponent or trailing zeros ('2.50' -> '2.5')."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _text(spec: QuestionSpec, raw: str, final: bool) -> Checked:
    text = (raw or "").strip()
    most = spec.config["max_length"]
    if len(text) > most:
        raise SurveyError(f"at most {most} characters; you wrote {len(text)}")
    return Checked(text or None)


VALIDATORS: dict[QuestionType, Callable[[QuestionSpec, Any, bool], Checked]] = {
    QuestionType.LIKERT: _likert, QuestionType.MATRIX: _matrix, QuestionType.SINGLE: _single,
    QuestionType.MULTIPLE: _multiple, QuestionType.RANKING: _ranking,
    QuestionType.BUDGET: _budget, QuestionType.NUMBER: _number, QuestionType.TEXT: _text,
}


def check_answer(spec: QuestionSpec, raw: Any, final: bool) -> Checked:
    """Validate one raw answer; `final` (submit) also demands completeness and required answers."""
    try:
        checked = VALIDATORS[spec.type](spec, raw, final)
    except SurveyError as exc:
        return _fail(sentence(str(exc)))
    if final and spec.required and checked.value is None:
        return _fail("This question is required.")
    return checked


def sentence(message: str) -> str:
    """Capitalize a rule's message and end it with a full stop."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def check_answers(specs: Sequence[QuestionSpec], raws: Mapping[int, Any],
                  final: bool) -> tuple[dict[int, Any], dict[int, str]]:
    """Validate every answer; return (canonical values of answered questions, errors by question)."""
    values, errors = {}, {}
    for spec in specs:
        checked = check_answer(spec, raws.get(spec.id), final)
        if checked.error:
            errors[spec.id] = checked.error
        elif checked.value is not None:
            values[spec.id] = checked.value
    return values, errors


@dataclass(frozen=True)
class Progress:
    """How far a response is: complete answers out of all and out of the required questions."""

    answered: int
    total: int
    required_answered: int
    required_total: int

    @property
    def ready(self) -> bool:
        """Tell whether every required question has a complete answer."""
        return self.required_answered == self.required_total


def progress(specs: Sequence[QuestionSpec], values: Mapping[int, Any]) -> Progress:
    """Count complete answers (each validated as on submit)."""
    done = {s.id for s in specs
            if s.id in values and check_answer(s, to_raw(s, values[s.id]), True).error is None}
    required = [s for s in specs if s.required]
    return Progress(len(done), len(specs), sum(s.id in done for s in required), len(required))


def to_raw(spec: QuestionSpec, value: Any) -> Any:
    """Turn a stored canonical value back into the raw form input that produces it."""
    if value is None:
        return None
    match spec.type:
        case QuestionType.MATRIX:
            return ["" if v is None else str(v) for v in value]
        case QuestionType.SINGLE:
            return (value["option"], "") if "option" in value else (OTHER, value["other"])
        case QuestionType.MULTIPLE:
            return list(value)
        case QuestionType.RANKING:
            return {int(item): str(rank) for item, rank in value.items()}
        case QuestionType.BUDGET:
            return {int(item): str(points) for item, points in value.items()}
    return str(value)
