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
from flask import Blueprint, Flask, Response, current_app, jsonify, request
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
        whole = int(record.created)
        if self.second[0] != whole:
            self.second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
        line = {"ts": f"{self.second[1]}.{int(record.msecs):03d}Z", "level": record.levelname,
                "logger": record.name, **fields}
        return self.encode(line)


def init_app(app: Flask) -> None:
    """Wire the proxy fix, request ids, access log, security headers and /readyz into the app."""
    # Before any blueprint registers its rules: a rule binds its converters when added.
    app.url_map.converters["int"] = DatabaseIntConverter
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops, x_prefix=hops)
    _configure_access_log(app.config["LOG_LEVEL"])
    app.extensions["concord.csp"] = content_security_policy(app.config.get("OIDC_ISSUER"))
    # First of all before-request hooks, so even a request refused by another hook has an id.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_finish_request)
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
    """Return this request's id: a sane incoming X-Request-ID, else a new random one."""
    # Kept in the WSGI environ, not `g`: an app context (and its `g`) can outlive a request.
    rid = request.environ.get("concord.request_id")
    if rid is None:
        incoming = request.headers.get("X-Request-ID", "")
        # Not a secret, only unique: 128 random bits from the process's generator (Python
        # reseeds it in each forked worker), not a read of the system's randomness per request.
        rid = incoming if REQUEST_ID.match(incoming) else f"{random.getrandbits(128):032x}"
        request.environ["concord.request_id"] = rid
    return rid


def _start_request() -> None:
    request.environ["concord.request_started"] = time.perf_counter()
    request_id()


def note_user(user_id: int) -> None:
    """Remember who this request is for, so the access log never has to load the user again."""
    # Read after the view, a User's id may be expired by a commit: reloading it then would
    # query the database in the after-request path, which fails (a 500) if the database is lost.
    request.environ["concord.user_id"] = user_id


def _finish_request(response: Response) -> Response:
    """Add the request id and security headers, and write the access-log line."""
    rid = request_id()
    response.headers["X-Request-ID"] = rid
    _security_headers(response)
    if not access_log.isEnabledFor(logging.INFO):
        return response
    started = request.environ.get("concord.request_started", time.perf_counter())
    # Only a user loaded during the request is named (note_user); never a query from here.
    fields = {
        "request_id": rid,
        "user_id": request.environ.get("concord.user_id"),
        "method": request.method,
        "path": request.path,  # never the query string: it may carry a sign-in code
        "route": request.url_rule.rule if request.url_rule else None,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "remote": request.remote_addr,
    }
    # The record is made here and handed to the logger's handlers and filters as .info()
    # would, minus its search of the call stack for a file and line this line never shows.
    access_log.handle(access_log.makeRecord(access_log.name, logging.INFO, __file__, 0,
                                            "request", (), None, extra={"fields": fields}))
    return response


def _security_headers(response: Response) -> None:
    headers = response.headers
    headers["Content-Security-Policy"] = current_app.extensions["concord.csp"]
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if request.is_secure:  # HSTS over plain HTTP is ignored by browsers and misleading
        headers["Strict-Transport-Security"] = HSTS


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
