"""Error pages (HTML, or JSON for the API) that never leak a traceback."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from core.db import db

log = logging.getLogger("concord.errors")

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
    if wants_json():
        return make_response(jsonify(error=status, message=message), status)
    return make_response(render_template("error.html", status=status, message=message), status)


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(400, "The form expired or was sent from elsewhere (CSRF check "
                                 "failed). Go back, reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code >= 500:
            return render_error(exc.code or 500)
        desc = exc.description if exc.description != type(exc).description else None
        return render_error(exc.code, desc)

    @app.errorhandler(IntegrityError)
    def integrity_error(exc: IntegrityError):
        db.session.rollback()
        log.warning("integrity conflict: %s", exc.orig)
        return render_error(409)

    @app.errorhandler(OperationalError)
    def database_down(exc: OperationalError):
        db.session.rollback()
        log.error("database unavailable: %s", exc.orig)
        resp = render_error(503)
        resp.headers["Retry-After"] = "5"
        return resp

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError):
        db.session.rollback()
        log.exception("unhandled error", exc_info=exc.original_exception)
        return render_error(500)
