"""In-memory state of the loopback provider: faults, clients, codes, tokens, users and keys."""

from __future__ import annotations

import copy
import secrets
import threading
import time
from dataclasses import dataclass, field, fields
from functools import cached_property

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, list_to_scope, scope_to_list
from authlib.oidc.core import AuthorizationCodeMixin
from joserfc.jwk import RSAKey

SCOPES = ["openid", "profile", "email"]
ID_TOKEN_MODES = (
    "ok",
    "unsigned",
    "wrong_key",
    "wrong_issuer",
    "expired",
    "wrong_nonce",
    "wrong_audience",
)
CODE_LIFETIME = 600  # seconds; RFC 6749 recommends at most ten minutes


@dataclass
class Faults:
    """Misbehaviour a test can switch on; the provider reads it on every request."""

    deny_consent: bool = False
    id_token: str = "ok"
    auto_approve_sub: str | None = None

    def __setattr__(self, name, value):
        """Refuse an unknown ID-token mode."""
        # A typo should fail in the test that made it, not as a puzzling token later.
        if name == "id_token" and value not in ID_TOKEN_MODES:
            raise ValueError(f"id_token mode must be one of {ID_TOKEN_MODES}, not {value!r}")
        super().__setattr__(name, value)

    def reset(self) -> None:
        """Switch every fault off."""
        for item in fields(self):
            setattr(self, item.name, item.default)


@dataclass(frozen=True)
class SignIn:
    """Who approved an authorization request, and when."""

    sub: str
    auth_time: int


@dataclass(eq=False)
class Client(ClientMixin):
    """A registered relying party; confidential, authenticating with client_secret_basic."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> Client:
        """Build a client from the factory's plain dict."""
        return cls(
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            redirect_uris=list(data["redirect_uris"]),
            post_logout_redirect_uris=list(data.get("post_logout_redirect_uris", [])),
        )

    @property
    def client_metadata(self) -> dict:
        """RFC 7591 metadata, as Authlib's userinfo and end-session endpoints read it."""
        return {
            "redirect_uris": self.redirect_uris,
            "post_logout_redirect_uris": self.post_logout_redirect_uris,
            "token_endpoint_auth_method": "client_secret_basic",
        }

    def get_client_id(self):
        """Return the client identifier."""
        return self.client_id

    def get_default_redirect_uri(self):
        """Return nothing: OpenID Connect makes redirect_uri mandatory."""
        return None

    def get_allowed_scope(self, scope):
        """Keep the supported scopes; refuse (None) a request without openid."""
        requested = scope_to_list(scope) or []
        if "openid" not in requested:
            return None
        return list_to_scope([s for s in requested if s in SCOPES])

    def check_redirect_uri(self, redirect_uri):
        """Accept only an exactly registered redirect URI."""
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        """Compare the secret in constant time."""
        return secrets.compare_digest(self.client_secret.encode(), client_secret.encode())

    def check_endpoint_auth_method(self, method, endpoint):
        """Allow only client_secret_basic at the token endpoint."""
        return endpoint != "token" or method == "client_secret_basic"

    def check_response_type(self, response_type):
        """Allow only the authorization-code flow."""
        return response_type == "code"

    def check_grant_type(self, grant_type):
        """Allow only the authorization_code grant (no refresh tokens)."""
        return grant_type == "authorization_code"


@dataclass(eq=False)
class AuthorizationCode(AuthorizationCodeMixin):
    """An issued, not yet redeemed authorization code."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    sub: str
    nonce: str | None
    auth_time: int
    code_challenge: str
    code_challenge_method: str
    issued_at: float = field(default_factory=time.time)

    def is_expired(self) -> bool:
        """Tell whether the code is past its lifetime."""
        return time.time() - self.issued_at > CODE_LIFETIME

    def get_redirect_uri(self):
        """Return the redirect URI the code was issued for."""
        return self.redirect_uri

    def get_scope(self):
        """Return the granted scope."""
        return self.scope

    def get_nonce(self):
        """Return the nonce of the authorization request."""
        return self.nonce

    def get_auth_time(self):
        """Return when the person signed in."""
        return self.auth_time


@dataclass(eq=False)
class Token(TokenMixin):
    """An issued bearer access token."""

    access_token: str
    client: Client
    sub: str
    scope: str
    expires_in: int
    users: dict = field(repr=False)
    issued_at: float = field(default_factory=time.time)

    def check_client(self, client):
        """Tell whether the token was issued to this client."""
        return client.client_id == self.client.client_id

    def get_scope(self):
        """Return the granted scope."""
        return self.scope

    def get_expires_in(self):
        """Return the lifetime in seconds."""
        return self.expires_in

    def is_expired(self):
        """Tell whether the token is past its lifetime."""
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self):
        """Return False: nothing revokes tokens here."""
        return False

    def get_user(self):
        """Return the person's current record, so a test's edits show at /userinfo."""
        return self.users.get(self.sub)

    def get_client(self):
        """Return the client the token was issued to."""
        return self.client


class Store:
    """Everything the provider remembers, in plain dicts that tests may inspect and mutate."""

    def __init__(self, issuer: str, clients: list[dict], users: list[dict]):
        """Copy the clients and users in and create the signing key."""
        self.issuer = issuer
        self.clients: dict[str, Client] = {}
        for data in clients:
            self.add_client(data)
        # Deep copies: a test editing a person must not edit DEMO_PEOPLE for the next test.
        self._initial_users = {u["sub"]: copy.deepcopy(u) for u in users}
        self.users: dict[str, dict] = copy.deepcopy(self._initial_users)
        self.codes: dict[str, AuthorizationCode] = {}
        self.tokens: dict[str, Token] = {}
        self.used_nonces: set[tuple[str, str]] = set()
        self.faults = Faults()
        self.signing_key = RSAKey.generate_key(
            2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True
        )
        self._lock = threading.Lock()

    @cached_property
    def rogue_key(self) -> RSAKey:
        """Return an RSA key that is not in the JWKS but carries the real key's kid."""
        # Generated on first use only: most runs never inject the wrong_key fault.
        params = {"use": "sig", "alg": "RS256", "kid": self.signing_key.kid}
        return RSAKey.generate_key(2048, parameters=params)

    def jwks(self) -> dict:
        """Return the public JSON Web Key Set."""
        return {"keys": [self.signing_key.as_dict(private=False)]}

    def add_client(self, data: dict) -> Client:
        """Register (or replace) a client from its plain dict."""
        client = Client.from_dict(data)
        self.clients[client.client_id] = client
        return client

    def restore_users(self) -> None:
        """Undo a test's edits to the people, in place so app.config["USERS"] stays valid."""
        self.users.clear()
        self.users.update(copy.deepcopy(self._initial_users))

    def take_code(self, code: str) -> AuthorizationCode | None:
        """Remove and return a code, so that two racing redemptions cannot both succeed."""
        with self._lock:
            return self.codes.pop(code, None)

    def save_token(self, token: dict, request) -> None:
        """Remember an access token issued by Authlib's token generator."""
        self.tokens[token["access_token"]] = Token(
            access_token=token["access_token"],
            client=request.client,
            sub=request.user["sub"],
            scope=token["scope"],
            expires_in=token["expires_in"],
            users=self.users,
        )
