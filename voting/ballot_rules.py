"""Pure ballot rules: phases by the clock, validating a company's choice, deciding from choices."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any

from voting import tally
from voting.rules import (
    ConsensusResponse,
    Kind,
    Outcome,
    Quorum,
    Response,
    Threshold,
    TieBreak,
    Vote,
    consensus,
    motion,
)

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


class Secrecy(StrEnum):
    """Whether the tally names who voted what."""

    OPEN = "open"
    SECRET = "secret"


class ChoiceError(ValueError):
    """A choice the ballot cannot accept; the message says why."""


def phase(stage: Stage, opens_at: datetime, closes_at: datetime, now: datetime) -> Phase:
    """Return the phase at `now`: a vote after closes_at is refused even if no job ran."""
    if stage is not Stage.OPEN:
        return Phase(stage.value)
    if now < opens_at:
        return Phase.UPCOMING
    return Phase.OPEN if now < closes_at else Phase.CLOSED


@dataclass(frozen=True)
class BallotSpec:
    """Everything the count needs, fixed before the ballot opens."""

    kind: Kind
    options: tuple[str, ...] = ()
    quorum: str = "more than 1/2"
    threshold: Threshold = Threshold.SIMPLE_MAJORITY
    tie_break: TieBreak = TieBreak.STATUS_QUO
    unranked: tally.Unranked = tally.Unranked.LAST
    allow_equal_ranks: bool = True
    default_option: str | None = None
    majority: str = "1"

    def quorum_rule(self) -> Quorum:
        """Return the parsed quorum."""
        return Quorum.parse(self.quorum)


def normalize_choice(spec: BallotSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a company's choice and return it in canonical form (or raise ChoiceError)."""
    handler = {Kind.CONSENSUS: _consensus_choice, Kind.MOTION: _motion_choice,
               Kind.PLURALITY: _plurality_choice, Kind.APPROVAL: _approval_choice,
               Kind.RANKED: _ranked_choice}[spec.kind]
    return handler(spec, raw)


def _consensus_choice(spec: BallotSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    try:
        response = Response(str(raw.get("response", "")))
    except ValueError as exc:
        raise ChoiceError("choose support, stand aside or object") from exc
    reason = str(raw.get("reason") or "").strip()
    if len(reason) > MAX_REASON:
        raise ChoiceError(f"the reason is longer than {MAX_REASON} characters")
    if response is Response.OBJECT and not reason:
        raise ChoiceError("an objection needs a reason")
    return {"response": response.value, "reason": reason}


def _motion_choice(spec: BallotSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return {"vote": Vote(str(raw.get("vote", ""))).value}
    except ValueError as exc:
        raise ChoiceError("vote yes, no or abstain") from exc


def _plurality_choice(spec: BallotSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    choice = raw.get("choice")
    if choice in (None, ""):
        return {"choice": None}  # a blank vote: counted as taking part, marks nothing
    if choice not in spec.options:
        raise ChoiceError(f"unknown option {choice!r}")
    return {"choice": choice}


def _approval_choice(spec: BallotSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    marked = list(raw.get("approve") or [])
    unknown = [m for m in marked if m not in spec.options]
    if unknown:
        raise ChoiceError(f"unknown option {unknown[0]!r}")
    if len(set(marked)) != len(marked):
        raise ChoiceError("an option is approved twice")
    return {"approve": [o for o in spec.options if o in marked]}


def _ranked_choice(spec: BallotSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    given = raw.get("ranks") or {}
    if not isinstance(given, Mapping):
        raise ChoiceError("ranks must map options to numbers")
    ranks: dict[str, int] = {}
    for option, value in given.items():
        if option not in spec.options:
            raise ChoiceError(f"unknown option {option!r}")
        if value in (None, ""):
            continue  # unranked; read per the ballot's setting
        try:
            rank = int(value)
        except (TypeError, ValueError) as exc:
            raise ChoiceError(f"the rank of {option} is not a whole number") from exc
        if not 1 <= rank <= len(spec.options):
            raise ChoiceError(f"the rank of {option} must be between 1 and {len(spec.options)}")
        ranks[option] = rank
    if not spec.allow_equal_ranks and len(set(ranks.values())) != len(ranks):
        raise ChoiceError("two options share a rank; this ballot does not allow equal ranks")
    return {"ranks": {o: ranks[o] for o in spec.options if o in ranks}}


def decide(spec: BallotSpec, choices: Sequence[Mapping[str, Any]], eligible: int,
           seed: str | None = None, companies: Sequence[str] = ()) -> Outcome:
    """Count canonical choices (one per company) under the ballot's rules."""
    quorum = spec.quorum_rule()
    if spec.kind is Kind.CONSENSUS:
        names = companies or [f"company {i + 1}" for i in range(len(choices))]
        answers = [ConsensusResponse(name, c["response"], c.get("reason", ""))
                   for name, c in zip(names, choices, strict=True)]
        return consensus(answers, eligible, quorum)
    if spec.kind is Kind.MOTION:
        return motion([c["vote"] for c in choices], eligible, threshold=spec.threshold,
                      quorum=quorum, tie_break=spec.tie_break, seed=seed)
    common = {"tie_break": spec.tie_break, "seed": seed, "default_option": spec.default_option,
              "eligible": eligible, "quorum": quorum}
    if spec.kind is Kind.PLURALITY:
        return tally.plurality(spec.options, [c["choice"] for c in choices], **common)
    if spec.kind is Kind.APPROVAL:
        return tally.approval(spec.options, [c["approve"] for c in choices], **common)
    return tally.ranked(spec.options, [c["ranks"] for c in choices], unranked=spec.unranked,
                        majority=Fraction(spec.majority), **common)


def lot_seed(secret: str, receipts: Sequence[str]) -> str:
    """Derive the lot seed from the secret committed at opening and the sorted receipts."""
    material = secret + "\n" + "\n".join(sorted(receipts))
    return hashlib.sha256(material.encode()).hexdigest()


def commitment(secret: str) -> str:
    """Return the SHA-256 commitment to the lot secret, published while the ballot is open."""
    return hashlib.sha256(secret.encode()).hexdigest()


def redact_reasons(outcome: Mapping[str, Any]) -> dict[str, Any]:
    """Return a consensus outcome with objections counted but their authors and reasons removed."""
    reasons = list(outcome.get("reasons") or [])
    objections = [r for r in reasons if " objected (reason: " in r]
    if not objections:
        return dict(outcome)
    kept = [r for r in reasons if r not in objections]
    count = len(objections)
    said = f"{count} objection{'' if count == 1 else 's'} (reasons are shown to members only)"
    return {**outcome, "reasons": [said, *kept],
            "summary": f"Consensus not reached: {'; '.join([said, *kept])}."}
