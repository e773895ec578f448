"""Pure ballot rules: stages and phases by the clock, the fixed spec, validating a company's choice."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any

from voting.outcome import Kind
from voting.rules import DEFAULT_QUORUM, Quorum, Response, Threshold, Vote
from voting.schulze import Unranked
from voting.tiebreak import TieBreak

MAX_REASON = 2000


class Stage(StrEnum):
    """What the chair has done with a ballot (stored)."""

    DRAFT = "draft"
    OPEN = "open"  # opened by the chair; voting runs from opens_at to closes_at
    DECIDED = "decided"
    PUBLISHED = "published"


class Phase(StrEnum):
    """Where a ballot stands at a moment (derived from the stage and the clock)."""

    DRAFT = "draft"
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    DECIDED = "decided"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class Secrecy(StrEnum):
    """Whether the tally names who voted what."""

    OPEN = "open"
    SECRET = "secret"


class ChoiceError(ValueError):
    """A choice the ballot cannot accept; the message says why."""


def phase(stage: Stage, opens_at: datetime, closes_at: datetime, now: datetime,
          withdrawn: bool = False) -> Phase:
    """Return the phase at `now`: a vote at or after closes_at is refused even if no job ran."""
    if withdrawn:
        return Phase.WITHDRAWN
    if stage is not Stage.OPEN:
        return Phase(stage.value)
    if now < opens_at:
        return Phase.UPCOMING
    return Phase.OPEN if now < closes_at else Phase.CLOSED


def phase_refusal(current: Phase, allowed: tuple[Phase, ...]) -> str:
    """Say why something is refused in the current phase."""
    return (f"this ballot is {current}; that is possible only when "
            f"{' or '.join(p.value for p in allowed)}")


STATE_WORDS = {
    Phase.DRAFT: "Draft, not yet open",
    Phase.UPCOMING: "Upcoming",
    Phase.OPEN: "Open for votes",
    Phase.CLOSED: "Voting ended, awaiting the count",
    Phase.DECIDED: "Counted, awaiting publication",
    Phase.PUBLISHED: "Published",
    Phase.WITHDRAWN: "Withdrawn",
}
KIND_WORDS = {"consensus": "Consensus round", "motion": "Motion", "plurality": "Single choice",
              "approval": "Approval vote", "ranked": "Ranked vote"}


def state_words(current: Phase, awaiting_casting_vote: bool = False) -> str:
    """Say where a ballot stands in one phrase (a tie awaiting the casting vote is not decided)."""
    if current is Phase.DECIDED and awaiting_casting_vote:
        return "Tied, awaiting the casting vote"
    return STATE_WORDS[current]


@dataclass(frozen=True)
class BallotSpec:
    """Everything the count needs, fixed before the ballot opens (`tie_break`: the rule in force)."""

    kind: Kind
    options: tuple[str, ...] = ()
    quorum: Quorum = DEFAULT_QUORUM
    threshold: Threshold = Threshold.SIMPLE_MAJORITY
    tie_break: TieBreak = TieBreak.STATUS_QUO
    unranked: Unranked = Unranked.LAST
    allow_equal_ranks: bool = True
    default_option: str | None = None
    majority: Fraction = Fraction(1)


def check_text(text: Any, what: str, limit: int) -> str:
    """Return `text` stripped, refusing non-strings, NUL, lone surrogates and overlong text."""
    if text is None:
        return ""
    if not isinstance(text, str):
        raise ChoiceError(f"{what} must be text")
    if "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text):
        raise ChoiceError(f"{what} holds characters that are not valid text")
    text = text.strip()
    if len(text) > limit:
        raise ChoiceError(f"{what} is longer than {limit} characters")
    return text


def normalize_choice(spec: BallotSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a company's choice and return it in canonical form (or raise ChoiceError)."""
    if not isinstance(raw, Mapping):
        raise ChoiceError("a vote is an object of named fields")
    handler = {Kind.CONSENSUS: _consensus_choice, Kind.MOTION: _motion_choice,
               Kind.PLURALITY: _plurality_choice, Kind.APPROVAL: _approval_choice,
               Kind.RANKED: _ranked_choice}[spec.kind]
    return handler(spec, raw)


