"""A real SMTP server on loopback (aiosmtpd) for the notification tests, and a port nobody serves."""

from __future__ import annotations

import socket
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class LoopbackController(Controller):
    """aiosmtpd's controller on an ephemeral port (it cannot find port 0 by itself)."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class Inbox:
    """What the SMTP server received."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, kind_subject: str) -> Counter:
        """Count recipients of the messages whose subject contains the words."""
        return Counter(m["To"] for m in self.messages if kind_subject in m["Subject"])


def start_inbox() -> tuple[Inbox, LoopbackController]:
    """Start an SMTP server on 127.0.0.1; return what it receives and its controller."""
    inbox = Inbox(0)
    controller = LoopbackController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    inbox.port = controller.port
    return inbox, controller


def closed_port() -> int:
    """Return a loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


BASE = "https://concord.example.org"


def send(runner):
    """Run the notification command once."""
    return runner.invoke(args=["concord", "send-notifications"])


def emails(consortium, *names) -> Counter:
    """Count the e-mail addresses of the named companies' representatives."""
    return Counter(consortium["reps"][n].email for n in names)
