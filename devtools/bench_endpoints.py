"""Concord's own baselines for `make bench`: a constant and a one-row insert, inside Concord.

A development extension (DEV_EXTENSIONS=devtools.bench_endpoints), which core/config.py
refuses in production. Served by Concord, they pay its per-request machinery (request id,
access log, input checks, sign-in, security headers), so set beside bench/bare_app.py (the
same two endpoints in a bare Flask app) they show what that machinery costs.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Flask, jsonify
from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from core.db import db

bp = Blueprint("bench", __name__, url_prefix="/_bench")
# Own metadata: this table is not part of Concord's schema or its migrations.
bench_metadata = MetaData()
bench_row = Table("bench_row", bench_metadata,
                  Column("id", Integer, primary_key=True),
                  Column("payload", String(40), nullable=False))


def init_app(app: Flask) -> None:
    """Register the endpoints without CSRF (no session, no form); the app factory calls this."""
    app.extensions["csrf"].exempt(bp)
    app.register_blueprint(bp)


def create_table() -> None:
    """Create the baseline insert's table if it is missing."""
    bench_metadata.create_all(db.engine)


@bp.get("/constant")
def constant():
    """Return a constant: the cost of the stack alone."""
    return jsonify(ok=True)


@bp.post("/insert")
def insert_row():
    """Insert one row and commit: the cost of the stack plus one write transaction."""
    db.session.execute(insert(bench_row).values(payload=secrets.token_hex(8)))
    db.session.commit()
    return jsonify(ok=True), 201
