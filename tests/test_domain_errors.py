"""One domain error type: each refusal carries its HTTP status, answered in one place."""

from __future__ import annotations

import pytest

from core.domain_errors import DomainError
from core.member_rules import RegisterError
from cycles.actions import CycleError


def test_statuses_by_class_and_by_instance():
    assert DomainError("x").status == 422
    assert RegisterError("a withdrawn company can become candidate").status == 422
    assert CycleError("already under way", 409).status == 409
    assert CycleError("bad input").status == 422
    assert CycleError("no", status=403).status == 403
    for exc in (RegisterError("x"), CycleError("x", 409)):
        assert isinstance(exc, DomainError) and isinstance(exc, ValueError)

    class Late(DomainError):
        status = 409

    assert Late("too late").status == 409 and Late("forbidden", 403).status == 403


def test_sentence():
    assert CycleError("the vote must close in the future").sentence() == \
        "Not done: the vote must close in the future."
    assert DomainError("Already a member.").sentence() == "Not done: Already a member."
    assert DomainError().sentence() == "Not done."


@pytest.fixture
def refusing_app(disposable_app):
    app = disposable_app()

    @app.get("/refuse")
    def refuse():
        raise CycleError("a revocation of NTT is already under way", 409)

    @app.get("/api/v1/refuse")
    def api_refuse():
        raise RegisterError("a member company can become revoked, withdrawn, not candidate")

    return app


def test_a_refusal_a_view_lets_through_is_a_page(refusing_app):
    resp = refusing_app.test_client().get("/refuse", headers={"X-Request-ID": "dom-1"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 409 and resp.mimetype == "text/html"
    assert "Not done: a revocation of NTT is already under way." in page and "dom-1" in page


def test_a_refusal_on_the_api_is_json(refusing_app):
    resp = refusing_app.test_client().get("/api/v1/refuse")
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["error"] == 422 and body["message"].startswith("Not done: a member company")
