"""Pure: a counted choice in words, for the tally sheet of an open ballot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voting.outcome import Kind


def describe_choice(kind: Kind, choice: Mapping[str, Any]) -> str:
    """Say a choice in words; an objection's withheld reason (None) is said to be withheld."""
    if kind is Kind.CONSENSUS:
        words = choice["response"].replace("_", " ")
        if choice["response"] == "object" and choice.get("reason") is None:
            return f"{words}: (reason shown to members only)"
        return f"{words}: {choice['reason']}" if choice.get("reason") else words
    if kind is Kind.MOTION:
        return choice["vote"]
    if kind is Kind.PLURALITY:
        return choice["choice"] or "blank"
    if kind is Kind.APPROVAL:
        return ", ".join(choice["approve"]) or "none approved"
    ranks = choice["ranks"]
    order = sorted(ranks, key=lambda o: ranks[o])
    return " > ".join(f"{o} ({ranks[o]})" for o in order) or "nothing ranked"
