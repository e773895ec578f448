"""Configuration layers: defaults, optional instance file, environment variables, explicit overrides."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from limits import parse_many

from core import text

# Every setting Concord reads from the environment, with its default (README has the table).
DEFAULTS: dict[str, Any] = {
    "CONCORD_ENV": "production",
    "SECRET_KEY": None,
    "DATABASE_URL": None,
    "BASE_URL": None,
    "OIDC_ISSUER": "https://openstackid.org",
    "OIDC_CLIENT_ID": None,
    "OIDC_CLIENT_SECRET": None,
    "OIDC_SCOPES": "openid profile email",
    "OIDC_TIMEOUT": 10,
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": False,
    "MAIL_FROM": "concord@localhost",
    "ADMIN_CONTACT": None,
    "INVITATION_DAYS": 30,
    # The annual cycles (cycles/): invitation window, reminders, revocation threshold.
    "INVITATION_WINDOW_START": "06-01",
    "INVITATION_WINDOW_DAYS": 30,
    "REMINDER_HOURS": 24,
    "REVOCATION_THRESHOLD": "two_thirds",
    # Meetings (meetings/): a decision taken in a meeting is confirmed by a consensus round
    # open to all member companies for N days ("none": it stands as taken); action reminders.
    "MEETING_CONFIRMATION": "consensus_round",
    "MEETING_CONFIRMATION_DAYS": 7,
    "ACTION_REMINDER_DAYS": 3,
    "LOG_LEVEL": "INFO",
    # Operations (core/ops.py, core/limits.py): trusted proxy hops, rate limits and their store.
    "PROXY_FIX": 0,
    "RATELIMIT_ENABLED": None,  # None: on, except in the testing environment
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_SIGNIN": "30 per minute",
    "RATELIMIT_VOTE": "30 per minute",
    "RATELIMIT_API": "300 per minute",
    # Development tools plug in here, never the other way round: import paths of modules whose
    # init_app(app) the factory calls, comma-separated (`make run` and `make bench` set it).
    "DEV_EXTENSIONS": "",
    # Input at the edge (core/edge.py) and sessions (core/sessions.py).
    "MAX_JSON_BYTES": 64 * 1024,
    "SESSION_IDLE_MINUTES": 240,
    "SESSION_MAX_HOURS": 24,
    # Survey results publication gate (surveys/anonymize.py): the default k thresholds.
    "RESULTS_K_RESPONDENTS": 5,
    "RESULTS_K_COMPANIES": 3,
}
INT_SETTINGS = {"OIDC_TIMEOUT", "MAIL_PORT", "INVITATION_DAYS", "PROXY_FIX",
                "INVITATION_WINDOW_DAYS", "REMINDER_HOURS",
                "RESULTS_K_RESPONDENTS", "RESULTS_K_COMPANIES", "MAX_JSON_BYTES",
                "SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS", "MEETING_CONFIRMATION_DAYS",
                "ACTION_REMINDER_DAYS"}
BOOL_SETTINGS = {"MAIL_USE_TLS", "RATELIMIT_ENABLED"}
ENVIRONMENTS = {"development", "testing", "production"}


class ConfigError(RuntimeError):
    """Raised when the configuration cannot run safely."""


def _coerce(name: str, raw: str) -> Any:
    """Turn an environment string into the setting's type."""
    if name in INT_SETTINGS:
        try:
            return int(raw)
        except ValueError as exc:
            raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if name in BOOL_SETTINGS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw


def normalize_database_url(url: str) -> str:
    """Point PostgreSQL URLs at the psycopg 3 driver Concord ships with."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def build_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge the layers and derive Flask's own settings; raise ConfigError if unsafe."""
    cfg: dict[str, Any] = dict(DEFAULTS)
    instance_file = Path(instance_path) / "concord.cfg"
    if instance_file.is_file():
        scope: dict[str, Any] = {}
        exec(compile(instance_file.read_text(), str(instance_file), "exec"), scope)
        cfg.update({k: v for k, v in scope.items() if k.isupper()})
    for name in DEFAULTS:
        if name in os.environ:
            cfg[name] = _coerce(name, os.environ[name])
    cfg.update(overrides or {})
    return _derive(cfg, instance_path)


