"""Sign-in with OpenStackID: OpenID Connect code flow (state, nonce, PKCE S256), signed ID tokens only."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session
from flask import url_for as flask_url_for
from flask_login import current_user
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError

from core import audit, sessions, signin
from core.db import db

log = logging.getLogger("concord.auth")
bp = Blueprint("auth", __name__, url_prefix="/auth")
ALLOWED_ID_TOKEN_ALGS = ["RS256"]
# OAuth error codes are short ASCII words (RFC 6749 5.2); anything else is not shown as sent.
ERROR_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class SignInFailure(Exception):
    """A sign-in attempt that ends on an explanation page."""

    def __init__(self, status: int, title: str, message: str):
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


class OpenStackIDApp(FlaskOAuth2App):
    """Authlib client that trusts only the configured issuer and RS256-signed ID tokens."""

    def load_server_metadata(self):
        """Load discovery once, check the issuer and pin the accepted signing algorithms."""
        metadata = super().load_server_metadata()
        expected = current_app.config["OIDC_ISSUER"].rstrip("/")
        if metadata.get("issuer", "").rstrip("/") != expected:
            self.server_metadata.clear()
            raise SignInFailure(
                502, "Sign-in provider misconfigured",
                "The sign-in provider announced a different issuer than the one configured.",
            )
        # Never let the provider's metadata widen what we accept (e.g. alg "none").
        metadata["id_token_signing_alg_values_supported"] = ALLOWED_ID_TOKEN_ALGS
        return metadata


class ConcordOAuth(OAuth):
    """Authlib registry building OpenStackIDApp clients."""

    oauth2_client_cls = OpenStackIDApp


def init_app(app: Flask) -> None:
    """Register the OpenStackID client on this app (one registry per app)."""
    oauth = ConcordOAuth(app)
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    app.extensions["concord.oidc"] = oauth.register(
        "openstackid",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic",
            "timeout": app.config["OIDC_TIMEOUT"],
        },
    )
    app.register_blueprint(bp)


def _client() -> OpenStackIDApp:
    return current_app.extensions["concord.oidc"]


def external_url(endpoint: str, **values) -> str:
    """Build an absolute URL from BASE_URL when set, else from the request."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + flask_url_for(endpoint, **values)
    return flask_url_for(endpoint, _external=True, **values)


def _safe_next(target: str | None) -> str | None:
    """Accept only local paths as a post-sign-in destination."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _failure_page(failure: SignInFailure):
    log.warning("sign-in failed: %s: %s", failure.title, failure.message)
    return render_template("auth/failed.html", failure=failure), failure.status


@bp.get("/login")
def login():
    """Send the browser to OpenStackID."""
    if current_user.is_authenticated:
        return redirect(flask_url_for("core.home"))
    session["next_url"] = _safe_next(request.args.get("next"))
    try:
        return _client().authorize_redirect(external_url("auth.callback"))
    except SignInFailure as failure:
        return _failure_page(failure)
    except (requests.RequestException, ValueError) as exc:
        log.warning("sign-in provider unreachable: %s", exc)
        return _failure_page(_unreachable())


def _unreachable() -> SignInFailure:
    return SignInFailure(
        503, "Sign-in provider unreachable",
        "OpenStackID did not answer. Nothing was changed; please try again in a moment.",
    )


def _classify(exc: Exception) -> SignInFailure:
    """Turn a protocol error into an explanation a person can act on."""
    if isinstance(exc, MismatchingStateError):
        return SignInFailure(400, "Sign-in expired", "This sign-in was started in another window "
                             "or has already been used (state mismatch). Start again.")
    if isinstance(exc, OAuthError) and exc.error == "access_denied":
        return SignInFailure(403, "Sign-in cancelled", "You did not allow Concord to use your "
                             "OpenStackID account, so you are not signed in.")
    if isinstance(exc, ExpiredTokenError):
        return SignInFailure(400, "Sign-in expired", "The identity token from OpenStackID has "
                             "expired (check this computer's clock). Start again.")
    if isinstance(exc, ClaimError):
        claim = exc.claim
        what = {"nonce": "does not belong to this sign-in (nonce mismatch)",
                "iss": "comes from an unexpected issuer",
                "aud": "was issued to another application"}.get(claim, f"has a bad '{claim}' claim")
        return SignInFailure(400, "Sign-in refused", f"The identity token {what}.")
    if isinstance(exc, JoseError):
        return SignInFailure(400, "Sign-in refused", "The identity token is not correctly signed "
                             "by OpenStackID, so it cannot be trusted.")
    if isinstance(exc, requests.RequestException):
        return _unreachable()
    return _provider_error(exc)


def _provider_error(exc: Exception) -> SignInFailure:
    """Say in our own words that the provider refused, with its error code only."""
    # The free-text `error_description` arrives in the callback's address, so anyone can craft
    # it ("call this number..."); shown on our domain it would speak with our voice. It goes
    # to the log for operators, never to the page.
    code = getattr(exc, "error", None) or "unknown"
    code = code if isinstance(code, str) and ERROR_CODE.match(code) else "unrecognised"
    log.info("provider error %r: %r", code, getattr(exc, "description", None))
    return SignInFailure(400, "Sign-in failed", "OpenStackID could not complete the sign-in, so "
                         f"you are not signed in (error code: {code}). Start again; if it keeps "
                         "failing, tell an administrator the code.")


@bp.get("/callback")
def callback():
    """Finish the code flow, validate the ID token, and sign the user in."""
    try:
        token = _client().authorize_access_token()
        claims = token.get("userinfo")
        if not claims:
            raise SignInFailure(400, "Sign-in refused", "OpenStackID sent no identity token.")
    except SignInFailure as failure:
        return _failure_page(failure)
    except (AuthlibBaseError, JoseError, requests.RequestException) as exc:
        return _failure_page(_classify(exc))
    user = signin.sign_in(claims)
    db.session.commit()
    next_url = session.get("next_url")
    sessions.start(user)  # a new session: nothing set before the sign-in carries over
    session["id_token"] = token["id_token"]
    flash(f"Signed in as {user}.", "success")
    return redirect(next_url or flask_url_for("core.home"))


@bp.post("/logout")
def logout():
    """Sign out here, then at OpenStackID (RP-initiated logout) when it supports it."""
    id_token = session.get("id_token")
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        # Revoked on the server: a copy of this cookie is refused from now on (core/sessions.py).
        sessions.revoke_all(user)
        audit.record("user.sign_out", user, actor=user)
        db.session.commit()
    sessions.end_here()
    try:
        if _client().load_server_metadata().get("end_session_endpoint"):
            return _client().logout_redirect(
                post_logout_redirect_uri=external_url("auth.signed_out"), id_token_hint=id_token
            )
    except (SignInFailure, requests.RequestException, ValueError) as exc:
        log.warning("RP-initiated logout skipped: %s", exc)
    flash("You are signed out of Concord.", "success")
    return redirect(flask_url_for("core.home"))


@bp.get("/signed-out")
def signed_out():
    """Land here after OpenStackID has signed the user out."""
    try:
        _client().validate_logout_response()
    except OAuthError:
        log.info("logout return without a matching state")
    flash("You are signed out of Concord and OpenStackID.", "success")
    return redirect(flask_url_for("core.home"))
