"""Development tools plug into the app factory through DEV_EXTENSIONS, never in production."""

from __future__ import annotations

import pytest

from core.config import ConfigError, build_config, dev_extensions


def test_refused_in_production(tmp_path):
    with pytest.raises(ConfigError, match="DEV_EXTENSIONS"):
        build_config(str(tmp_path), {"CONCORD_ENV": "production", "SECRET_KEY": "s",
                                     "DEV_EXTENSIONS": "devtools.bench_endpoints"})


def test_production_without_extensions_starts(tmp_path):
    cfg = build_config(str(tmp_path), {"CONCORD_ENV": "production", "SECRET_KEY": "s"})
    assert cfg["DEV_EXTENSIONS"] == ()


@pytest.mark.parametrize(("value", "expected"), [
    ("", ()), (None, ()), (" a.b , c ,", ("a.b", "c")), (["a", " b "], ("a", "b"))])
def test_setting_is_read_as_import_paths(value, expected):
    assert dev_extensions(value) == expected


def test_seed_demo_comes_with_the_extension_only(app, runner, disposable_app):
    assert "seed-demo" not in app.cli.commands["concord"].commands
    assert "No such command" in runner.invoke(args=["concord", "seed-demo"]).output
    dev = disposable_app(DEV_EXTENSIONS="devtools.demo_cli")
    dev_runner = dev.test_cli_runner()
    first = dev_runner.invoke(args=["concord", "seed-demo"])
    assert first.exit_code == 0, repr(first.exception)
    assert first.output == "Demo data loaded.\n"
    again = dev_runner.invoke(args=["concord", "seed-demo"]).output
    assert again == "Demo data already present; nothing changed.\n"
    # The other commands stay, and an app built without the extension is unchanged.
    assert {"make-admin", "backup", "restore"} <= set(dev.cli.commands["concord"].commands)
    assert "seed-demo" not in app.cli.commands["concord"].commands


def test_an_unknown_extension_stops_the_start(disposable_app):
    with pytest.raises(ModuleNotFoundError, match="no_such_tool"):
        disposable_app(DEV_EXTENSIONS="no_such_tool")
