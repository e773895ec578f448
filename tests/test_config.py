"""Configuration layers and the production safety checks."""

from __future__ import annotations

import pytest

from core import create_app
from core.config import ConfigError, build_config, normalize_database_url


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("CONCORD_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY is required"):
        build_config(str(tmp_path))
    with pytest.raises(ConfigError):
        create_app({"DATABASE_URL": "sqlite://"})


def test_production_defaults_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("CONCORD_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    cfg = build_config(str(tmp_path))
    assert cfg["SESSION_COOKIE_SECURE"] and cfg["SESSION_COOKIE_HTTPONLY"]
    assert cfg["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert (cfg["SESSION_IDLE_MINUTES"], cfg["SESSION_MAX_HOURS"]) == (240, 24)
    assert cfg["MAX_JSON_BYTES"] == 64 * 1024
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'concord.sqlite3'}"


def test_development_allows_missing_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    cfg = build_config(str(tmp_path), {"CONCORD_ENV": "development"})
    assert cfg["SECRET_KEY"].startswith("insecure-") and not cfg["SESSION_COOKIE_SECURE"]


def test_layers_env_over_instance_file_over_defaults(monkeypatch, tmp_path):
    (tmp_path / "concord.cfg").write_text('OIDC_SCOPES = "openid email"\nMAIL_PORT = 2525\n')
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    cfg = build_config(str(tmp_path), {"CONCORD_ENV": "testing"})
    assert cfg["OIDC_SCOPES"] == "openid email"
    assert cfg["MAIL_PORT"] == 587 and cfg["MAIL_USE_TLS"] is True


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [("MAIL_PORT", "twenty-five", "MAIL_PORT must be an integer"),
     ("CONCORD_ENV", "staging", "CONCORD_ENV must be one of"),
     ("SESSION_IDLE_MINUTES", "0", "SESSION_IDLE_MINUTES must be a whole number of at least 1"),
     ("SESSION_MAX_HOURS", "-3", "SESSION_MAX_HOURS must be a whole number of at least 1"),
     ("MAX_JSON_BYTES", "lots", "MAX_JSON_BYTES must be an integer"),
     ("RATELIMIT_VOTE", "lots", "RATELIMIT_VOTE must be a rate such as '30 per minute'"),
     ("RATELIMIT_API", "300 per fortnight", "RATELIMIT_API must be a rate")],
)
def test_bad_settings_are_named(monkeypatch, tmp_path, env, value, message):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError, match=message):
        build_config(str(tmp_path))


@pytest.mark.parametrize(
    ("url", "expected"),
    [("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
     ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
     ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
     ("sqlite:///x.db", "sqlite:///x.db")],
)
def test_database_url_normalized(url, expected):
    assert normalize_database_url(url) == expected
