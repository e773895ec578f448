"""`flask concord send-notifications`: send the e-mail that is due; meant for cron or a systemd timer."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from core.cli import concord_cli


@click.command("send-notifications")
@with_appcontext
def send_notifications() -> None:
    """Send due notifications once each; exit 1 if any failed (they are retried next run)."""
    from cycles.notify import send_due

    app = current_app._get_current_object()
    if not app.config.get("BASE_URL"):
        click.echo("BASE_URL is not set: e-mail needs absolute links. Set it and run again.",
                   err=True)
        raise SystemExit(2)
    report = send_due(app)
    click.echo(f"Notifications: {report.sent} sent, {report.failed} failed"
               f"{', retried next run' if report.failed else ''}"
               f"{f', {report.skipped} taken by another run' if report.skipped else ''}.")
    if report.failed:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Add the command to the `concord` group (core/cli.py registers the group itself)."""
    if "send-notifications" not in concord_cli.commands:
        concord_cli.add_command(send_notifications)
