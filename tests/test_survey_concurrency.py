"""Two representatives of one company editing its one response at once: one response, every edit
in its history, and a clear 409 (never a 500) for the one who collides."""

from __future__ import annotations

import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from session_helpers import signed_in
from sqlalchemy import func, select
from survey_helpers import every_type, make_items, make_survey, qid, valid_post

from core.db import db
from core.users import User
from surveys import responses as responses_module
from surveys.responses import Response
from surveys.rules import QuestionType

CONFLICT = "saved this response while you were editing it"


@pytest.fixture
def w(app, make_company, make_rep):
    app.config["WTF_CSRF_ENABLED"] = False
    att = make_company("AT&T")
    carol, andy = make_rep(att).user, make_rep(att).user
    items = [i.id for i in make_items("Logging", "Telemetry", "Tempest")]
    survey = make_survey(every_type(items))
    return SimpleNamespace(carol=carol, andy=andy, items=items, survey=survey,
                           url=f"/surveys/{survey.id}/answer")


def answers(w, base: int, fte: str) -> dict[str, str]:
    return {**valid_post(w.survey, w.items, base_version=str(base),
                         **{f"q{qid(w.survey, QuestionType.NUMBER)}": fte}), "send": "Submit"}


def the_response() -> Response:
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    return db.session.scalars(select(Response)).one()


def base_in(page: str) -> str:
    return re.search(r'name="base_version" type="hidden" value="(\d+)"', page).group(1)


def test_a_save_over_a_colleagues_newer_save_is_a_clear_conflict(client, login, w):
    """The sequential collision (both databases): Andy's form predates Carol's save."""
    login(w.carol)
    assert client.post(w.url, data=answers(w, 0, "10")).status_code == 302
    login(w.andy)
    resp = client.post(w.url, data=answers(w, 0, "20"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 409 and CONFLICT in page and w.carol.name in page
    assert 'value="20"' in page  # Andy's answers are kept for him to save again
    assert base_in(page) == "1"
    assert client.post(w.url, data=answers(w, 1, "20")).status_code == 302
    response = the_response()
    assert [(v.saved_by, v.values()[qid(w.survey, QuestionType.NUMBER)]) for v in response.versions] \
        == [(w.carol, "10"), (w.andy, "20")]
    assert response.submitted_number == 2


def test_a_stale_version_is_caught_by_the_database_too(app, w):
    """Even if both read the same version, the optimistic lock refuses the second write."""
    from sqlalchemy.orm.exc import StaleDataError

    with app.test_request_context():
        first = responses_module.save(w.survey, w.carol.company(), w.carol, 0, {}, False)
        db.session.commit()
        response = first.response
        responses_module.save(w.survey, w.carol.company(), w.carol, 1, {}, False)
        with db.engine.begin() as other:  # someone else's save lands in between
            other.execute(Response.__table__.update().values(version=2))
        with pytest.raises(StaleDataError):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(Response, response.id).version == 2


def _post_as(app, user_id: int, url: str, data: dict) -> tuple[int, str]:
    """Post from a thread with its own app context, session and test client."""
    with app.app_context():
        client = app.test_client()
        with client.session_transaction() as sess:
            sess.update(signed_in(db.session.get(User, user_id)))
        resp = client.post(url, data=data)
        result = resp.status_code, resp.get_data(as_text=True)
        db.session.remove()
        return result


def _race(app, w, monkeypatch, bases: tuple[int, int]) -> list[tuple[int, str]]:
    """Let both requests read the response before either writes, then let them collide."""
    barrier = threading.Barrier(2, timeout=10)
    original = responses_module.save

    def save_then_wait(*args, **kwargs):
        version = original(*args, **kwargs)
        barrier.wait()  # both have read the same version; now both try to write
        return version

    monkeypatch.setattr("surveys.views.responses.save", save_then_wait)
    jobs = [(w.carol.id, answers(w, bases[0], "31")), (w.andy.id, answers(w, bases[1], "32"))]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda job: _post_as(app, job[0], w.url, job[1]), jobs))
    monkeypatch.setattr("surveys.views.responses.save", original)
    return results


@pytest.fixture
def guards(monkeypatch) -> list[str]:
    """Record which exception each conflict page answered."""
    import surveys.views

    seen: list[str] = []
    original = surveys.views._conflict

    def spy(*args, **kwargs):
        seen.append(type(sys.exc_info()[1]).__name__)
        return original(*args, **kwargs)

    monkeypatch.setattr(surveys.views, "_conflict", spy)
    return seen


def test_simultaneous_edits_on_postgresql(app, w, is_postgres, monkeypatch, guards):
    if not is_postgres:
        pytest.skip("SQLite serializes writers; the sequential collision above runs here and "
                    "the PostgreSQL pass (CONCORD_TEST_POSTGRES) covers the real race")
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 must show up as a status, not a raise
    user_of = {w.carol.id: w.carol.name, w.andy.id: w.andy.name}
    for round_bases in ((0, 0), (2, 2)):  # first both create it, then both update it
        results = _race(app, w, monkeypatch, round_bases)
        statuses = sorted(status for status, _ in results)
        assert statuses == [302, 409], results
        loser = next(i for i, (status, _) in enumerate(results) if status == 409)
        page = results[loser][1]
        assert CONFLICT in page
        loser_id = (w.carol.id, w.andy.id)[loser]
        retry = _post_as(app, loser_id, w.url, answers(w, int(base_in(page)), "33"))
        assert retry[0] == 302, user_of[loser_id]
    # The losers were stopped by the database: the unique index, then the version check.
    assert guards == ["IntegrityError", "StaleDataError"]
    response = the_response()
    assert response.version == 4 and response.submitted_number == 4
    savers = {v.saved_by.name for v in response.versions}
    assert savers == {w.carol.name, w.andy.name}
    assert [v.number for v in response.versions] == [1, 2, 3, 4]
