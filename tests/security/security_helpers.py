"""Shared steps of the security tests: row counts of every table, and a world with two companies."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from survey_helpers import every_type, make_items, make_survey

from core import clock
from core.db import db
from voting.outcome import Kind
from voting.tiebreak import TieBreak

# An id no table will ever hold (the int converter refuses what a database integer cannot hold).
UNKNOWN_IDS = (0, 987_654, 2**31 - 1, 2**31, 2**63, 10**30)


def table_counts() -> dict[str, int]:
    """Count the rows of every table of the models in one query."""
    tables = db.metadata.sorted_tables
    sql = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t.name}") AS "{t.name}"' for t in tables)
    row = db.session.execute(text(sql)).one()
    return dict(zip([t.name for t in tables], row, strict=True))


def changed_tables(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Return the tables whose row count changed: name -> (before, after)."""
    return {name: (before[name], after[name]) for name in before if before[name] != after[name]}


def add_choice_ballots(make_ballot) -> dict[str, int]:
    """Open one ballot of each kind with options, and a closed ballot awaiting its count."""
    options = ("Alpha", "Beta", "Gamma")
    ballots = {
        "consensus_ballot": make_ballot(Kind.CONSENSUS),
        "plurality_ballot": make_ballot(Kind.PLURALITY, options, tie_break=TieBreak.CASTING_VOTE),
        "approval_ballot": make_ballot(Kind.APPROVAL, options),
        "ranked_ballot": make_ballot(Kind.RANKED, options),
        # Created and opened two days ago, closed an hour ago: awaiting its count.
        "closed_ballot": make_ballot(Kind.MOTION, title="Closed motion",
                                     at=clock.now() - timedelta(days=2), hours=47),
        "draft2": make_ballot(Kind.PLURALITY, options, draft=True, title="Second draft"),
    }
    return {name: b.id for name, b in ballots.items()}


def add_answer_survey() -> tuple[int, list[int]]:
    """Open a survey with one question of each type; return its id and its roadmap item ids."""
    items = [i.id for i in make_items("Fuzz logging", "Fuzz telemetry", "Fuzz tempest")]
    survey = make_survey(every_type(items), title="Every type")
    return survey.id, items


def add_spare_company(make_company, make_rep, make_user) -> dict[str, int]:
    """Add a member company with its own representative, for routes that end or change them."""
    spare = make_company("Spare Networks")
    rep = make_rep(spare, make_user("Spare Rep"))
    return {"spare_company": spare.id, "spare_rep": rep.id}
