"""`make run`: migrate, load demo data, start the local sign-in provider and the app; Ctrl-C stops both."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, timedelta

import requests

from devtools.demo_people import DEMO_PEOPLE

HOST = "127.0.0.1"


def _env() -> dict[str, str]:
    """Return the development settings (any already exported win)."""
    port, idp_port = os.environ.get("PORT", "5000"), os.environ.get("IDP_PORT", "9400")
    env = dict(os.environ)
    env.setdefault("CONCORD_ENV", "development")
    env.setdefault("OIDC_ISSUER", f"http://{HOST}:{idp_port}")
    env.setdefault("OIDC_CLIENT_ID", "concord-dev")
    env.setdefault("OIDC_CLIENT_SECRET", "concord-dev-secret")
    env.setdefault("BASE_URL", f"http://{HOST}:{port}")
    # The demo's invitation window is open around today (from ten days ago, for sixty days), so
    # a nomination can be tried; the yearly setting of a real site is INVITATION_WINDOW_START.
    env.setdefault("INVITATION_WINDOW_START", (date.today() - timedelta(days=10)).strftime("%m-%d"))
    env.setdefault("INVITATION_WINDOW_DAYS", "60")
    # The demo loader plugs into the app as a development extension (`flask concord seed-demo`).
    env.setdefault("DEV_EXTENSIONS", "devtools.demo_cli")
    env["PORT"], env["IDP_PORT"] = port, idp_port
    return env


def prepare(env: dict[str, str]) -> None:
    """Apply migrations and load the demo data (both idempotent)."""
    os.environ.update(env)
    from flask_migrate import upgrade

    from core import create_app
    from devtools.demo_data import load_demo

    app = create_app()
    with app.app_context():
        upgrade()
        print("Demo data loaded." if load_demo() else "Database ready (demo data kept).")


def _wait_for(url: str, proc: subprocess.Popen, what: str) -> None:
    for _ in range(100):
        if proc.poll() is not None:
            raise SystemExit(f"{what} stopped at start (exit {proc.returncode}); see above.")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not answer at {url}")


def main() -> int:
    """Start both servers and wait for Ctrl-C."""
    env = _env()
    prepare(env)
    base, issuer = env["BASE_URL"], env["OIDC_ISSUER"]
    idp = subprocess.Popen([
        sys.executable, "-m", "devtools.oidc_provider", "--host", HOST, "--port", env["IDP_PORT"],
        "--client-id", env["OIDC_CLIENT_ID"], "--client-secret", env["OIDC_CLIENT_SECRET"],
        "--redirect-uri", f"{base}/auth/callback",
        "--post-logout-redirect-uri", f"{base}/auth/signed-out",
    ], env=env)
    app = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", HOST,
                            "--port", env["PORT"], "--no-reload"], env=env)
    try:
        _wait_for(f"{issuer}/.well-known/openid-configuration", idp, "The sign-in provider")
        _wait_for(f"{base}/healthz", app, "The app")
        _banner(base, issuer)
        while idp.poll() is None and app.poll() is None:
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        print("\nStopping.")
        return 0
    finally:
        for proc in (app, idp):
            proc.terminate()
        for proc in (app, idp):
            proc.wait(timeout=10)


def _banner(base: str, issuer: str) -> None:
    lines = [
        "", "=" * 72, f"Concord is running at  {base}/",
        f"Local sign-in provider {issuer}/ (a stand-in for OpenStackID)",
        "Click 'Sign in with OpenStackID', then pick one of these demo people:",
    ]
    for p in DEMO_PEOPLE:
        role = ("administrator" if p.get("admin") else
                f"{p['role']} of {p['company']}" + (", chair" if p.get("chair") else "")
                if p.get("company") else "no membership (public)")
        if not p.get("email_verified"):
            role += "; e-mail NOT verified, so an open invitation does not bind"
        lines.append(f"  {p['name']:<16} {p['email']:<26} {role}")
    lines += ["Press Ctrl-C to stop both.", "=" * 72, ""]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
