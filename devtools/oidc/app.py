"""The provider's Flask app: discovery, keys, sign-in page, token, userinfo and logout."""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlsplit

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, Flask, current_app, jsonify, request, session

from devtools.demo_people import DEMO_PEOPLE

from . import pages
from .authority import ProviderAuthorizationServer, build_authorization_server
from .models import SCOPES, SignIn, Store

CLAIMS = [
    "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
    "name", "email", "email_verified",
]

bp = Blueprint("oidc_provider", __name__)


def create_provider_app(issuer: str, clients: list[dict], users: list[dict] | None = None) -> Flask:
    """Create a provider app for the issuer, its clients and people (default: DEMO_PEOPLE)."""
    issuer = issuer.rstrip("/")
    store = Store(issuer, clients, DEMO_PEOPLE if users is None else users)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_hex(32),
        # The relying party runs on the same host, and browsers share cookies across ports:
        # the default name "session" would make the two apps overwrite each other's cookie.
        SESSION_COOKIE_NAME="idp_session",
        SESSION_COOKIE_SAMESITE="Lax",
        FAULTS=store.faults,
        USERS=store.users,
        CLIENTS=store.clients,
        OIDC_STORE=store,
    )
    app.extensions["oidc_provider"] = build_authorization_server(app, store)
    app.register_blueprint(bp, url_prefix=urlsplit(issuer).path or None)
    app.register_error_handler(OAuth2Error, _oauth_error_json)
    return app


def _server() -> ProviderAuthorizationServer:
    """Return the current app's authorization server."""
    return current_app.extensions["oidc_provider"]


def discovery_document(issuer: str) -> dict:
    """Return the OpenID Provider Metadata for the issuer."""
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
        "end_session_endpoint": f"{issuer}/logout",
        "scopes_supported": SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "claims_supported": CLAIMS,
    }


@bp.get("/.well-known/openid-configuration")
def openid_configuration():
    """Serve the discovery document."""
    return jsonify(discovery_document(_server().store.issuer))


@bp.get("/jwks")
def jwks():
    """Serve the public signing key."""
    return jsonify(_server().store.jwks())


@bp.route("/authorize", methods=["GET", "POST"])
def authorize():
    """Show the sign-in page, or answer the client as a fault or the person decides."""
    server = _server()
    faults = server.store.faults
    try:
        grant = server.get_consent_grant(end_user=_signed_in())
    except OAuth2Error as error:
        return _oauth_error_page(error)
    if faults.deny_consent:
        return server.create_authorization_response(grant=grant, grant_user=None)
    if request.method == "POST":
        return _decide(grant)
    if faults.auto_approve_sub:
        return _approve(grant, faults.auto_approve_sub)
    if request.args.get("prompt") == "none":
        # Authlib already answered login_required when nobody is signed in here.
        return server.create_authorization_response(grant=grant, grant_user=grant.request.user)
    return _sign_in_page(grant)


def _signed_in() -> SignIn | None:
    """Return who is signed in at the provider, if that person still exists."""
    sub = session.get("sub")
    if sub not in _server().store.users:
        return None
    return SignIn(sub, session.get("auth_time", int(time.time())))


def _decide(grant):
    """Carry out the Approve or Deny button."""
    action = request.form.get("action")
    if action == "deny":
        return _server().create_authorization_response(grant=grant, grant_user=None)
    if action == "approve":
        return _approve(grant, request.form.get("sub", ""))
    return pages.message_page(400, "Unknown action", "Choose Approve or Deny.")


def _approve(grant, sub: str):
    """Sign the person in at the provider and send the client its code."""
    if sub not in _server().store.users:
        return pages.message_page(400, "Unknown person", f"No demo person has sub {sub!r}.")
    sign_in = SignIn(sub, int(time.time()))
    session["sub"] = sign_in.sub
    session["auth_time"] = sign_in.auth_time
    return _server().create_authorization_response(grant=grant, grant_user=sign_in)


def _sign_in_page(grant) -> str:
    """Render the person picker for this authorization request."""
    selected = request.args.get("login_hint") or session.get("sub")
    params = [(k, v) for k, v in request.args.items(multi=True) if k not in ("sub", "action")]
    return pages.sign_in_page(
        client_id=grant.client.client_id,
        scope=grant.request.scope,
        users=list(_server().store.users.values()),
        selected=selected,
        action=request.path,
        params=params,
    )


def _oauth_error_page(error: OAuth2Error):
    """Send the error back to the client, or show it when there is nowhere safe to send it."""
    if error.redirect_uri:
        return _server().handle_error_response(None, error)
    return pages.message_page(
        error.status_code, "Sign-in request refused", error.error, error.get_error_description()
    )


def _oauth_error_json(error: OAuth2Error):
    """Answer an OAuth error raised outside Authlib's own handling (e.g. insecure transport)."""
    return _server().handle_error_response(None, error)


@bp.post("/token")
def issue_token():
    """Exchange a code for tokens."""
    return _server().create_token_response()


@bp.route("/userinfo", methods=["GET", "POST"])
def userinfo():
    """Return the claims of the bearer token's person."""
    return _server().create_endpoint_response("userinfo")


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """End the provider session (RP-initiated logout) and return to the client if allowed."""
    server = _server()
    try:
        end_request = server.validate_endpoint_request("end_session")
    except OAuth2Error as error:
        return pages.message_page(
            400, "Sign-out refused", error.get_error_description(),
            "An ID token issued before the provider last restarted is no longer accepted.",
        )
    wanted = request.values.get("post_logout_redirect_uri")
    if wanted and not end_request.redirect_uri:
        return _refuse_post_logout_redirect(wanted, end_request.client)
    response = server.create_endpoint_response("end_session", end_request)
    return response or pages.message_page(200, "You are signed out")


def _refuse_post_logout_redirect(uri: str, client):
    """Explain why the provider will not redirect to this post_logout_redirect_uri."""
    if client is None:
        reason = "Send id_token_hint or client_id so the provider knows which client asks."
    else:
        reason = f"It is not registered for the client {client.client_id!r}."
    return pages.message_page(
        400, "Sign-out refused", f"Will not redirect to post_logout_redirect_uri {uri!r}.", reason
    )
