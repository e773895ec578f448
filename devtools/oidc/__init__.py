"""A loopback OpenID Connect provider on Authlib's server side, for `make run` and tests."""

from .app import create_provider_app, discovery_document
from .authority import WRONG_AUDIENCE, WRONG_ISSUER
from .models import ID_TOKEN_MODES, SCOPES, Faults
from .pages import SIGN_IN_TITLE
from .server import ProviderServer, main

__all__ = [
    "ID_TOKEN_MODES",
    "SCOPES",
    "SIGN_IN_TITLE",
    "WRONG_AUDIENCE",
    "WRONG_ISSUER",
    "Faults",
    "ProviderServer",
    "create_provider_app",
    "discovery_document",
    "main",
]
