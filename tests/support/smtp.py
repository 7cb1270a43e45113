"""A real SMTP server (aiosmtpd) on a loopback port, that can be stopped and started again."""

from __future__ import annotations

import asyncio
import email
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.support.gunicorn import free_port


@dataclass
class Received:
    """One message as the server received it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class Hold:
    """Keeps the server from answering the ``nth`` message's DATA until ``release()``.

    Meanwhile the client waits for the reply, in the middle of its batch. A message whose
    client is gone when the hold ends is not accepted (no ``250`` was ever sent), as a
    real mail server does when the connection drops before its reply.
    """

    def __init__(self, nth: int) -> None:
        self.nth = nth
        self.seen = 0
        self.holding = threading.Event()
        self.released = threading.Event()
        self.recipients: list[str] = []

    def release(self) -> None:
        self.released.set()


class _Collector:
    def __init__(
        self,
        inbox: list[Received],
        lock: threading.Lock,
        refused: set[str],
        delay: float,
        hold: Hold | None = None,
    ) -> None:
        self.inbox = inbox
        self.lock = lock
        self.refused = refused
        self.delay = delay
        self.hold = hold

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refused:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold is not None:
            self.hold.seen += 1
            if self.hold.seen == self.hold.nth:
                self.hold.recipients = list(envelope.rcpt_tos)
                self.hold.holding.set()
                while not self.hold.released.is_set():
                    await asyncio.sleep(0.02)
                if server.transport is None or server.transport.is_closing():
                    return "421 4.4.2 Connection dropped before the reply"
        parsed = email.message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.inbox.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


class SMTPServer:
    """``start()``/``stop()`` on a fixed free port; ``messages`` is what arrived.

    Addresses added to ``refused`` are answered ``550 No such user``.
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        delay: float = 0.0,
        login: tuple[str, str] | None = None,
        hold: Hold | None = None,
        smtputf8: bool = False,
    ) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self._lock = threading.Lock()
        self._inbox: list[Received] = []
        self._controller: Controller | None = None
        self.refused: set[str] = set()
        self.delay = delay  # seconds the server takes to accept each message
        self.login = login  # (user, password) the server demands, if any
        self.logins: list[str] = []
        self.hold = hold  # hold one message's reply (a client caught mid-batch)
        self.smtputf8 = smtputf8  # offer SMTPUTF8 (international local parts)

    @property
    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._inbox)

    def start(self) -> SMTPServer:
        if self._controller is None:
            options: dict[str, object] = {"enable_SMTPUTF8": self.smtputf8}
            if self.login:
                options |= {
                    "auth_require_tls": False,
                    "auth_required": False,
                    "authenticator": self._authenticate,
                }
            self._controller = Controller(
                _Collector(self._inbox, self._lock, self.refused, self.delay, self.hold),
                hostname=self.host,
                port=self.port,
                **options,
            )
            self._controller.start()
        return self

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        given = (auth_data.login.decode(), auth_data.password.decode())
        if given == self.login:
            self.logins.append(given[0])
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def config(self) -> dict[str, object]:
        """The app settings that send through this server."""
        return {
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": self.host,
            "MAIL_PORT": self.port,
            "MAIL_USE_TLS": False,
            "MAIL_USE_SSL": False,
            "MAIL_USERNAME": None,
            "MAIL_TIMEOUT": 5,
        }
