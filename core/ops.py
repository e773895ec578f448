"""Operations: request ids, one JSON access-log line per request, security headers, /readyz."""

from __future__ import annotations

import json
import logging
import random
import re
import time
from typing import Any
from urllib.parse import urlsplit

from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, Request, current_app, jsonify, request
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from core.db import INT_MAX, db

bp = Blueprint("ops", __name__)
access_log = logging.getLogger("concord.access")
log = logging.getLogger("concord.ops")
REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
HSTS = "max-age=31536000"


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` that matches only what an id column can hold: a larger number is a 404.

    Werkzeug's own converter accepts any number of digits, and the database then fails on
    the lookup (PostgreSQL: integer out of range; SQLite: int too large), a 500.
    """

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits, min, INT_MAX if max is None else max, signed)


class JsonLineFormatter(logging.Formatter):
    """Format a record whose `fields` extra is a dict as one JSON object on one line."""

    # The access log formats a line per request: the second's text is kept while it lasts,
    # and the encoder is built once.
    second: tuple[int, str] = (-1, "")
    encode = json.JSONEncoder(default=str, separators=(",", ":")).encode

    def format(self, record: logging.LogRecord) -> str:
        """Render time (UTC, like everything else), level, logger and the record's fields."""
        fields = getattr(record, "fields", None) or {"message": record.getMessage()}
        return self.line(record.created, record.levelname, record.name, fields)

    def line(self, created: float, level: str, logger: str, fields: dict[str, Any]) -> str:
        """Render one line from its parts (a record's, or the access log's own)."""
        whole = int(created)
        if self.second[0] != whole:
            self.second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
        msecs = int((created - whole) * 1000)  # as logging's own record computes it
        return self.encode({"ts": f"{self.second[1]}.{msecs:03d}Z", "level": level,
                            "logger": logger, **fields})


def init_app(app: Flask) -> None:
    """Wire the proxy fix, request ids, access log, security headers and /readyz into the app."""
    # Before any blueprint registers its rules: a rule binds its converters when added.
    app.url_map.converters["int"] = DatabaseIntConverter
    _configure_access_log(app.config["LOG_LEVEL"])
    csp = app.extensions["concord.csp"] = content_security_policy(app.config.get("OIDC_ISSUER"))
    # Outside Flask, so every response has an id, the headers and its line, whatever made it
    # (a view, an error page, a refusal before any view); inside the proxy fix, so it sees the
    # client's address and scheme.
    app.wsgi_app = RequestEdge(app.wsgi_app, csp)  # type: ignore[method-assign]
    app.request_class = EdgeRequest
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops, x_prefix=hops)
    app.context_processor(lambda: {"request_id": request_id()})
    app.register_blueprint(bp)


def _configure_access_log(level: str) -> None:
    """Give the access logger its own JSON-line handler once per process."""
    access_log.setLevel(level)
    if not any(getattr(h, "concord_access", False) for h in access_log.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonLineFormatter())
        handler.concord_access = True  # type: ignore[attr-defined]
        access_log.addHandler(handler)
        access_log.propagate = False  # a plain-text copy through the root logger would be noise


def content_security_policy(issuer: str | None) -> str:
    """Build the CSP; forms may also post to the sign-in provider (its logout redirect)."""
    form_action = "'self'"
    if issuer:
        parts = urlsplit(issuer)
        if parts.scheme and parts.netloc:
            form_action += f" {parts.scheme}://{parts.netloc}"
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
            f"form-action {form_action}")


def request_id() -> str:
    """Return this request's id (RequestEdge gives one to every request that reaches the app)."""
    # Kept in the WSGI environ, not `g`: an app context (and its `g`) can outlive a request.
    rid = request.environ.get("concord.request_id")
    if rid is None:  # a request context made without the WSGI app (tests, shell)
        rid = request.environ["concord.request_id"] = _new_request_id(
            request.environ.get("HTTP_X_REQUEST_ID", ""))
    return rid


def _new_request_id(incoming: str) -> str:
    """A sane incoming X-Request-ID, else a new random one."""
    # Not a secret, only unique: 128 random bits from the process's generator (Python
    # reseeds it in each forked worker), not a read of the system's randomness per request.
    return incoming if REQUEST_ID.match(incoming) else f"{random.getrandbits(128):032x}"


def note_user(user_id: int) -> None:
    """Remember who this request is for, so the access log never has to load the user again."""
    # Read after the view, a User's id may be expired by a commit: reloading it then would
    # query the database in the after-request path, which fails (a 500) if the database is lost.
    request.environ["concord.user_id"] = user_id


class EdgeRequest(Request):
    """Flask's request, left in the WSGI environ for RequestEdge's line after the response."""

    # Flask clears Werkzeug's own environ["werkzeug.request"] when the request ends, before
    # the line is written; RequestEdge takes this one out once it has written it.
    def __init__(self, environ: dict, *args: Any, **kwargs: Any) -> None:
        super().__init__(environ, *args, **kwargs)
        environ["concord.request"] = self


class RequestEdge:
    """WSGI layer around Flask: the request id, the security headers and the access-log line."""

    # Plain WSGI, not Flask hooks: a hook reads the request through context proxies and sets
    # each header through Werkzeug's Headers, together a fifth of a bare page's time.
    def __init__(self, app: Any, csp: str) -> None:
        self.app = app
        self.headers = [("Content-Security-Policy", csp), ("X-Content-Type-Options", "nosniff"),
                        ("X-Frame-Options", "DENY"),
                        ("Referrer-Policy", "strict-origin-when-cross-origin")]
        # Ours replace any the app set, as Headers.__setitem__ did.
        self.names = {name.lower() for name, _ in self.headers}
        self.names |= {"x-request-id", "strict-transport-security"}

    def __call__(self, environ: dict, start_response: Any) -> Any:
        """Serve one request: id first, headers on the response, then its line."""
        started = time.perf_counter()
        rid = environ["concord.request_id"] = _new_request_id(
            environ.get("HTTP_X_REQUEST_ID", ""))
        answered: list[str] = []

        def start(status: str, headers: list, exc_info: Any = None) -> Any:
            answered.append(status)
            names = self.names
            headers[:] = [pair for pair in headers if pair[0].lower() not in names]
            headers += self.headers
            headers.append(("X-Request-ID", rid))
            # HSTS over plain HTTP is ignored by browsers and misleading.
            if environ.get("wsgi.url_scheme") in ("https", "wss"):
                headers.append(("Strict-Transport-Security", HSTS))
            return start_response(status, headers, exc_info)

        body = self.app(environ, start)
        if answered and access_log.isEnabledFor(logging.INFO):
            _log_request(environ, rid, int(answered[-1][:3]), started)
        environ.pop("concord.request", None)  # the request and its environ hold each other
        return body


def _log_request(environ: dict, rid: str, status: int, started: float) -> None:
    """Write the request's access-log line from the WSGI environ and Flask's request in it."""
    req = environ.get("concord.request")
    rule = getattr(req, "url_rule", None)
    # Only a user loaded during the request is named (note_user); never a query from here.
    fields = {
        "request_id": rid,
        "user_id": environ.get("concord.user_id"),
        "method": environ.get("REQUEST_METHOD"),
        "path": req.path if req is not None else None,  # never the query string: it may
        "route": rule.rule if rule is not None else None,  # carry a sign-in code
        "endpoint": getattr(req, "endpoint", None),
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "remote": environ.get("REMOTE_ADDR"),
    }
    handler = _sole_handler()
    if handler is not None:
        # Only Concord's own handler would see the record: the line it would print is written
        # straight to its stream, under its lock, without building a LogRecord (as costly as
        # everything else in the line).
        line = handler.formatter.line(time.time(), "INFO", access_log.name, fields)
        try:
            with handler.lock:
                handler.stream.write(line + handler.terminator)
                handler.stream.flush()
            return
        except Exception:  # logging reports it below, as it would for any record
            pass
    # The record is made here and handed to the logger's handlers and filters as .info()
    # would, minus its search of the call stack for a file and line this line never shows.
    access_log.handle(access_log.makeRecord(access_log.name, logging.INFO, __file__, 0,
                                            "request", (), None, extra={"fields": fields}))


def _sole_handler() -> Any:
    """Concord's own access-log handler if nothing else (filter, handler, parent) is attached."""
    handlers = access_log.handlers
    if len(handlers) != 1 or access_log.filters or access_log.propagate or access_log.disabled:
        return None
    handler = handlers[0]
    if (type(handler) is not logging.StreamHandler or handler.filters or handler.level > logging.INFO
            or not getattr(handler, "concord_access", False)
            or type(handler.formatter) is not JsonLineFormatter):
        return None
    return handler


def migration_scripts(app: Flask) -> tuple[set[str], set[str]]:
    """Return (heads, every revision) of the migration scripts shipped with this code (read once)."""
    known = app.extensions.get("concord.migrations")
    if known is None:
        script = ScriptDirectory(app.extensions["migrate"].directory)
        revisions = {rev.revision for rev in script.walk_revisions()}
        known = app.extensions["concord.migrations"] = (set(script.get_heads()), revisions)
    return known


def readiness() -> tuple[bool, dict[str, Any]]:
    """Check the database answers and its schema is at the migration heads of this code."""
    expected, known = migration_scripts(current_app._get_current_object())  # type: ignore[attr-defined]
    try:
        with db.engine.connect() as conn:
            current = database_revisions(conn)
    except SQLAlchemyError as exc:
        log.error("readiness: database unreachable: %s", exc)
        return False, {"reason": "database unreachable"}
    state = {"database": sorted(current), "code": sorted(expected)}
    if current == expected:
        return True, state
    if not current:
        return False, {**state, "reason": "migrations not applied: run 'flask db upgrade'"}
    if current - known:
        return False, {**state, "reason": "database is at a revision this code does not know "
                                         "(newer code migrated it?)"}
    return False, {**state, "reason": "database is behind the code: run 'flask db upgrade'"}


def database_revisions(conn) -> set[str]:
    """Read the revisions stamped in alembic_version (empty if never migrated)."""
    # A plain query: alembic's MigrationContext logs two INFO lines per call, every probe.
    if not inspect(conn).has_table("alembic_version"):
        return set()
    return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


@bp.get("/readyz")
def readyz():
    """Tell a load balancer whether this process can serve: database up, migrations at head."""
    ready, state = readiness()
    if ready:
        return jsonify(status="ready", migrations=state)
    return jsonify(status="unavailable", **state), 503
