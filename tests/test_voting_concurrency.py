"""Many representatives of one company cast and change votes at once (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from core.db import db
from core.users import User
from voting.models import Ballot, BallotError, Vote, VoteRevision
from voting.rules import Kind

THREADS, ROUNDS = 8, 5


def test_one_counted_vote_and_every_version(app, app_factory, database_url, is_postgres,
                                            consortium, make_ballot, make_rep, make_user):
    if not is_postgres:
        pytest.skip("SQLite serializes writers; the PostgreSQL pass of `make test` runs this")
    ballot_id = make_ballot(Kind.MOTION).id  # threads must not touch this session's objects
    ntt = consortium["companies"]["NTT"]
    reps = [consortium["reps"]["NTT"].id] + [make_rep(ntt, make_user()).user.id
                                             for _ in range(THREADS - 1)]
    worker_app = app_factory(database_url)
    barrier, errors, receipts = threading.Barrier(THREADS), [], []

    def work(user_id: int, index: int) -> None:
        with worker_app.app_context():
            barrier.wait()
            for round_ in range(ROUNDS):
                choice = ("yes", "no", "abstain")[(index + round_) % 3]
                try:
                    vote = cast(db.session.get(Ballot, ballot_id), db.session.get(User, user_id),
                                {"vote": choice})
                    receipts.append(vote.receipt)
                except BallotError as exc:  # a clear refusal is allowed; nothing else is
                    errors.append(f"refused: {exc}")
                except Exception as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
            db.session.remove()

    from voting.actions import cast

    threads = [threading.Thread(target=work, args=(uid, i)) for i, uid in enumerate(reps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with worker_app.app_context():
        db.engine.dispose()
    assert [e for e in errors if not e.startswith("refused")] == []
    db.session.expire_all()
    counted = db.session.scalars(select(Vote).where(Vote.ballot_id == ballot_id)).all()
    assert len(counted) == 1
    history = db.session.scalars(select(VoteRevision).order_by(VoteRevision.version)).all()
    assert [r.version for r in history] == list(range(1, len(receipts) + 1))
    assert len(receipts) == THREADS * ROUNDS - len(errors)
    assert counted[0].version == len(history) and counted[0].receipt == history[-1].receipt
