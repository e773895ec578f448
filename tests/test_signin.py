"""Sign-in end to end over real HTTP against the OpenID Connect provider on 127.0.0.1."""

from __future__ import annotations

import logging
import re
import socket

import pytest
import requests
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from core.db import db
from core.members import Invitation, RepKind, Representative
from core.sessions import AUTH_KEY
from core.users import User


def sign_in(live, sub: str, session: requests.Session | None = None) -> requests.Response:
    """Run the whole code flow as `sub` through the provider's auto-approval."""
    live.provider.faults.auto_approve_sub = sub
    session = session or requests.Session()
    return session.get(f"{live.url}/auth/login", timeout=10)


def user_by_sub(sub: str) -> User | None:
    db.session.expire_all()
    return db.session.scalars(select(User).where(User.subject == sub)).first()


@pytest.fixture
def ntt(make_company):
    return make_company("NTT")


def test_success_binds_invitation_and_shows_company(live, ntt):
    Invitation.create(ntt, "naoko@ntt.example", RepKind.REPRESENTATIVE, None, 30)
    db.session.commit()
    resp = sign_in(live, "naoko-ntt")
    assert resp.status_code == 200 and resp.url == f"{live.url}/"
    assert "You act for <strong>NTT</strong>" in resp.text
    user = user_by_sub("naoko-ntt")
    assert user.issuer == live.provider.url and user.email_verified is True
    rep = db.session.scalars(select(Representative).where(Representative.user_id == user.id)).one()
    assert rep.company_id == ntt.id
    assert db.session.scalars(select(Invitation)).one().accepted_by_id == user.id


def test_sign_in_through_the_provider_form(live):
    session = requests.Session()
    page = session.get(f"{live.url}/auth/login", timeout=10)
    assert page.url.startswith(live.provider.url) and "Approve" in page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    resp = session.post(requests.compat.urljoin(page.url, action.replace("&amp;", "&")),
                        data={**hidden, "sub": "nina-public", "action": "approve"}, timeout=10)
    assert resp.status_code == 200
    assert "not a representative of any member company" in resp.text
    assert "nina@example.org" in resp.text


@pytest.mark.parametrize(
    ("mode", "status", "message"),
    [
        ("unsigned", 400, "not correctly signed"),
        ("wrong_key", 400, "not correctly signed"),
        ("wrong_issuer", 400, "unexpected issuer"),
        ("expired", 400, "has expired"),
        ("wrong_nonce", 400, "nonce mismatch"),
        ("wrong_audience", 400, "Sign-in refused"),
    ],
)
def test_bad_id_tokens_are_refused(live, mode, status, message, caplog):
    live.provider.faults.id_token = mode
    with caplog.at_level(logging.WARNING, logger="concord.auth"):
        resp = sign_in(live, "naoko-ntt")
    assert resp.status_code == status
    assert message in resp.text and "Try signing in again" in resp.text
    assert user_by_sub("naoko-ntt") is None
    assert any("sign-in failed" in r.getMessage() for r in caplog.records)


def test_consent_denied(live):
    live.provider.faults.deny_consent = True
    resp = sign_in(live, "naoko-ntt")
    assert resp.status_code == 403 and "Sign-in cancelled" in resp.text
    assert "Try signing in again" in resp.text


def test_state_mismatch(live):
    session = requests.Session()
    live.provider.faults.auto_approve_sub = "naoko-ntt"
    first = session.get(f"{live.url}/auth/login", allow_redirects=False, timeout=10)
    at_idp = session.get(first.headers["Location"], allow_redirects=False, timeout=10)
    callback = at_idp.headers["Location"]
    forged = re.sub(r"state=[^&]+", "state=forged", callback)
    resp = session.get(forged, timeout=10)
    assert resp.status_code == 400 and "state mismatch" in resp.text
    replay_ok = session.get(callback, timeout=10)
    assert replay_ok.status_code == 200
    again = session.get(callback, timeout=10)  # a used state cannot be replayed
    assert again.status_code == 400 and "state mismatch" in again.text
    assert user_by_sub("naoko-ntt") is not None


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_provider_unreachable_at_login(app_factory, database_url, app):
    rp = app_factory(database_url, OIDC_ISSUER=f"http://127.0.0.1:{_closed_port()}")
    resp = rp.test_client().get("/auth/login")
    assert resp.status_code == 503 and "did not answer" in resp.get_data(as_text=True)
    assert "Try signing in again" in resp.get_data(as_text=True)


