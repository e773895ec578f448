"""Authlib's authorization server, wired to the in-memory store, with ID-token faults."""

from __future__ import annotations

import base64
import json
import time

from authlib.common.security import generate_token
from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode, UserInfo, UserInfoEndpoint
from authlib.oidc.core.util import create_half_hash
from authlib.oidc.rpinitiated import EndSessionEndpoint
from flask import Flask, session
from joserfc import jwt
from joserfc.jwk import KeySet

from .models import SCOPES, AuthorizationCode, Store

WRONG_ISSUER = "http://wrong-issuer.invalid"
WRONG_AUDIENCE = "someone-else"


class ProviderAuthorizationServer(AuthorizationServer):
    """Authlib's Flask authorization server, carrying the store its grants read."""

    def __init__(self, app: Flask, store: Store):
        """Bind the server to the app and the store."""
        self.store = store
        super().__init__(app, query_client=store.clients.get, save_token=store.save_token)


class CodeGrant(AuthorizationCodeGrant):
    """The authorization-code grant, keeping codes in the store."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]

    def save_authorization_code(self, code, request):
        """Remember the code with everything the token request will need."""
        data = request.payload.data
        sign_in = request.user
        store = self.server.store
        nonce = data.get("nonce")
        store.codes[code] = AuthorizationCode(
            code=code,
            client_id=request.client.client_id,
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            sub=sign_in.sub,
            nonce=nonce,
            auth_time=sign_in.auth_time,
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
        )
        store.used_nonces.add((request.client.client_id, nonce))

    def query_authorization_code(self, code, client):
        """Take the code out of the store: whatever happens next, it is spent."""
        item = self.server.store.take_code(code)
        if item and item.client_id == client.client_id and not item.is_expired():
            return item
        return None

    def delete_authorization_code(self, authorization_code):
        """Do nothing: query_authorization_code already removed the code."""

    def authenticate_user(self, authorization_code):
        """Return the person's current record, so a test's edits show in the ID token."""
        return self.server.store.users.get(authorization_code.sub)


class RequireS256(CodeChallenge):
    """PKCE that insists on S256 for every client, confidential ones included."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        """Refuse an authorization request without an S256 code challenge."""
        # Authlib's required=True only binds public clients; the stand-in binds all.
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': PKCE with S256 is required.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


def user_claims(user: dict, scope: str) -> UserInfo:
    """Return the standard claims about a person that the scope allows."""
    info = UserInfo(
        sub=user["sub"],
        name=user.get("name"),
        email=user.get("email"),
        email_verified=bool(user.get("email_verified")),
    )
    return info.filter(scope)


def _b64url_json(data: dict) -> str:
    """Encode a dict as unpadded base64url JSON."""
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _apply_claim_fault(claims: dict, mode: str) -> None:
    """Spoil the claims the way the fault mode advertises."""
    if mode == "wrong_issuer":
        claims["iss"] = WRONG_ISSUER
    elif mode == "wrong_audience":
        claims["aud"] = WRONG_AUDIENCE
    elif mode == "wrong_nonce":
        claims["nonce"] = "not-" + generate_token(20)
    elif mode == "expired":
        now = int(time.time())
        claims.update(iat=now - 3600 - 300, exp=now - 3600, auth_time=now - 3600 - 300)


class FaultyOpenIDCode(OpenIDCode):
    """Authlib's OpenID Connect code extension, signing ID tokens as the faults say."""

    def __init__(self, store: Store):
        """Require a nonce: the relying party must bind each sign-in to its session."""
        super().__init__(require_nonce=True)
        self.store = store

    def exists_nonce(self, nonce, request):
        """Tell whether this client already used the nonce."""
        return (request.payload.client_id, nonce) in self.store.used_nonces

    def generate_user_info(self, user, scope):
        """Return the person's claims allowed by the scope."""
        return user_claims(user, scope)

    def get_client_claims(self, client):
        """Return iss and aud; aud a plain string, the form most relying parties expect."""
        return {"iss": self.store.issuer, "aud": client.client_id}

    def encode_id_token(self, token, request):
        """Build the ID token claims, then sign them honestly or as the fault says."""
        claims = self.get_compatible_claims(request)
        claims.update(self.get_authorization_code_claims(request.authorization_code))
        claims["at_hash"] = create_half_hash(token["access_token"], "RS256").decode()
        claims.update(self.generate_user_info(request.user, token["scope"]))
        mode = self.store.faults.id_token
        _apply_claim_fault(claims, mode)
        return self._sign(claims, mode)

    def _sign(self, claims: dict, mode: str) -> str:
        """Sign with the published key, a rogue key, or not at all."""
        if mode == "unsigned":
            # Crafted by hand: joserfc emits a SecurityWarning for alg "none", and the
            # test-suite turns warnings into errors.
            return f"{_b64url_json({'alg': 'none', 'typ': 'JWT'})}.{_b64url_json(claims)}."
        key = self.store.rogue_key if mode == "wrong_key" else self.store.signing_key
        header = {"alg": "RS256", "typ": "JWT", "kid": self.store.signing_key.kid}
        return jwt.encode(header, claims, key, algorithms=["RS256"])


class StoreTokenValidator(BearerTokenValidator):
    """Bearer tokens looked up in the store."""

    def __init__(self, store: Store):
        """Remember the store."""
        super().__init__()
        self.store = store

    def authenticate_token(self, token_string):
        """Return the token, unless unknown or its person has since been removed."""
        token = self.store.tokens.get(token_string)
        return token if token and token.get_user() else None


class ProviderUserInfo(UserInfoEndpoint):
    """Authlib's userinfo endpoint, answering plain JSON."""

    def generate_user_info(self, user, scope):
        """Return the person's claims allowed by the token's scope."""
        return user_claims(user, scope)

    def get_issuer(self):
        """Return the issuer."""
        return self.server.store.issuer

    def resolve_private_key(self):
        """Return the signing key (only used if a client asked for signed userinfo)."""
        return self.server.store.signing_key


class ProviderEndSession(EndSessionEndpoint):
    """Authlib's RP-initiated logout endpoint, ending the provider's own session."""

    def get_server_jwks(self):
        """Return the keys that check an id_token_hint."""
        return KeySet([self.server.store.signing_key])

    def get_algorithms(self):
        """Accept only RS256 hints, the only algorithm this provider signs with."""
        return ["RS256"]

    def is_post_logout_redirect_uri_legitimate(self, request, uri, client, logout_hint):
        """Trust a registered URI even without id_token_hint."""
        # Loopback dev tool: the URI was already checked against the client's registration,
        # and a relying party that lost its ID token should still be able to sign out.
        return True

    def end_session(self, end_session_request):
        """Forget who is signed in at the provider."""
        session.clear()


def build_authorization_server(app: Flask, store: Store) -> ProviderAuthorizationServer:
    """Create the Authlib server with the code grant, PKCE, OpenID and the endpoints."""
    app.config.setdefault("OAUTH2_SCOPES_SUPPORTED", SCOPES)
    # Authlib's default for this grant is ten days; an hour is what real providers give.
    app.config.setdefault("OAUTH2_TOKEN_EXPIRES_IN", {"authorization_code": 3600})
    server = ProviderAuthorizationServer(app, store)
    server.register_grant(CodeGrant, [RequireS256(required=True), FaultyOpenIDCode(store)])
    protector = ResourceProtector()
    protector.register_token_validator(StoreTokenValidator(store))
    server.register_endpoint(ProviderUserInfo(resource_protector=protector))
    server.register_endpoint(ProviderEndSession)
    return server
