"""Baselines for `make bench`: a constant and a one-row insert, only when BENCH_ENDPOINTS is set.

They measure the server stack (gunicorn, Flask, SQLAlchemy, PostgreSQL) without Concord's
own work, so the cast-vote figures can be read against them. core/config.py refuses
BENCH_ENDPOINTS in production.
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
    """Register the endpoints without CSRF (no session, no form)."""
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
