"""Fixtures: a fresh database per test run (SQLite or PostgreSQL), the app, factories, live servers."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from flask import g
from flask.testing import FlaskClient
from session_helpers import signed_in
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from werkzeug.serving import WSGIRequestHandler, make_server

from core import audit, clock, create_app
from core.config import normalize_database_url
from core.db import db
from core.member_rules import CompanyStatus
from core.members import Company, RepKind, Representative
from core.users import CACHE_KEY, User
from devtools.oidc_provider import ProviderServer

ISSUER = "http://idp.test"
PG_URL = os.environ.get("CONCORD_TEST_POSTGRES")  # e.g. postgresql://postgres@127.0.0.1/test


@contextmanager
def scratch_database(base_url: str, prefix: str) -> Iterator[str]:
    """Create an empty PostgreSQL database beside `base_url`, yield its URL, then drop it."""
    admin_url = make_url(normalize_database_url(base_url))
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """Yield a fresh, empty database for this run: a new PostgreSQL database or a SQLite file."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'concord.sqlite3'}"
        return
    with scratch_database(PG_URL, "concord_test") as url:
        yield url


@pytest.fixture
def empty_database_url(database_url, tmp_path) -> Iterator[str]:
    """Yield another brand-new empty database of the run's kind (migrations, restores)."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with scratch_database(database_url, "concord_scratch") as url:
        yield url


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    """Tell whether this run uses PostgreSQL."""
    return database_url.startswith("postgresql")


def make_test_app(database_url: str, **overrides):
    """Build an app for tests on the run's database."""
    config = {
        "CONCORD_ENV": "testing",
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "OIDC_ISSUER": ISSUER,
        "OIDC_CLIENT_ID": "concord-test",
        "OIDC_CLIENT_SECRET": "test-client-secret",
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config)


_SQLITE_TEMPLATES: dict[str, Path] = {}


_PG_EMPTYING: dict[str, str] = {}


def _pg_emptying_sql(conn) -> str:
    """Build one round trip that empties every table and restarts every id sequence.

    DELETE on tables holding a test's few rows takes about a millisecond where TRUNCATE,
    which gives every table and index new files, took ninety per test. Triggers (the audit
    log's and the ballots' guards refuse deletes) are off for this transaction only.
    """
    tables = [f'DELETE FROM "{t.name}"' for t in reversed(db.metadata.sorted_tables)]
    sequences = conn.execute(text(
        "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences "
        "WHERE schemaname = current_schema()")).scalars().all()
    restart = [f"SELECT {', '.join(f'setval({s!r}, 1, false)' for s in sequences)}"]
    return "; ".join(["SET LOCAL session_replication_role = replica", *tables,
                      *(restart if sequences else [])])


def reset_schema() -> None:
    """Give the test an empty schema (TRUNCATE bypasses the audit row triggers by design)."""
    engine = db.engine
    if engine.dialect.name == "sqlite" and engine.url.database in _SQLITE_TEMPLATES:
        # Copying a pre-built empty database is ~100x faster than drop_all/create_all.
        engine.dispose()
        shutil.copyfile(_SQLITE_TEMPLATES[engine.url.database], engine.url.database)
        return
    if engine.dialect.name == "postgresql":
        key = engine.url.render_as_string(hide_password=False)
        if key in _PG_EMPTYING:
            try:
                with engine.begin() as conn:
                    conn.exec_driver_sql(_PG_EMPTYING[key])
                return
            except DBAPIError:  # a test changed the schema: rebuild it as below
                pass
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_lock(1)"))
            db.metadata.create_all(conn)
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            conn.execute(text("SELECT pg_advisory_unlock(1)"))
            _PG_EMPTYING[key] = _pg_emptying_sql(conn)
    else:
        db.drop_all()
        db.create_all()
        if engine.url.database and engine.url.database != ":memory:":
            engine.dispose()
            template = Path(engine.url.database + ".template")
            shutil.copyfile(engine.url.database, template)
            _SQLITE_TEMPLATES[engine.url.database] = template


@pytest.fixture
def app_factory():
    """Return the function that builds a test app on a given database URL."""
    return make_test_app


@pytest.fixture
def disposable_app(database_url: str):
    """Return a builder of extra apps (default: the run's database) whose pools close at teardown."""
    built = []

    def build(url: str | None = None, **overrides):
        built.append(make_test_app(url or database_url, **overrides))
        return built[-1]

    yield build
    for extra in built:  # an unclosed psycopg connection warns, and warnings are errors
        with extra.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(database_url: str):
    """Yield an app with an empty schema."""
    from core import tokens

    tokens._TOKEN_USERS.clear()  # ids restart with each test's schema: forget seen tokens
    tokens._LOADED.clear()
    app = make_test_app(database_url)
    with app.app_context():
        reset_schema()
        yield app
        db.session.remove()
        db.engine.dispose()


class FreshUserClient(FlaskClient):
    """Test client that forgets Flask-Login's cached user between requests.

    Tests keep one app context pushed, and a request reuses it, so `g` would otherwise carry
    the previous request's user into the next one.
    """

    def open(self, *args, **kwargs):
        for key in ("_login_user", CACHE_KEY):
            g.pop(key, None)
        resp = super().open(*args, **kwargs)
        for key in ("_login_user", CACHE_KEY):
            g.pop(key, None)
        return resp


