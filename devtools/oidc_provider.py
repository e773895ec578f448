"""Entry point of the loopback OpenID Connect provider (``python -m devtools.oidc_provider``)."""

import sys

from devtools.oidc import (
    ID_TOKEN_MODES,
    SCOPES,
    SIGN_IN_TITLE,
    WRONG_AUDIENCE,
    WRONG_ISSUER,
    Faults,
    ProviderServer,
    create_provider_app,
    discovery_document,
    main,
)

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

if __name__ == "__main__":
    sys.exit(main())
