"""Error pages (HTML, or JSON for the API) that never leak a traceback."""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, TooManyRequests

from core import ops
from core.db import db
from core.domain_errors import DomainError

log = logging.getLogger("concord.errors")
DATABASE_RETRY_AFTER = 5  # seconds: a restart or a failover is usually over by then

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to see or do this.",
    404: "There is nothing here.",
    405: "This address does not accept that kind of request.",
    409: "Someone else changed this at the same time. Reload the page and try again.",
    413: "What you sent is too large.",
    422: "What you sent could not be processed.",
    429: "Too many requests; wait a moment and try again.",
    500: "Something went wrong on our side. It has been logged.",
    503: "The service is briefly unavailable. Please try again in a moment.",
}


def wants_json() -> bool:
    """Tell whether the client asked for JSON (the API always does)."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(status: int, message: str | None = None) -> Response:
    """Render the error page or JSON body for a status."""
    message = message or MESSAGES.get(status, "Error.")
    request_id = ops.request_id()  # users quote it when they report a problem
    if wants_json():
        return make_response(jsonify(error=status, message=message, request_id=request_id), status)
    try:
        page = render_template("error.html", status=status, message=message)
    except SQLAlchemyError:
        # The full page names the signed-in user; with the database down, say so without it.
        _rollback_quietly()
        bare = current_app.jinja_env.get_template("error_bare.html")  # no context processors
        page = bare.render(status=status, message=message, request_id=request_id)
    return make_response(page, status)


def database_unavailable() -> Response:
    """Say the database is briefly out of reach (503), with the request id and Retry-After."""
    resp = render_error(503)
    resp.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return resp


def too_many_requests(exc: TooManyRequests) -> Response:
    """Explain a rate limit and say when to retry."""
    limit = exc.description if exc.description != TooManyRequests.description else None
    message = MESSAGES[429] + (f" (limit: {limit})" if limit else "")
    resp = render_error(429, message)
    resp.headers["Retry-After"] = str(retry_after_seconds(exc))
    return resp


def retry_after_seconds(exc: TooManyRequests) -> int:
    """Return the seconds until the reached limit's window starts again (60 if unknown)."""
    reset_at = getattr(exc, "reset_at", None)  # core.limits.RateLimited carries it
    if reset_at is None:
        return 60
    return max(1, math.ceil(reset_at - time.time()))


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(400, "The form expired or was sent from elsewhere (CSRF check "
                                 "failed). Go back, reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if isinstance(exc, TooManyRequests):
            return too_many_requests(exc)
        if exc.code is None or exc.code >= 500:
            return render_error(exc.code or 500)
        desc = exc.description if exc.description != type(exc).description else None
        return render_error(exc.code, desc)

    @app.errorhandler(IntegrityError)
    def integrity_error(exc: IntegrityError):
        _rollback_quietly()
        log.warning("integrity conflict: %s", exc.orig)
        return render_error(409)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_down(exc: SQLAlchemyError):
        _rollback_quietly()
        log.error("database unavailable: %s", getattr(exc, "orig", None) or exc)
        return database_unavailable()

    @app.errorhandler(DBAPIError)
    def database_error(exc: DBAPIError):
        # A dropped connection can surface as any DBAPI error class; anything else is our bug.
        if exc.connection_invalidated:
            return database_down(exc)
        raise exc  # not an outage: a bug, handled (and logged, or raised in tests) as any other

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        # The one place a refusal a view lets through becomes an answer: page or JSON.
        _rollback_quietly()
        return render_error(exc.status, exc.sentence())

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError):
        _rollback_quietly()
        log.exception("unhandled error", exc_info=exc.original_exception)
        return render_error(500)


def _rollback_quietly() -> None:
    """Roll back the request's transaction; with the connection gone that fails too, harmlessly."""
    try:
        db.session.rollback()
    except SQLAlchemyError as exc:
        log.warning("rollback failed: %s", exc)