@pytest.fixture
def client(app):
    """A test client."""
    app.test_client_class = FreshUserClient
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Return a factory of users."""
    counter = iter(range(1, 10_000))

    def factory(name: str | None = None, email: str | None = None, admin: bool = False,
                verified: bool = True) -> User:
        n = next(counter)
        user = User(issuer=ISSUER, subject=f"sub-{n}", name=name or f"Person {n}",
                    email=email or f"person{n}@example.com", email_verified=verified,
                    is_admin=admin)
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def make_company(app):
    """Return a factory of companies with a first status."""

    def factory(name: str, status: CompanyStatus = CompanyStatus.MEMBER,
                since: date = date(2020, 1, 1), **fields) -> Company:
        slug = name.lower().replace("&", "").replace(" ", "-")
        company = Company(name=name, slug=slug, **fields)
        db.session.add(company)
        company.change_status(status, since, "test", None)
        audit.record("company.create", company, actor=None, name=name)
        db.session.commit()
        return company

    return factory


@pytest.fixture
def make_rep(app, make_user):
    """Return a factory of representatives (creates the user when not given)."""

    def factory(company: Company, user: User | None = None,
                kind: RepKind = RepKind.REPRESENTATIVE, start_on: date = date(2020, 1, 1)):
        user = user or make_user()
        rep = Representative.appoint(user, company, kind, start_on)
        db.session.commit()
        return rep

    return factory


@pytest.fixture
def login(client):
    """Return a function that logs a user into the test client through the session."""

    def do(user: User | None) -> None:
        with client.session_transaction() as sess:
            sess.clear()
            if user is not None:
                sess.update(signed_in(user))

    return do


@dataclass
class Live:
    """The app served over real HTTP beside the loopback OpenID Connect provider."""

    url: str
    app: object
    provider: ProviderServer


def _serve(app, port: int = 0):
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    return server, thread


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        """Keep test output readable."""


@pytest.fixture
def live(app, app_factory, database_url) -> Iterator[Live]:
    """Serve the app on 127.0.0.1 with a provider whose client is registered for its port."""
    provider = ProviderServer().start()
    rp = app_factory(database_url, OIDC_ISSUER=provider.url,
                     OIDC_CLIENT_ID="concord-live", OIDC_CLIENT_SECRET="live-secret")
    server, thread = _serve(rp)
    url = f"http://127.0.0.1:{server.server_port}"
    provider.add_client({"client_id": "concord-live", "client_secret": "live-secret",
                         "redirect_uris": [f"{url}/auth/callback"],
                         "post_logout_redirect_uris": [f"{url}/auth/signed-out"]})
    try:
        yield Live(url, rp, provider)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        provider.stop()
        with rp.app_context():
            db.engine.dispose()


@pytest.fixture
def consortium(app, make_company, make_rep, make_user):
    """Five member companies with one representative each, a candidate, a chair and an admin."""
    from core.members import ChairTerm

    names = ["AT&T", "NTT", "Orange", "Reliance Jio", "Walmart"]
    companies = {n: make_company(n, since=date(2017, 1, 1)) for n in names}
    reps = {n: make_rep(c, make_user(f"Rep of {n}")).user for n, c in companies.items()}
    candidate = make_company("Comcast", CompanyStatus.CANDIDATE, since=date(2017, 1, 1))
    reps["Comcast"] = make_rep(candidate, make_user("Rep of Comcast")).user
    chair = reps["AT&T"]
    ChairTerm.record(chair, companies["AT&T"], date(2020, 1, 1), date(2099, 1, 1))
    db.session.commit()
    return {"companies": companies, "reps": reps, "chair": chair, "candidate": candidate,
            "admin": make_user("Ada Admin", admin=True)}


@pytest.fixture
def make_ballot(app):
    """Return a factory of ballots, opened unless `draft=True`.

    The window runs from the moment of creation for `hours`. With `at`, the ballot is created and
    opened with the clock frozen at `at` (a past `at` gives a ballot whose whole window is past).
    """
    from voting.models import Ballot, Option
    from voting.outcome import Kind

    def factory(kind: Kind = Kind.MOTION, options=(), draft: bool = False,
                hours: int = 24, at: datetime | None = None, **settings):
        with clock.frozen(at) if at is not None else nullcontext():
            now = clock.now()
            ballot = Ballot(title=settings.pop("title", f"{kind.value} ballot"),
                            text="Proposal text", kind=kind, opens_at=now,
                            closes_at=now + timedelta(hours=hours), **settings)
            ballot.options = [Option(position=i, label=o) for i, o in enumerate(options, 1)]
            db.session.add(ballot)
            if not draft:
                ballot.open()
            db.session.commit()
        return ballot

    return factory


@pytest.fixture
def travel() -> Iterator[Callable[[datetime], None]]:
    """Return `travel(to)`: freeze the clock at `to` for the rest of the test.

    Calls may follow one another (each moves the clock again); every freeze is undone at teardown.
    Do not call it inside a `with clock.frozen(...)` block: leaving the block would undo it.
    """
    before = getattr(clock, "_frozen", None)  # checked below: no freeze outlives the test
    with ExitStack() as stack:
        yield lambda to: stack.enter_context(clock.frozen(to))
    assert getattr(clock, "_frozen", None) is before, \
        "travel() was called inside a clock.frozen block, which undid it and now leaks"


@pytest.fixture
def smtp(app):
    """Start a real SMTP server on 127.0.0.1 and point the app's mail settings at it."""
    from mail_helpers import BASE, start_inbox

    inbox, controller = start_inbox()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, BASE_URL=BASE,
                      MAIL_FROM="concord@concord.example.org", WTF_CSRF_ENABLED=False)
    yield inbox
    controller.stop()
