"""Pure: the anonymized ballot sheet of a closed ballot as CSV rows (what `voting.recount` reads)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from core.csv_cells import neutral
from voting.ballot_rules import BallotSpec
from voting.rules import Kind


def header(spec: BallotSpec) -> list[str]:
    """Return the CSV header: the options (or the vote column) and the receipt.

    Option labels are written as they are (voting.recount reads them back as the candidates):
    the ballot editor refuses labels a spreadsheet would read as a formula.
    """
    if spec.kind is Kind.MOTION:
        return ["vote", "receipt"]
    if spec.kind is Kind.CONSENSUS:
        return ["response", "reason", "receipt"]
    return [*spec.options, "receipt"]


def row(spec: BallotSpec, choice: Mapping[str, Any], receipt: str) -> list[str]:
    """Return one ballot's cells: ranks, marks, or the vote, then its receipt."""
    if spec.kind is Kind.MOTION:
        return [choice["vote"], receipt]
    if spec.kind is Kind.CONSENSUS:
        # The reason is the one free text here: a spreadsheet must not run it as a formula.
        return [choice["response"], neutral(choice.get("reason", "")), receipt]
    if spec.kind is Kind.RANKED:
        ranks = choice["ranks"]
        return [str(ranks[o]) if o in ranks else "" for o in spec.options] + [receipt]
    marked = choice["approve"] if spec.kind is Kind.APPROVAL else [choice["choice"]]
    return ["1" if o in marked else "" for o in spec.options] + [receipt]


def ballot_sheet(spec: BallotSpec, ballots: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """Write (receipt, choice) pairs as CSV, sorted by receipt so no order is revealed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header(spec))
    for receipt, choice in sorted(ballots, key=lambda pair: pair[0]):
        writer.writerow(row(spec, choice, receipt))
    return out.getvalue()


def describe_choice(kind: Kind, choice: Mapping[str, Any]) -> str:
    """Say a choice in words for the tally sheet."""
    if kind is Kind.CONSENSUS:
        words = choice["response"].replace("_", " ")
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


def without_reasons(choice: Mapping[str, Any]) -> dict[str, Any]:
    """Return a consensus response without its reason text (for the public)."""
    return {**choice, "reason": ""} if "reason" in choice else dict(choice)
