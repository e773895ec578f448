"""The loopback OpenID Connect provider, driven over real HTTP the way a relying party drives it."""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet

from devtools.demo_people import DEMO_PEOPLE
from devtools.oidc.server import client_from_args, parse_args
from devtools.oidc_provider import (
    SIGN_IN_TITLE,
    WRONG_AUDIENCE,
    WRONG_ISSUER,
    Faults,
    ProviderServer,
    create_provider_app,
)

CLIENT_ID = "concord-test"
CLIENT_SECRET = "test-secret"
REDIRECT_URI = "http://127.0.0.1:5999/auth/callback"
POST_LOGOUT_URI = "http://127.0.0.1:5999/"
CLIENT = {
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
    "redirect_uris": [REDIRECT_URI],
    "post_logout_redirect_uris": [POST_LOGOUT_URI],
}
TIMEOUT = 5


@pytest.fixture(scope="module")
def provider():
    """One provider for the module: generating its RSA key is the slow part."""
    with ProviderServer([CLIENT]) as server:
        yield server


@pytest.fixture(autouse=True)
def _reset_provider(provider):
    """Leave no fault switched on and no person edited for the next test."""
    yield
    provider.reset()


@pytest.fixture(scope="module")
def metadata(provider):
    """The discovery document, fetched the way a relying party does."""
    response = requests.get(f"{provider.url}/.well-known/openid-configuration", timeout=TIMEOUT)
    response.raise_for_status()
    return response.json()


@dataclass
class AuthRequest:
    """One authorization request and the secrets the relying party keeps for it."""

    client: OAuth2Session
    url: str
    state: str
    nonce: str
    verifier: str


def start(metadata, scope="openid profile email", **extra) -> AuthRequest:
    """Build an authorization request URL with PKCE S256 and a fresh nonce."""
    client = OAuth2Session(
        CLIENT_ID, CLIENT_SECRET, scope=scope, redirect_uri=REDIRECT_URI,
        code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic",
    )
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url, state = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **extra
    )
    return AuthRequest(client, url, state, nonce, verifier)


def callback_params(response) -> dict:
    """Return the query parameters of a redirect back to the client."""
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def redeem(metadata, auth: AuthRequest, response) -> dict:
    """Exchange the code in a callback redirect for tokens."""
    return auth.client.fetch_token(
        metadata["token_endpoint"],
        authorization_response=response.headers["Location"],
        code_verifier=auth.verifier,
    )


def sign_in(provider, metadata, sub="carol-att", scope="openid profile email"):
    """Run the whole code flow with auto-approval; return the request and the tokens."""
    provider.faults.auto_approve_sub = sub
    auth = start(metadata, scope)
    response = requests.get(auth.url, allow_redirects=False, timeout=TIMEOUT)
    return auth, redeem(metadata, auth, response)


def verified_claims(metadata, id_token: str) -> dict:
    """Check the ID token's signature against the published JWKS; return its claims."""
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json())
    return jwt.decode(id_token, keys, algorithms=["RS256"]).claims


def unverified(id_token: str) -> tuple[dict, dict, str]:
    """Split an ID token into header, claims and signature without checking anything."""
    header, payload, signature = id_token.split(".")

    def decode(part):
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))

    return decode(header), decode(payload), signature


def token_request(metadata, code: str, verifier: str, auth=(CLIENT_ID, CLIENT_SECRET)):
    """POST a raw token request, to look at error answers."""
    data = {
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": REDIRECT_URI, "code_verifier": verifier,
    }
    return requests.post(metadata["token_endpoint"], data=data, auth=auth, timeout=TIMEOUT)


def fresh_code(provider, metadata, sub="carol-att") -> tuple[AuthRequest, str]:
    """Get an authorization code without redeeming it."""
    provider.faults.auto_approve_sub = sub
    auth = start(metadata)
    response = requests.get(auth.url, allow_redirects=False, timeout=TIMEOUT)
    return auth, callback_params(response)["code"]


