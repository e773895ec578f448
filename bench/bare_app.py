"""The real limit for `make bench`: a bare Flask + Flask-SQLAlchemy app, outside Concord.

No Concord import, no middleware, no hooks: one endpoint returning a constant and one
inserting a row into its own table (`bare_row`) of the same PostgreSQL database. gunicorn
serves it with as many workers as Concord:

    BARE_DATABASE_URL=postgresql+psycopg://... gunicorn 'bench.bare_app:create_app()'
"""

from __future__ import annotations

import os
import secrets

from flask import Flask, jsonify
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """The bare app's own metadata: nothing of Concord's schema."""


db = SQLAlchemy(model_class=Base)


class BareRow(db.Model):
    """One row per insert."""

    __tablename__ = "bare_row"
    id: Mapped[int] = mapped_column(primary_key=True)
    payload: Mapped[str] = mapped_column(String(40))


def create_app(database_url: str | None = None) -> Flask:
    """Build the app on BARE_DATABASE_URL (or the given URL)."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url or os.environ["BARE_DATABASE_URL"]
    db.init_app(app)

    @app.get("/constant")
    def constant():
        return jsonify(ok=True)

    @app.post("/insert")
    def insert_row():
        # The same statement as Concord's /_bench/insert: one Core insert, one commit.
        db.session.execute(insert(BareRow).values(payload=secrets.token_hex(8)))
        db.session.commit()
        return jsonify(ok=True), 201

    return app


def create_table(database_url: str) -> None:
    """Create `bare_row` if it is missing (outside the timed part)."""
    app = create_app(database_url)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
