"""Command-line tools: `flask audit verify`, `flask concord make-admin|backup|restore`.

Development tools add their own commands (the demo loader) through DEV_EXTENSIONS.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from core import audit
from core.db import db
from core.users import User

audit_cli = AppGroup("audit", help="Inspect the audit log.")
concord_cli = AppGroup("concord", help="Concord administration.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Verify the audit hash chain; exit 1 at the first broken row."""
    report = audit.verify_database()
    if report.ok:
        click.echo(f"Audit chain OK: {report.checked} events verified.")
        return
    click.echo(f"Audit chain BROKEN at {report.where}: {report.reason} "
               f"({report.checked} events verified before it).", err=True)
    raise SystemExit(1)


@concord_cli.command("make-admin")
@click.argument("email")
def make_admin(email: str) -> None:
    """Grant the administrator role to the user with this (verified) e-mail."""
    user = db.session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower(), User.email_verified)
    ).first()
    if user is None:
        click.echo(f"No signed-in user with the verified e-mail {email}; they must sign in "
                   "once first.", err=True)
        raise SystemExit(2)
    user.is_admin = True
    audit.record("user.make_admin", user, actor=None, email=user.email)
    db.session.commit()
    click.echo(f"{user} is now an administrator.")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    from core.backup import backup_command, restore_command

    concord_cli.add_command(backup_command)
    concord_cli.add_command(restore_command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(concord_cli)