class FormParser(HTMLParser):
    """Collect the form action, inputs and buttons of the sign-in page."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.hidden: dict[str, str] = {}
        self.radios: list[str] = []
        self.checked: list[str] = []
        self.buttons: list[tuple[str, str, str]] = []
        self._button = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs["action"]
        elif tag == "input" and attrs.get("type") == "hidden":
            self.hidden[attrs["name"]] = attrs["value"]
        elif tag == "input" and attrs.get("type") == "radio":
            self.radios.append(attrs["value"])
            if "checked" in attrs:
                self.checked.append(attrs["value"])
        elif tag == "button":
            self._button = (attrs.get("name"), attrs.get("value"))

    def handle_data(self, data):
        if self._button:
            self.buttons.append((*self._button, data.strip()))
            self._button = None


def parse_form(html: str) -> FormParser:
    """Parse the sign-in page's form."""
    parser = FormParser()
    parser.feed(html)
    return parser


# --- discovery and keys -------------------------------------------------------------------


def test_discovery_document_advertises_the_provider(provider, metadata):
    url = provider.url
    assert url.startswith("http://127.0.0.1:")
    assert metadata["issuer"] == url
    assert metadata["authorization_endpoint"] == f"{url}/authorize"
    assert metadata["token_endpoint"] == f"{url}/token"
    assert metadata["userinfo_endpoint"] == f"{url}/userinfo"
    assert metadata["jwks_uri"] == f"{url}/jwks"
    assert metadata["end_session_endpoint"] == f"{url}/logout"
    assert metadata["scopes_supported"] == ["openid", "profile", "email"]
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["token_endpoint_auth_methods_supported"] == ["client_secret_basic"]
    assert metadata["subject_types_supported"] == ["public"]
    assert {"sub", "name", "email", "email_verified", "nonce"} <= set(metadata["claims_supported"])


