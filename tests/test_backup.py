"""`flask concord backup` / `restore`: a round trip restores every row and the audit chain verifies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from core import audit, backup, clock
from core.db import db
from core.members import Company
from voting.actions import cast, decide_ballot, publish
from voting.outcome import Kind


def snapshot() -> dict[str, list[tuple]]:
    """Read every row of every table of the schema, in primary-key order."""
    with db.engine.connect() as conn:
        return {t.name: [tuple(r) for r in conn.execute(
                    select(t).order_by(*t.primary_key.columns))]
                for t in db.metadata.sorted_tables}


def populate(consortium, make_ballot) -> None:
    """Votes, changed votes, a decided and published ballot, a secret ranked ballot."""
    reps = consortium["reps"]
    motion = make_ballot(Kind.MOTION, title="Adopt the charter")
    for name, choice in [("AT&T", "yes"), ("NTT", "no"), ("Orange", "yes"), ("NTT", "yes")]:
        cast(motion, reps[name], {"vote": choice})
    ranked = make_ballot(Kind.RANKED, options=("Alpha", "Beta", "Gamma"), secrecy="secret")
    cast(ranked, reps["Walmart"], {"ranks": {"Alpha": 1, "Beta": 2}})
    voted_at = clock.now() - timedelta(days=2)  # the whole window lies in the past
    closed = make_ballot(Kind.MOTION, title="Closed one", at=voted_at, hours=24)
    with clock.frozen(voted_at):
        cast(closed, reps["Orange"], {"vote": "no"})
    decide_ballot(closed)
    publish(closed, "Published for the backup test.")
    db.session.commit()


def test_round_trip_restores_every_row(app, runner, disposable_app, empty_database_url, tmp_path,
                                       consortium, make_ballot):
    populate(consortium, make_ballot)
    before = snapshot()
    assert before["vote_revision"] and before["vote"] and before["audit_event"]
    round_trip(runner, disposable_app, empty_database_url, tmp_path, before)


def test_round_trip_of_the_demo_data(app, runner, disposable_app, empty_database_url, tmp_path):
    """The demo data touches every feature's tables (surveys too, where they exist)."""
    from devtools.demo_data import load_demo

    assert load_demo()
    before = snapshot()
    filled = {name for name, rows in before.items() if rows}
    assert {"company", "user_account", "representative", "audit_event"} <= filled
    round_trip(runner, disposable_app, empty_database_url, tmp_path, before)


def round_trip(runner, disposable_app, empty_database_url, tmp_path, before) -> None:
    """Back up, restore into an empty database, restore again over changes; compare each time."""
    path = tmp_path / "concord.backup"
    result = runner.invoke(args=["concord", "backup", str(path)])
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output and path.stat().st_size > 0

    target = disposable_app(empty_database_url)
    target_cli = target.test_cli_runner()
    # The CLI uses the app context already pushed, so push the target's (not the test app's).
    with target.app_context():
        result = target_cli.invoke(args=["concord", "restore", "--yes", str(path)])
        assert result.exit_code == 0, result.output
        assert "Audit chain OK" in result.output
        assert snapshot() == before
        # Restoring again over changed data puts back exactly the backup.
        extra = Company(name="Added later", slug="added-later")
        db.session.add(extra)
        audit.record("company.create", extra, actor=None)
        db.session.commit()
        db.session.remove()
        result = target_cli.invoke(args=["concord", "restore", "--yes", str(path)])
        assert result.exit_code == 0, result.output
        assert db.session.scalar(select(func.count()).select_from(Company)) == \
            len(before["company"])
        assert snapshot() == before
        verify = target_cli.invoke(args=["audit", "verify"])
        assert verify.exit_code == 0 and "Audit chain OK" in verify.output
        assert f"{len(before['audit_event'])} events verified" in verify.output
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_a_file_that_is_not_a_backup(runner, tmp_path, is_postgres):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup at all")
    result = runner.invoke(args=["concord", "restore", "--yes", str(junk)])
    assert result.exit_code == 1
    kind = "pg_dump custom-format" if is_postgres else "SQLite"
    assert f"is not a {kind} backup" in result.output
    missing = runner.invoke(args=["concord", "restore", "--yes", str(tmp_path / "nope")])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_restore_asks_first(runner, tmp_path):
    path = tmp_path / "b"
    assert runner.invoke(args=["concord", "backup", str(path)]).exit_code == 0
    result = runner.invoke(args=["concord", "restore", str(path)], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output


def test_missing_postgres_tools_are_named(monkeypatch, tmp_path):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    url = make_url("postgresql+psycopg://concord:s3cret@127.0.0.1/concord")
    with pytest.raises(backup.ToolMissing, match="pg_dump not found") as err:
        backup.backup_postgres(url, tmp_path / "x")
    assert err.value.exit_code == backup.EXIT_TOOL_MISSING == 3
    dump = tmp_path / "d"
    dump.write_bytes(b"PGDMP....")
    with pytest.raises(backup.ToolMissing, match="pg_restore not found"):
        backup.restore_postgres(url, dump)


def test_password_goes_through_the_environment_not_argv():
    uri, env = backup._libpq(make_url("postgresql+psycopg://concord:s3cret@db:5433/concord"))
    assert uri == "postgresql://concord@db:5433/concord" and env["PGPASSWORD"] == "s3cret"
