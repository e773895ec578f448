"""Demo decisions of every kind, run through the real voting actions at past moments.

Published: a consensus round that reached consensus; one that did not, followed by its
called vote (tied, settled by the chair's casting vote); tied motions settled by the status
quo and by lot; a ranked ballot with open ballots; a secret ranked ballot with a tie settled
by lot. Open now: a consensus round and a ranked ballot to try. `python -m voting.verify`
agrees with every published one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core import audit, clock
from core.db import db
from core.members import ChairTerm, Company, Representative
from core.users import User
from voting import actions
from voting.models import Ballot, Option
from voting.outcome import Kind

SUPPORT, ASIDE, OBJECT = "support", "stand_aside", "object"
QUEENS = ("Live migration hardening", "Neutron scale-out", "Containerized control plane",
          "NFV CI pipeline")


def _rep(slug: str) -> User:
    """Return the demo company's first representative."""
    stmt = (select(User).join(Representative, Representative.user_id == User.id)
            .join(Company, Company.id == Representative.company_id)
            .where(Company.slug == slug).order_by(Representative.kind, User.id))
    return db.session.scalars(stmt).first()


def _ballot(chair: User, title: str, kind: Kind, start: datetime, text: str,
            options: tuple[str, ...] = (), days: int = 7, **settings: Any) -> Ballot:
    """Draft and open a ballot as the chair at `start`."""
    with clock.frozen(start):
        ballot = Ballot(title=title, text=text, kind=kind, opens_at=start,
                        closes_at=start + timedelta(days=days), created_by=chair, **settings)
        ballot.options = [Option(position=i, label=o) for i, o in enumerate(options, 1)]
        db.session.add(ballot)
        audit.record("ballot.create", ballot, actor=chair, title=title, kind=kind.value)
        members = ballot.open()
        audit.record("ballot.open", ballot, actor=chair, electorate=[c.name for c in members],
                     lot_commitment=ballot.lot_commitment)
    return ballot


def _votes(ballot: Ballot, votes: dict[str, dict[str, Any]]) -> None:
    """Cast each company's vote an hour apart, as its representative."""
    for hour, (slug, choice) in enumerate(votes.items(), start=1):
        with clock.frozen(ballot.opens_at + timedelta(hours=hour)):
            actions.cast(ballot, _rep(slug), choice)


def _conclude(ballot: Ballot, chair: User, statement: str = "", casting: str | None = None):
    """Count after the close, settle a tie by the chair's casting vote, publish."""
    with clock.frozen(ballot.closes_at + timedelta(hours=1)):
        actions.decide_ballot(ballot)
        if casting is not None:
            actions.record_casting_vote(ballot, casting, chair)
        actions.publish(ballot, statement)
    db.session.commit()


def _rank(*order: str) -> dict[str, dict[str, int]]:
    return {"ranks": {name: place for place, name in enumerate(order, start=1)}}


def load_demo_decisions() -> None:
    """Create the demo decisions (commits as it goes, as each vote does)."""
    chair = ChairTerm.current().user
    now = clock.now().replace(minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    reached = _ballot(chair, "Adopt the Pike roadmap priorities", Kind.CONSENSUS, now - 80 * day,
                      "Adopt the five priorities of the Pike roadmap survey as the consortium's.")
    _votes(reached, {"att": {"response": SUPPORT}, "ntt": {"response": SUPPORT},
                     "orange": {"response": SUPPORT}, "reliance-jio": {"response": ASIDE},
                     "walmart": {"response": SUPPORT}})
    _conclude(reached, chair, "Adopted by consensus.")
    failed = _ballot(chair, "Move the weekly call to 15:00 UTC", Kind.CONSENSUS, now - 70 * day,
                     "Hold every weekly call at 15:00 UTC instead of alternating.")
    _votes(failed, {"att": {"response": SUPPORT}, "ntt": {"response": OBJECT, "reason":
                    "That is midnight in Tokyo; keep alternating 14:00 and 04:00 UTC."},
                    "orange": {"response": SUPPORT}, "reliance-jio": {"response": ASIDE},
                    "walmart": {"response": SUPPORT}})
    _conclude(failed, chair)
    with clock.frozen(failed.closes_at + 2 * day):
        called = actions.call_vote(failed, chair)
        called.tie_break = "casting_vote"
        called.closes_at = called.opens_at + 7 * day
    _open_called(called, chair)
    _votes(called, {"att": {"vote": "yes"}, "ntt": {"vote": "no"}, "orange": {"vote": "yes"},
                    "reliance-jio": {"vote": "no"}, "walmart": {"vote": "abstain"}})
    _conclude(called, chair, "Tied 2-2; carried by the chair's casting vote.", casting="yes")
    for title, rule, start in (("Fund a shared LMA test lab", "status_quo", 50),
                               ("Target Queens for the container work", "lot", 40)):
        tied = _ballot(chair, title, Kind.MOTION, now - start * day, f"Motion: {title}.",
                       tie_break=rule)
        _votes(tied, {"att": {"vote": "yes"}, "ntt": {"vote": "no"}, "orange": {"vote": "no"},
                      "reliance-jio": {"vote": "yes"}, "walmart": {"vote": "abstain"}})
        _conclude(tied, chair)
    _ranked(chair, now)


def _open_called(ballot: Ballot, chair: User) -> None:
    with clock.frozen(ballot.opens_at):
        members = ballot.open()
        audit.record("ballot.open", ballot, actor=chair, electorate=[c.name for c in members],
                     lot_commitment=ballot.lot_commitment)
    db.session.commit()


def _ranked(chair: User, now: datetime) -> None:
    """Publish a ranked ballot with open ballots and a secret one with a tie; open two to try."""
    day = timedelta(days=1)
    queens = _ballot(chair, "Prioritize the Queens work items", Kind.RANKED, now - 30 * day,
                     "Rank the Queens work items; unranked items count as ranked last.", QUEENS,
                     tie_break="casting_vote")
    _votes(queens, {"att": _rank(*QUEENS), "ntt": _rank(QUEENS[1], QUEENS[0], QUEENS[2]),
                    "orange": _rank(QUEENS[0], QUEENS[2]), "reliance-jio": _rank(*QUEENS[::-1]),
                    "walmart": _rank(QUEENS[0], QUEENS[1])})
    _conclude(queens, chair, "Live migration hardening leads the Queens list.")
    cities = ("Berlin", "Tokyo", "Vancouver")
    meetup = _ballot(chair, "Host city of the 2027 operators' meetup", Kind.RANKED,
                     now - 20 * day, "Secret ranked ballot: rank the candidate host cities.",
                     cities, secrecy="secret", tie_break="lot")
    _votes(meetup, {"att": _rank("Berlin", "Tokyo", "Vancouver"),
                    "ntt": _rank("Tokyo", "Berlin", "Vancouver"),
                    "orange": _rank("Berlin", "Tokyo"), "reliance-jio": _rank("Tokyo", "Berlin")})
    _conclude(meetup, chair, "Berlin and Tokyo tied; the lot decided.")
    _ballot(chair, "Endorse the Rocky survey questions", Kind.CONSENSUS, now - day,
            "Endorse the draft questions of the Rocky roadmap survey.", days=6)
    _ballot(chair, "Prioritize the Rocky work items", Kind.RANKED, now - day,
            "Rank the Rocky work items.", QUEENS, days=10, tie_break="casting_vote")
    db.session.commit()
