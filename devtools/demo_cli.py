"""`flask concord seed-demo`, contributed by the development tools (DEV_EXTENSIONS=devtools.demo_cli).

    CONCORD_ENV=development DEV_EXTENSIONS=devtools.demo_cli flask --app wsgi concord seed-demo
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo consortium (idempotent: does nothing if companies exist)."""
    from devtools.demo_data import load_demo

    created = load_demo()
    click.echo("Demo data loaded." if created else "Demo data already present; nothing changed.")


def init_app(app: Flask) -> None:
    """Add seed-demo to this app's `concord` group, leaving the shared group untouched."""
    # core.cli's group is one object for every app in the process; a copy keeps the command
    # out of apps built without this extension (the tests build many).
    group = app.cli.commands["concord"]
    app.cli.add_command(AppGroup(group.name, help=group.help,
                                 commands={**group.commands, seed_demo.name: seed_demo}))