def test_jwks_publishes_only_the_public_rsa_key(metadata):
    keys = requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert key["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)


# --- the code flow ------------------------------------------------------------------------


def test_auto_approved_code_flow_yields_a_verifiable_id_token(provider, metadata):
    before = int(time.time())
    auth, token = sign_in(provider, metadata, sub="carol-att")
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    header, _, _ = unverified(token["id_token"])
    keys = requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json()["keys"]
    assert header == {"alg": "RS256", "typ": "JWT", "kid": keys[0]["kid"]}
    claims = verified_claims(metadata, token["id_token"])
    assert claims["iss"] == provider.url
    assert claims["aud"] == CLIENT_ID
    assert claims["nonce"] == auth.nonce
    assert claims["sub"] == "carol-att"
    assert claims["name"] == "Carol Chen"
    assert claims["email"] == "carol@att.example"
    assert claims["email_verified"] is True
    assert before - 1 <= claims["iat"] <= claims["auth_time"] + 1
    assert claims["exp"] > time.time() + 3000
    assert claims["at_hash"]


def test_unverified_email_is_a_real_false(provider, metadata):
    _, token = sign_in(provider, metadata, sub="uma-unverified")
    assert verified_claims(metadata, token["id_token"])["email_verified"] is False


def test_userinfo_answers_for_the_bearer_token(provider, metadata):
    _, token = sign_in(provider, metadata, sub="naoko-ntt")
    response = requests.get(
        metadata["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert response.json() == {
        "sub": "naoko-ntt", "name": "Naoko Tanaka",
        "email": "naoko@ntt.example", "email_verified": True,
    }


def test_userinfo_refuses_a_missing_or_unknown_token(metadata):
    assert requests.get(metadata["userinfo_endpoint"], timeout=TIMEOUT).status_code == 401
    response = requests.get(
        metadata["userinfo_endpoint"], headers={"Authorization": "Bearer nope"}, timeout=TIMEOUT
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


@pytest.mark.parametrize(
    ("scope", "present", "absent"),
    [
        ("openid", set(), {"name", "email", "email_verified"}),
        ("openid profile", {"name"}, {"email", "email_verified"}),
        ("openid email", {"email", "email_verified"}, {"name"}),
    ],
)
def test_scopes_decide_the_claims(provider, metadata, scope, present, absent):
    _, token = sign_in(provider, metadata, scope=scope)
    claims = verified_claims(metadata, token["id_token"])
    assert present <= set(claims)
    assert not absent & set(claims)


def test_sign_in_page_lists_people_and_honours_login_hint(provider, metadata):
    auth = start(metadata, login_hint="naoko-ntt")
    page = requests.get(auth.url, timeout=TIMEOUT)
    assert page.status_code == 200
    assert f"<title>{SIGN_IN_TITLE}</title>" in page.text
    assert '<html lang="en">' in page.text
    assert "<script" not in page.text
    form = parse_form(page.text)
    assert form.radios == [p["sub"] for p in DEMO_PEOPLE]
    assert form.checked == ["naoko-ntt"]
    assert form.buttons == [("action", "approve", "Approve"), ("action", "deny", "Deny")]
    for person in DEMO_PEOPLE:
        assert f"{person['name']} &lt;{person['email']}&gt;" in page.text
    assert "(e-mail not verified)" in page.text


def test_approving_through_the_form_signs_in_the_chosen_person(provider, metadata):
    browser = requests.Session()
    auth = start(metadata)
    page = browser.get(auth.url, timeout=TIMEOUT)
    form = parse_form(page.text)
    assert form.checked == []
    answer = browser.post(
        urljoin(page.url, form.action),
        data={**form.hidden, "sub": "walter-walmart", "action": "approve"},
        allow_redirects=False, timeout=TIMEOUT,
    )
    assert callback_params(answer)["state"] == auth.state
    # The provider's cookie must not collide with the relying party's "session" cookie.
    assert "idp_session" in browser.cookies
    assert "session" not in browser.cookies
    claims = verified_claims(metadata, redeem(metadata, auth, answer)["id_token"])
    assert claims["sub"] == "walter-walmart"
    assert claims["nonce"] == auth.nonce


def test_deny_button_answers_access_denied_with_state(metadata):
    auth = start(metadata)
    page = requests.get(auth.url, timeout=TIMEOUT)
    form = parse_form(page.text)
    answer = requests.post(
        urljoin(page.url, form.action), data={**form.hidden, "action": "deny"},
        allow_redirects=False, timeout=TIMEOUT,
    )
    params = callback_params(answer)
    assert params["error"] == "access_denied"
    assert params["state"] == auth.state
    assert "code" not in params


def test_approving_an_unknown_person_is_refused(metadata):
    auth = start(metadata)
    form = parse_form(requests.get(auth.url, timeout=TIMEOUT).text)
    answer = requests.post(
        f"{metadata['authorization_endpoint']}",
        data={**form.hidden, "sub": "mallory", "action": "approve"},
        allow_redirects=False, timeout=TIMEOUT,
    )
    assert answer.status_code == 400
    assert "Unknown person" in answer.text


def test_provider_session_allows_prompt_none_until_logout(provider, metadata):
    browser = requests.Session()
    auth = start(metadata)
    form = parse_form(browser.get(auth.url, timeout=TIMEOUT).text)
    browser.post(
        metadata["authorization_endpoint"], data={**form.hidden, "sub": "ada-admin",
                                                  "action": "approve"},
        allow_redirects=False, timeout=TIMEOUT,
    )
    silent = start(metadata, prompt="none")
    answer = browser.get(silent.url, allow_redirects=False, timeout=TIMEOUT)
    claims = verified_claims(metadata, redeem(metadata, silent, answer)["id_token"])
    assert claims["sub"] == "ada-admin"

    assert browser.get(metadata["end_session_endpoint"], timeout=TIMEOUT).status_code == 200
    again = start(metadata, prompt="none")
    params = callback_params(browser.get(again.url, allow_redirects=False, timeout=TIMEOUT))
    assert params["error"] == "login_required"
    assert params["state"] == again.state


# --- refused requests ---------------------------------------------------------------------


def test_missing_pkce_is_refused(metadata):
    auth = start(metadata)
    url = auth.client.create_authorization_url(
        metadata["authorization_endpoint"], state=auth.state, nonce=auth.nonce
    )[0]
    assert "code_challenge" not in url
    params = callback_params(requests.get(url, allow_redirects=False, timeout=TIMEOUT))
    assert params["error"] == "invalid_request"
    assert "code_challenge" in params["error_description"]
    assert params["state"] == auth.state


def test_plain_pkce_is_refused(metadata):
    auth = start(metadata)
    url = auth.client.create_authorization_url(
        metadata["authorization_endpoint"], state=auth.state, nonce=auth.nonce,
        code_challenge=auth.verifier, code_challenge_method="plain",
    )[0]
    params = callback_params(requests.get(url, allow_redirects=False, timeout=TIMEOUT))
    assert params["error"] == "invalid_request"
    assert "S256" in params["error_description"]


def test_missing_nonce_is_refused(metadata):
    auth = start(metadata)
    url = auth.url.replace(f"nonce={auth.nonce}", "")
    params = callback_params(requests.get(url, allow_redirects=False, timeout=TIMEOUT))
    assert params["error"] == "invalid_request"


@pytest.mark.parametrize("scope", ["openid offline_access", "profile email"])
def test_unsupported_or_non_openid_scope_is_refused(metadata, scope):
    auth = start(metadata, scope=scope)
    params = callback_params(requests.get(auth.url, allow_redirects=False, timeout=TIMEOUT))
    assert params["error"] == "invalid_scope"


@pytest.mark.parametrize(
    ("client_id", "redirect_uri"),
    [("stranger", REDIRECT_URI), (CLIENT_ID, "http://127.0.0.1:6666/evil")],
)
def test_unknown_client_or_redirect_uri_gets_a_page_not_a_redirect(
    metadata, client_id, redirect_uri
):
    auth = start(metadata)
    url = auth.url.replace(f"client_id={CLIENT_ID}", f"client_id={client_id}")
    url = url.replace(
        requests.utils.quote(REDIRECT_URI, safe=""), requests.utils.quote(redirect_uri, safe="")
    )
    response = requests.get(url, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code in (400, 401)
    assert "Sign-in request refused" in response.text
    assert "Location" not in response.headers


def test_wrong_client_secret_is_401_invalid_client(provider, metadata):
    auth, code = fresh_code(provider, metadata)
    response = token_request(metadata, code, auth.verifier, auth=(CLIENT_ID, "wrong"))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic ")


def test_client_secret_post_is_refused(provider, metadata):
    auth, code = fresh_code(provider, metadata)
    response = requests.post(
        metadata["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
              "code_verifier": auth.verifier, "client_id": CLIENT_ID,
              "client_secret": CLIENT_SECRET},
        timeout=TIMEOUT,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_wrong_code_verifier_is_invalid_grant(provider, metadata):
    _, code = fresh_code(provider, metadata)
    response = token_request(metadata, code, secrets.token_urlsafe(48))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_code_works_only_once(provider, metadata):
    auth, code = fresh_code(provider, metadata)
    assert token_request(metadata, code, auth.verifier).status_code == 200
    again = token_request(metadata, code, auth.verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


# --- faults -------------------------------------------------------------------------------


def test_deny_consent_fault_denies_even_auto_approval(provider, metadata):
    provider.faults.deny_consent = True
    provider.faults.auto_approve_sub = "ada-admin"
    auth = start(metadata)
    params = callback_params(requests.get(auth.url, allow_redirects=False, timeout=TIMEOUT))
    assert (params["error"], params["state"]) == ("access_denied", auth.state)
    assert "code" not in params


def test_auto_approve_of_an_unknown_person_is_refused(provider, metadata):
    provider.faults.auto_approve_sub = "nobody"
    response = requests.get(start(metadata).url, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 400


def test_faults_reject_an_unknown_id_token_mode_and_reset():
    faults = Faults()
    with pytest.raises(ValueError, match="id_token mode"):
        faults.id_token = "garbled"
    faults.id_token, faults.deny_consent, faults.auto_approve_sub = "expired", True, "x"
    faults.reset()
    assert faults == Faults()


def test_faults_and_users_are_reachable_through_app_config(provider):
    assert provider.app.config["FAULTS"] is provider.faults
    assert provider.app.config["USERS"] is provider.users
    assert set(provider.users) == {p["sub"] for p in DEMO_PEOPLE}


def test_unsigned_id_token_has_alg_none_and_no_signature(provider, metadata):
    provider.faults.id_token = "unsigned"
    auth, token = sign_in(provider, metadata)
    header, claims, signature = unverified(token["id_token"])
    assert header["alg"] == "none"
    assert signature == ""
    assert claims["nonce"] == auth.nonce
    with pytest.raises(JoseError):
        verified_claims(metadata, token["id_token"])


def test_wrong_key_id_token_fails_signature_check(provider, metadata):
    provider.faults.id_token = "wrong_key"
    _, token = sign_in(provider, metadata)
    header, claims, _ = unverified(token["id_token"])
    keys = requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json()["keys"]
    assert header["kid"] == keys[0]["kid"]
    assert claims["iss"] == provider.url
    with pytest.raises(BadSignatureError):
        verified_claims(metadata, token["id_token"])


def test_wrong_issuer_id_token(provider, metadata):
    provider.faults.id_token = "wrong_issuer"
    _, token = sign_in(provider, metadata)
    assert verified_claims(metadata, token["id_token"])["iss"] == WRONG_ISSUER


def test_wrong_audience_id_token(provider, metadata):
    provider.faults.id_token = "wrong_audience"
    _, token = sign_in(provider, metadata)
    assert verified_claims(metadata, token["id_token"])["aud"] == WRONG_AUDIENCE


def test_wrong_nonce_id_token(provider, metadata):
    provider.faults.id_token = "wrong_nonce"
    auth, token = sign_in(provider, metadata)
    nonce = verified_claims(metadata, token["id_token"])["nonce"]
    assert nonce and nonce != auth.nonce


def test_expired_id_token(provider, metadata):
    provider.faults.id_token = "expired"
    _, token = sign_in(provider, metadata)
    claims = verified_claims(metadata, token["id_token"])
    now = time.time()
    assert claims["exp"] <= now - 3500
    assert claims["iat"] <= now - 3500
    assert claims["iat"] < claims["exp"]
    with pytest.raises(JoseError):
        jwt.JWTClaimsRegistry().validate(claims)


def test_edits_to_a_person_show_at_the_next_sign_in(provider, metadata):
    provider.users["carol-att"].update(email="carol@new.example", email_verified=False)
    _, token = sign_in(provider, metadata, sub="carol-att")
    claims = verified_claims(metadata, token["id_token"])
    assert (claims["email"], claims["email_verified"]) == ("carol@new.example", False)
    provider.reset()
    assert provider.users["carol-att"]["email"] == "carol@att.example"
    assert next(p for p in DEMO_PEOPLE if p["sub"] == "carol-att")["email"] == "carol@att.example"


# --- logout -------------------------------------------------------------------------------


def test_logout_redirects_with_state_to_a_registered_uri(provider, metadata):
    _, token = sign_in(provider, metadata)
    response = requests.get(
        metadata["end_session_endpoint"],
        params={"id_token_hint": token["id_token"], "post_logout_redirect_uri": POST_LOGOUT_URI,
                "state": "bye-123"},
        allow_redirects=False, timeout=TIMEOUT,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"{POST_LOGOUT_URI}?state=bye-123"


def test_logout_with_client_id_instead_of_id_token_hint(metadata):
    response = requests.get(
        metadata["end_session_endpoint"],
        params={"client_id": CLIENT_ID, "post_logout_redirect_uri": POST_LOGOUT_URI},
        allow_redirects=False, timeout=TIMEOUT,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == POST_LOGOUT_URI


def test_logout_refuses_an_unregistered_uri_with_a_clear_page(provider, metadata):
    _, token = sign_in(provider, metadata)
    response = requests.get(
        metadata["end_session_endpoint"],
        params={"id_token_hint": token["id_token"],
                "post_logout_redirect_uri": "http://127.0.0.1:6666/evil", "state": "s"},
        allow_redirects=False, timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "Sign-out refused" in response.text
    assert "not registered" in response.text


def test_logout_refuses_a_hint_this_provider_did_not_sign(provider, metadata):
    provider.faults.id_token = "wrong_key"
    _, token = sign_in(provider, metadata)
    response = requests.get(
        metadata["end_session_endpoint"],
        params={"id_token_hint": token["id_token"], "post_logout_redirect_uri": POST_LOGOUT_URI},
        allow_redirects=False, timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert "Sign-out refused" in response.text


def test_logout_without_redirect_says_signed_out(metadata):
    response = requests.get(metadata["end_session_endpoint"], timeout=TIMEOUT)
    assert response.status_code == 200
    assert "You are signed out" in response.text


# --- serving ------------------------------------------------------------------------------


def test_server_frees_its_port_when_stopped():
    with ProviderServer([CLIENT]) as server:
        url = server.url
        response = requests.get(f"{url}/.well-known/openid-configuration", timeout=TIMEOUT)
        assert response.json()["issuer"] == url
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/jwks", timeout=TIMEOUT)
    server.stop()  # a second stop is harmless


def test_a_client_can_be_added_once_its_port_is_known(provider, metadata):
    late_uri = "http://127.0.0.1:6001/auth/callback"
    provider.add_client({"client_id": "late", "client_secret": "s", "redirect_uris": [late_uri]})
    auth = start(metadata)
    url = auth.url.replace(f"client_id={CLIENT_ID}", "client_id=late").replace(
        requests.utils.quote(REDIRECT_URI, safe=""), requests.utils.quote(late_uri, safe="")
    )
    page = requests.get(url, timeout=TIMEOUT)
    assert page.status_code == 200
    assert "<strong>late</strong>" in page.text


def test_factory_takes_its_own_people_and_cookie_name():
    people = [{"sub": "zed", "name": "Zed Zero", "email": "zed@example.org",
               "email_verified": True}]
    app = create_provider_app("http://127.0.0.1:1", [CLIENT], users=people)
    assert app.config["SESSION_COOKIE_NAME"] == "idp_session"
    assert list(app.config["USERS"]) == ["zed"]
    app.config["USERS"]["zed"]["name"] = "Changed"
    assert people[0]["name"] == "Zed Zero"


def test_command_line_describes_one_client():
    args = parse_args([
        "--port", "9401", "--client-id", "concord-dev", "--client-secret", "dev-secret",
        "--redirect-uri", "http://127.0.0.1:5000/auth/callback",
        "--post-logout-redirect-uri", "http://127.0.0.1:5000/",
    ])
    assert (args.host, args.port) == ("127.0.0.1", 9401)
    assert client_from_args(args) == {
        "client_id": "concord-dev", "client_secret": "dev-secret",
        "redirect_uris": ["http://127.0.0.1:5000/auth/callback"],
        "post_logout_redirect_uris": ["http://127.0.0.1:5000/"],
    }
