"""CSRF protection (Flask-WTF) for every view, looked up only for the methods that change things."""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect


def init_app(app: Flask) -> CSRFProtect:
    """Check the CSRF token of every unsafe request before its view, as Flask-WTF's hook does."""
    hooks = app.before_request_funcs.setdefault(None, [])
    before = len(hooks)
    csrf = CSRFProtect(app)
    config = app.config

    # Flask-WTF's hook looks up the view's exemptions before it looks at the method, so
    # every GET paid for that lookup (a twentieth of a bare page). This one reads the same
    # settings and makes the same check, the method first; it takes the other's place.
    def csrf_protect() -> None:
        if (request.method in config["WTF_CSRF_METHODS"] and config["WTF_CSRF_ENABLED"]
                and config["WTF_CSRF_CHECK_DEFAULT"]):
            csrf.protect(apply_exemptions=True)

    hooks[before:] = [csrf_protect]
    return csrf
