"""Concord's shared kernel: the app factory and what every feature stands on."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing a pure module such as core.stats must not load Flask
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config layers, extensions, blueprints, error pages, CLI."""
    from flask import Flask
    from flask_migrate import Migrate
    from sqlalchemy import event
    from sqlalchemy.orm import configure_mappers

    from core import admin, auth, cli, csrf, edge, errors, limits, ops, sessions, tokens, views
    from core.config import build_config
    from core.db import db, ping_when_idle
    from core.timefmt import date_html, datetime_html
    from core.users import Role, login_manager

    app = Flask(__name__, instance_relative_config=True, template_folder="../templates",
                static_folder="../static")
    app.config.update(build_config(app.instance_path, config))
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    db.init_app(app)
    Migrate(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    sessions.init_app(app)  # after Flask-Login: it takes out one of its hooks
    ops.init_app(app)
    edge.init_app(app)  # after ops (the request id first), before every other hook
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
        elif not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
            ping_when_idle(db.engine)
    auth.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(tokens.bp)
    _register_features(app)
    limits.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    _load_dev_extensions(app)
    # Settle every model's relationships now, not in whichever request first loads a row.
    configure_mappers()

    @app.context_processor
    def _helpers() -> dict[str, Any]:
        from flask_login import current_user

        tz = getattr(current_user, "timezone", "UTC")
        takes_part = bool(current_user.roles() & {Role.REPRESENTATIVE, Role.CHAIR, Role.ADMIN})
        return {"show_dt": lambda v: datetime_html(v, tz), "show_date": date_html, "Role": Role,
                "takes_part": takes_part}

    return app


def _register_features(app: Flask) -> None:
    """Register the feature blueprints (the only place core imports a feature)."""
    import cycles.views
    import meetings.views
    import surveys.views
    import voting.views

    voting.views.init_app(app)
    surveys.views.init_app(app)
    cycles.views.init_app(app)
    meetings.views.init_app(app)


def _load_dev_extensions(app: Flask) -> None:
    """Let each DEV_EXTENSIONS module add itself (core never names a development tool)."""
    import importlib

    for path in app.config["DEV_EXTENSIONS"]:  # core/config.py refuses any in production
        importlib.import_module(path).init_app(app)


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Enforce foreign keys and wait for locks on SQLite."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
