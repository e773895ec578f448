"""Many representatives of one company cast and change votes at once (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from core.db import db
from core.users import User
from voting.errors import BallotError
from voting.models import Ballot
from voting.outcome import Kind
from voting.votes import Vote, VoteRevision

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


def test_a_vote_waiting_on_a_lock_across_the_close_is_refused(app, app_factory, database_url,
                                                              is_postgres, consortium,
                                                              make_ballot, travel):
    """Hold the company's vote row across the closing moment: the waiting vote must not count."""
    import time
    from datetime import timedelta

    from sqlalchemy import text

    from core import clock
    from voting.actions import cast
    from voting.errors import WrongPhase

    if not is_postgres:
        pytest.skip("SQLite has no row locks; the PostgreSQL pass of `make test` runs this")
    ballot = make_ballot(Kind.MOTION, hours=1)
    ntt = consortium["reps"]["NTT"]
    cast(ballot, ntt, {"vote": "yes"})
    ballot_id, user_id, closes_at = ballot.id, ntt.id, ballot.closes_at
    travel(closes_at - timedelta(seconds=1))
    worker_app, outcome = app_factory(database_url), []
    holder = db.engine.connect()
    holder.begin()
    holder.execute(text("SELECT id FROM vote WHERE ballot_id = :b FOR UPDATE"), {"b": ballot_id})

    def late_vote() -> None:
        with worker_app.app_context():
            try:
                cast(db.session.get(Ballot, ballot_id), db.session.get(User, user_id),
                     {"vote": "no"})
                outcome.append("stored")
            except WrongPhase as exc:
                outcome.append(f"refused: {exc}")
            except Exception as exc:  # anything else is a failure of the guarantee
                outcome.append(f"{type(exc).__name__}: {exc}")
            finally:
                db.session.remove()

    worker = threading.Thread(target=late_vote)
    worker.start()
    waited = 0.0
    while waited < 10 and not db.session.scalar(text(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'")):
        time.sleep(0.05)
        waited += 0.05
    assert waited < 10, "the late vote never waited on the row lock"
    travel(closes_at + timedelta(seconds=1))  # the close passes while the vote waits
    holder.rollback()
    holder.close()
    worker.join(timeout=30)
    with worker_app.app_context():
        db.engine.dispose()
    assert len(outcome) == 1 and outcome[0].startswith("refused: this ballot is closed"), outcome
    db.session.expire_all()
    counted = db.session.scalars(select(Vote).where(Vote.ballot_id == ballot_id)).one()
    assert counted.choice == {"vote": "yes"} and counted.cast_at < closes_at
    history = db.session.scalars(select(VoteRevision)
                                 .where(VoteRevision.ballot_id == ballot_id)).all()
    assert len(history) == 1 and all(r.cast_at < closes_at for r in history)
    assert clock.now() > closes_at
