"""E-mail over SMTP with the MAIL_* settings: plain text and HTML, absolute links via BASE_URL."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from flask import Flask, render_template

from core import clock

SMTP_TIMEOUT = 10  # seconds; a hung server must not hold the run (or the timer) for long


class MailError(RuntimeError):
    """Sending failed; the message says why (the notice is retried on the next run)."""


def compose(app: Flask, to: str, subject: str, template: str, **context: Any) -> EmailMessage:
    """Render `cycles/mail/<template>.txt` and `.html` into one multipart message."""
    base = app.config.get("BASE_URL")
    if not base:
        raise MailError("BASE_URL is not set, so links in e-mail cannot be absolute")
    with app.test_request_context("/", base_url=base.rstrip("/")):
        text = render_template(f"cycles/mail/{template}.txt", subject=subject, **context)
        html = render_template(f"cycles/mail/{template}.html", subject=subject, **context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = app.config["MAIL_FROM"]
    message["To"] = to
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=app.config["MAIL_FROM"].rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


class Mailer:
    """One SMTP connection per run, opened on the first message; every failure is a MailError."""

    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.smtp: smtplib.SMTP | None = None
        self.down: str | None = None  # why connecting failed: not retried within the run

    def _connect(self) -> smtplib.SMTP:
        if self.down:
            raise MailError(self.down)
        cfg = self.config
        try:
            smtp = smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=SMTP_TIMEOUT)
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        except (OSError, smtplib.SMTPException) as exc:
            self.down = (f"cannot reach the SMTP server {cfg['MAIL_SERVER']}:{cfg['MAIL_PORT']}: "
                         f"{exc}")
            raise MailError(self.down) from exc
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send one message, connecting first if needed."""
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(message)
        except smtplib.SMTPServerDisconnected as exc:
            self.smtp = None  # reconnect for the next message
            raise MailError(f"the SMTP server closed the connection: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"the SMTP server refused the message: {exc}") from exc

    def close(self) -> None:
        """Say goodbye to the server (errors here change nothing)."""
        if self.smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.smtp.quit()
            self.smtp = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
