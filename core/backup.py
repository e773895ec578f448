"""`flask concord backup PATH` and `flask concord restore PATH` for SQLite and PostgreSQL.

SQLite uses the online backup API (consistent while the app runs). PostgreSQL uses
`pg_dump -Fc` and `pg_restore --clean --if-exists --single-transaction` on DATABASE_URL;
the password goes through PGPASSWORD, never the command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from sqlalchemy.engine import URL

from core import audit
from core.db import db

EXIT_FAILED = 1
EXIT_TOOL_MISSING = 3
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(click.ClickException):
    """A backup or restore that could not be done; the message says why."""

    exit_code = EXIT_FAILED


class ToolMissing(BackupError):
    """pg_dump or pg_restore is not installed."""

    exit_code = EXIT_TOOL_MISSING


def _url() -> URL:
    return db.engine.url


def backup_sqlite(url: URL, target: Path) -> None:
    """Copy a live SQLite database page by page with sqlite3's online backup."""
    source_path = url.database
    if not source_path or source_path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    src, dst = sqlite3.connect(source_path), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def restore_sqlite(url: URL, source: Path) -> None:
    """Replace the SQLite database's contents with a backup file's."""
    if source.read_bytes()[:16] != SQLITE_MAGIC:
        raise BackupError(f"{source} is not a SQLite backup")
    src, dst = sqlite3.connect(source), sqlite3.connect(url.database)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """Return a libpq connection URI without the password, and the environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    # URL.set() ignores None, so the password is dropped with the named tuple's _replace.
    bare = url.set(drivername="postgresql")._replace(password=None)
    return bare.render_as_string(hide_password=False), env


def _run(tool: str, args: list[str], env: dict[str, str]) -> None:
    """Run a PostgreSQL client tool; name it plainly when it is missing or fails."""
    path = shutil.which(tool)
    if path is None:
        raise ToolMissing(f"{tool} not found on PATH: install the PostgreSQL client tools "
                          "(Debian: apt-get install postgresql-client), of the server's major "
                          "version or newer")
    done = subprocess.run([path, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed (exit {done.returncode}): {done.stderr.strip()}")


def backup_postgres(url: URL, target: Path) -> None:
    """Dump the database in pg_dump's custom format (compressed, restorable selectively)."""
    uri, env = _libpq(url)
    _run("pg_dump", ["--format=custom", "--no-owner", "--file", str(target), "--dbname", uri], env)


def restore_postgres(url: URL, source: Path) -> None:
    """Restore a custom-format dump over the database in one transaction (all or nothing)."""
    if source.read_bytes()[:5] != PG_DUMP_MAGIC:
        raise BackupError(f"{source} is not a pg_dump custom-format backup")
    uri, env = _libpq(url)
    _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction",
                        "--exit-on-error", "--dbname", uri, str(source)], env)


def backup(target: Path) -> None:
    """Back up the configured database to `target`."""
    url = _url()
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        backup_sqlite(url, target)
    elif url.get_backend_name() == "postgresql":
        backup_postgres(url, target)
    else:
        raise BackupError(f"no backup method for {url.get_backend_name()}")


def restore(source: Path) -> None:
    """Restore the configured database from `source`, replacing its contents."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    url = _url()
    db.session.remove()
    db.engine.dispose()  # our own pooled connections would hold locks the restore needs
    if url.get_backend_name() == "sqlite":
        restore_sqlite(url, source)
    elif url.get_backend_name() == "postgresql":
        restore_postgres(url, source)
    else:
        raise BackupError(f"no restore method for {url.get_backend_name()}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Back up the database to PATH (SQLite online backup, or pg_dump -Fc)."""
    backup(path)
    click.echo(f"Backup written to {path} ({path.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database's contents with the backup at PATH, then verify the audit chain."""
    if not yes:
        click.confirm(f"Replace everything in {_url().render_as_string()} with {path}?", abort=True)
    restore(path)
    report = audit.verify_database()
    click.echo(f"Restored from {path}. Audit chain {'OK' if report.ok else 'BROKEN'}: "
               f"{report.checked} events verified.")
    if not report.ok:
        raise BackupError(f"the restored audit chain is broken at {report.where}: "
                          f"{report.reason}")
