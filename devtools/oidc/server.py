"""Serving the provider: a background-thread server for tests and a command line for people."""

from __future__ import annotations

import argparse
import sys
import threading

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from .app import create_provider_app
from .models import Faults

DEFAULT_REDIRECT_URI = "http://127.0.0.1:5000/auth/callback"
DEFAULT_POST_LOGOUT_REDIRECT_URI = "http://127.0.0.1:5000/"


class _QuietHandler(WSGIRequestHandler):
    """A request handler that does not log every request."""

    def log_request(self, code="-", size="-"):
        """Skip the access log; errors are still logged."""
        # Test output stays readable; a failing test shows only what went wrong.


class ProviderServer:
    """The provider served on a real port from a daemon thread; a context manager."""

    def __init__(
        self,
        clients: list[dict] | None = None,
        users: list[dict] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        quiet: bool = True,
    ):
        """Bind the port (0 picks a free one), then create the app for the bound URL."""
        handler = _QuietHandler if quiet else None
        # The socket is bound first so that the issuer names the real port; requests reach
        # the app through _wsgi, which exists before the app does.
        self._httpd = make_server(host, port, self._wsgi, threaded=True, request_handler=handler)
        url_host = f"[{host}]" if ":" in host else host
        self.url = f"http://{url_host}:{self._httpd.server_port}"
        self.app: Flask = create_provider_app(self.url, clients or [], users)
        self.faults: Faults = self.app.config["FAULTS"]
        self.users: dict[str, dict] = self.app.config["USERS"]
        self._thread: threading.Thread | None = None

    def _wsgi(self, environ, start_response):
        """Hand the request to the provider app."""
        return self.app(environ, start_response)

    def start(self) -> ProviderServer:
        """Start serving in a daemon thread."""
        if self._thread is None:
            # A short poll interval makes stop() quick, which tests that restart servers feel.
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                name=f"oidc-provider-{self.url}", daemon=True,
            )
            self._thread.start()
        return self

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C interrupts)."""
        if self._thread is not None:
            self._thread.join()

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        if self._thread is not None:
            # shutdown() waits for serve_forever to end, so call it only once serving.
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def add_client(self, client: dict) -> None:
        """Register another client, e.g. once the relying party's port is known."""
        self.app.config["OIDC_STORE"].add_client(client)

    def reset(self) -> None:
        """Switch the faults off and undo edits to the people."""
        self.faults.reset()
        self.app.config["OIDC_STORE"].restore_users()

    def __enter__(self) -> ProviderServer:
        """Start serving."""
        return self.start()

    def __exit__(self, *exc_info) -> None:
        """Stop serving."""
        self.stop()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m devtools.oidc_provider",
        description="A loopback OpenID Connect provider that signs in the demo people.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9400)
    parser.add_argument("--client-id", default="concord-dev")
    parser.add_argument("--client-secret", default="dev-secret")
    parser.add_argument(
        "--redirect-uri", action="append", help=f"repeatable; default {DEFAULT_REDIRECT_URI}"
    )
    parser.add_argument(
        "--post-logout-redirect-uri", action="append",
        help=f"repeatable; default {DEFAULT_POST_LOGOUT_REDIRECT_URI}",
    )
    args = parser.parse_args(argv)
    # Defaults filled in here: argparse would append to a default list instead of replacing it.
    args.redirect_uri = args.redirect_uri or [DEFAULT_REDIRECT_URI]
    args.post_logout_redirect_uri = args.post_logout_redirect_uri or [
        DEFAULT_POST_LOGOUT_REDIRECT_URI
    ]
    return args


def client_from_args(args: argparse.Namespace) -> dict:
    """Return the one client the command line describes."""
    return {
        "client_id": args.client_id,
        "client_secret": args.client_secret,
        "redirect_uris": args.redirect_uri,
        "post_logout_redirect_uris": args.post_logout_redirect_uri,
    }


def main(argv: list[str] | None = None) -> int:
    """Serve the provider with the demo people until Ctrl-C."""
    args = parse_args(argv)
    try:
        server = ProviderServer([client_from_args(args)], host=args.host, port=args.port,
                                quiet=False)
    except OSError as error:
        print(f"Cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    with server:
        print(f"OpenID provider issuer: {server.url}", flush=True)
        print(f"Client {args.client_id!r}, redirect URIs {args.redirect_uri}", flush=True)
        print(f"Discovery: {server.url}/.well-known/openid-configuration  (Ctrl-C stops)",
              flush=True)
        try:
            server.wait()
        except KeyboardInterrupt:
            print("Stopping.", flush=True)
    return 0