def _derive(cfg: dict[str, Any], instance_path: str) -> dict[str, Any]:
    """Check the environment name and secret, and fill Flask/SQLAlchemy settings."""
    env = cfg["CONCORD_ENV"]
    if env not in ENVIRONMENTS:
        raise ConfigError(f"CONCORD_ENV must be one of {sorted(ENVIRONMENTS)}, got {env!r}")
    if not cfg.get("SECRET_KEY"):
        if env == "production":
            raise ConfigError("SECRET_KEY is required in production; refusing to start without it")
        cfg["SECRET_KEY"] = f"insecure-{env}-key"
    url = cfg.get("DATABASE_URL") or cfg.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        Path(instance_path).mkdir(parents=True, exist_ok=True)  # SQLite will not create folders
        url = "sqlite:///" + str(Path(instance_path) / "concord.sqlite3")
    cfg["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(url)
    # No pre-ping on every checkout: core.db.ping_when_idle pings only rested connections.
    options = cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    options.setdefault("json_deserializer", text.loads)  # stored JSON reads as encodable text
    cfg["TESTING"] = env == "testing" or cfg.get("TESTING", False)
    production = env == "production"
    cfg.setdefault("SESSION_COOKIE_NAME", "concord_session")
    cfg.setdefault("SESSION_COOKIE_HTTPONLY", True)
    cfg.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    cfg.setdefault("SESSION_COOKIE_SECURE", production)
    cfg.setdefault("REMEMBER_COOKIE_SECURE", production)
    cfg.setdefault("PREFERRED_URL_SCHEME", "https" if production else "http")
    cfg.setdefault("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    cfg.setdefault("WTF_CSRF_TIME_LIMIT", None)
    _derive_operations(cfg, env)
    _check_results_k(cfg)
    _check_positive(cfg, ("MAX_JSON_BYTES", "SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS"))
    return cfg


def _derive_operations(cfg: dict[str, Any], env: str) -> None:
    """Settle rate limiting and refuse development extensions (the bench endpoints) in production."""
    if cfg.get("RATELIMIT_ENABLED") is None:
        # Tests share one client address; only the rate-limit tests turn limits on.
        cfg["RATELIMIT_ENABLED"] = env != "testing"
    cfg["RATELIMIT_STORAGE_URI"] = cfg.get("RATELIMIT_STORAGE_URI") or "memory://"
    # If the shared store (Redis) is down, keep limiting per process rather than fail requests.
    cfg.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    for name in ("RATELIMIT_SIGNIN", "RATELIMIT_VOTE", "RATELIMIT_API"):
        try:
            parse_many(str(cfg[name]))
        except ValueError:
            raise ConfigError(f"{name} must be a rate such as '30 per minute' (several: "
                              f"'10 per second;30 per minute'), got {cfg[name]!r}") from None
    cfg["DEV_EXTENSIONS"] = dev_extensions(cfg.get("DEV_EXTENSIONS"))
    if cfg["DEV_EXTENSIONS"] and env == "production":
        # The benchmark endpoints and the demo loader are development tools; a production
        # site that names them is misconfigured, so it does not start.
        raise ConfigError("DEV_EXTENSIONS (development tools such as the benchmark endpoints) "
                          f"are refused in production: {', '.join(cfg['DEV_EXTENSIONS'])}")


def dev_extensions(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """Read DEV_EXTENSIONS (a comma-separated string or a list) as a tuple of import paths."""
    names = value.split(",") if isinstance(value, str) else list(value or ())
    return tuple(name.strip() for name in names if name.strip())


def _check_results_k(cfg: dict[str, Any]) -> None:
    """Refuse publication thresholds below 3: smaller cells would let people be recognized."""
    for name in ("RESULTS_K_RESPONDENTS", "RESULTS_K_COMPANIES"):
        value = cfg.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 3:
            raise ConfigError(f"{name} must be a whole number of at least 3, got {value!r}")


def _check_positive(cfg: dict[str, Any], names: tuple[str, ...]) -> None:
    """Refuse limits of zero or less: a session that never lasts or a body never accepted."""
    for name in names:
        value = cfg.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name} must be a whole number of at least 1, got {value!r}")