def test_provider_goes_down_before_the_token_exchange(live):
    session = requests.Session()
    live.provider.faults.auto_approve_sub = "naoko-ntt"
    first = session.get(f"{live.url}/auth/login", allow_redirects=False, timeout=10)
    at_idp = session.get(first.headers["Location"], allow_redirects=False, timeout=10)
    live.provider.stop()
    resp = session.get(at_idp.headers["Location"], timeout=10)
    assert resp.status_code == 503 and "did not answer" in resp.text


def test_unverified_email_never_binds(live, make_company):
    orange = make_company("Orange")
    Invitation.create(orange, "uma@orange.example", RepKind.ALTERNATE, None, 30)
    db.session.commit()
    resp = sign_in(live, "uma-unverified")
    assert "not verified by OpenStackID" in resp.text
    user = user_by_sub("uma-unverified")
    assert user.email_verified is False and user.representation() is None
    assert Invitation.open_for("uma@orange.example")  # still open
    live.provider.users["uma-unverified"]["email_verified"] = True
    resp = sign_in(live, "uma-unverified")
    assert "You act for <strong>Orange</strong>" in resp.text


def test_second_sign_in_finds_same_user_after_email_change(live, ntt):
    sign_in(live, "naoko-ntt")
    first = user_by_sub("naoko-ntt")
    live.provider.users["naoko-ntt"]["email"] = "naoko.tanaka@ntt.example"
    sign_in(live, "naoko-ntt")
    db.session.expire_all()
    users = db.session.scalars(select(User)).all()
    assert [u.id for u in users] == [first.id]
    assert users[0].email == "naoko.tanaka@ntt.example"


def test_rp_initiated_logout(live):
    session = requests.Session()
    home = sign_in(live, "nina-public", session)
    token = re.search(r'name="csrf_token" value="([^"]+)"', home.text).group(1)
    resp = session.post(f"{live.url}/auth/logout", data={"csrf_token": token}, timeout=10)
    assert resp.status_code == 200 and resp.url == f"{live.url}/"
    assert "signed out of Concord and OpenStackID" in resp.text
    assert "Sign in with OpenStackID" in resp.text


def test_provider_error_page_shows_our_words_and_the_code_only(client):
    resp = client.get("/auth/callback?error=temporarily_unavailable&error_description="
                      "Call+%2B1+555+0100+to+unlock+your+account")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "Sign-in failed" in page
    assert "error code: temporarily_unavailable" in page and "Try signing in again" in page
    assert "555" not in page and "unlock" not in page
    resp = client.get("/auth/callback?error=visit+evil.example+now")
    page = resp.get_data(as_text=True)
    assert "error code: unrecognised" in page and "evil.example" not in page


def test_sign_in_starts_a_new_session(live):
    serializer = SecureCookieSessionInterface().get_signing_serializer(live.app)
    browser = requests.Session()
    browser.cookies.set("concord_session", serializer.dumps({"planted": "before sign-in"}),
                        domain="127.0.0.1", path="/")
    assert sign_in(live, "nina-public", browser).status_code == 200
    first = serializer.loads(browser.cookies.get("concord_session"))
    assert "planted" not in first and first["_user_id"] == str(user_by_sub("nina-public").id)
    assert len(first[AUTH_KEY]["sid"]) >= 16 and first[AUTH_KEY]["epoch"] == 0