def _word(raw: Mapping[str, Any], key: str, allowed: type[StrEnum], message: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or value not in {m.value for m in allowed}:
        raise ChoiceError(message)
    return value


def _consensus_choice(spec: BallotSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    response = _word(raw, "response", Response, "choose support, stand aside or object")
    reason = check_text(raw.get("reason"), "the reason", MAX_REASON)
    if response == Response.OBJECT and not reason:
        raise ChoiceError("an objection needs a reason")
    return {"response": response, "reason": reason}


def _motion_choice(spec: BallotSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    return {"vote": _word(raw, "vote", Vote, "vote yes, no or abstain")}


def _plurality_choice(spec: BallotSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    choice = raw.get("choice")
    if choice in (None, ""):
        return {"choice": None}  # a blank vote: counted as taking part, marks nothing
    if not isinstance(choice, str) or choice not in spec.options:
        raise ChoiceError(f"unknown option {str(choice)[:200]!r}")
    return {"choice": choice}


def _approval_choice(spec: BallotSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    marked = raw.get("approve") or []
    if not isinstance(marked, list | tuple):
        raise ChoiceError("approve must be a list of options")
    if unknown := [m for m in marked if not isinstance(m, str) or m not in spec.options]:
        raise ChoiceError(f"unknown option {str(unknown[0])[:200]!r}")
    if len(set(marked)) != len(marked):
        raise ChoiceError("an option is approved twice")
    return {"approve": [o for o in spec.options if o in marked]}


def _rank(option: str, value: Any, size: int) -> int | None:
    """Read one rank: a whole number 1..size, a string of digits, or empty for unranked."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 6:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise ChoiceError(f"the rank of {option} is not a whole number")
    if not 1 <= value <= size:
        raise ChoiceError(f"the rank of {option} must be between 1 and {size}")
    return value


def _ranked_choice(spec: BallotSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    given = raw.get("ranks") or {}
    if not isinstance(given, Mapping):
        raise ChoiceError("ranks must map options to numbers")
    ranks: dict[str, int] = {}
    for option, value in given.items():
        if option not in spec.options:
            raise ChoiceError(f"unknown option {str(option)[:200]!r}")
        if (rank := _rank(option, value, len(spec.options))) is not None:
            ranks[option] = rank
    if not spec.allow_equal_ranks and len(set(ranks.values())) != len(ranks):
        raise ChoiceError("two options share a rank; this ballot does not allow equal ranks")
    return {"ranks": {o: ranks[o] for o in spec.options if o in ranks}}


# What a stored choice that no longer reads as valid counts as: the company took part, and what
# cannot be read of its choice counts for nothing (an objection stays an objection).
BLANK: dict[Kind, dict[str, Any]] = {
    Kind.CONSENSUS: {"response": "stand_aside", "reason": ""}, Kind.MOTION: {"vote": "abstain"},
    Kind.PLURALITY: {"choice": None}, Kind.APPROVAL: {"approve": []}, Kind.RANKED: {"ranks": {}}}
UNREADABLE_REASON = "(no readable reason)"


def stored_choice(spec: BallotSpec, stored: Any) -> dict[str, Any]:
    """Read a choice back from the database as counted: canonical, or its readable part, or blank."""
    try:
        return normalize_choice(spec, stored)
    except ChoiceError:
        pass
    try:
        return normalize_choice(spec, _readable_part(spec, stored))
    except ChoiceError:
        return dict(BLANK[spec.kind])


def _readable_part(spec: BallotSpec, stored: Any) -> dict[str, Any]:
    """Keep what can be read of a stored choice: text as text, known options, whole ranks."""
    raw = dict(stored) if isinstance(stored, Mapping) else {}
    if spec.kind is Kind.CONSENSUS:
        reason = raw.get("reason")
        text = "" if reason is None else reason if isinstance(reason, str) else str(reason)
        text = re.sub("[\x00\ud800-\udfff]", "\ufffd", text).strip()[:MAX_REASON]
        objects = raw.get("response") == Response.OBJECT
        return {"response": raw.get("response"), "reason": text or (
            UNREADABLE_REASON if objects else "")}
    if spec.kind is Kind.APPROVAL:
        marked = raw.get("approve")
        marked = marked if isinstance(marked, list) else []
        return {"approve": list(dict.fromkeys(m for m in marked if isinstance(m, str)
                                              and m in spec.options))}
    if spec.kind is Kind.RANKED:
        ranks = raw.get("ranks")
        return {"ranks": {o: r for o, r in ranks.items() if o in spec.options
                          and _whole_rank(o, r, len(spec.options))}
                if isinstance(ranks, Mapping) else {}}
    return raw


def _whole_rank(option: str, value: Any, size: int) -> bool:
    """Tell whether a stored rank reads as a whole number in range."""
    try:
        return _rank(option, value, size) is not None
    except ChoiceError:
        return False
