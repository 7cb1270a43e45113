"""From an outbox row to a sent e-mail: the MIME message and the two delivery backends.

``file`` writes one ``.eml`` per message (a laptop needs no mail server); ``smtp`` sends
through ``MAIL_SERVER`` with STARTTLS (``MAIL_USE_TLS``), implicit TLS (``MAIL_USE_SSL``)
and login when ``MAIL_USERNAME`` is set. Failures are sorted into transient (try again
later) and permanent (the server refused this message for good).
"""

from __future__ import annotations

import base64
import os
import smtplib
import socket
import ssl
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any, Protocol

import idna

from webapp.attendance.qr import qr_png
from webapp.models import OutboxMessage


class DeliveryError(Exception):
    """A message could not be delivered; ``permanent`` says whether retrying can help."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Connection(Protocol):
    def send(self, message: EmailMessage, *, sender: str, recipients: list[str]) -> None: ...


class Backend(Protocol):
    def connect(self) -> Any:
        """A context manager yielding a ``Connection``; raises ``DeliveryError``."""


def message_id(message: OutboxMessage, domain: str) -> str:
    """A Message-ID that stays the same across retries of one outbox row."""
    return f"<{message.created_at:%Y%m%d%H%M%S}.{message.id}.{message.kind}@{domain}>"


def transport_address(address: str) -> str:
    """``address`` as it travels: an international domain in IDNA (``xn--…``) form.

    ``anna@példa.hu`` becomes ``anna@xn--plda-bpa.hu``, which every mail server takes.
    A local part that is not ASCII (``jürgen@…``) stays as it is: only a server that
    offers SMTPUTF8 can take it (``smtplib`` asks for it), never an RFC 2047 encoded
    word inside the address, which no mail server reads as the address.
    """
    local, at, domain_part = address.rpartition("@")
    if not at or domain_part.isascii():
        return address
    try:
        ascii_domain = idna.encode(domain_part, uts46=True).decode("ascii")
    except idna.IDNAError:
        return address
    return f"{local}@{ascii_domain}"


def _header_address(value: str) -> str:
    """A From/To/Reply-To value with its address in transport form, its name kept."""
    name, address = parseaddr(value)
    if not address:
        return value
    address = transport_address(address)
    if not address.isascii():
        # Written as UTF-8 for SMTPUTF8 (``Address`` refuses such a local part); the
        # name, if any, as a quoted phrase.
        if not name:
            return address
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}" <{address}>'
    return str(Address(display_name=name, addr_spec=address))


def build_email(message: OutboxMessage, *, domain: str) -> EmailMessage:
    """The MIME message: text and HTML alternatives, then any attachments.

    An attachment with a ``content_id`` is an image the HTML shows (``cid:``): it goes
    into a ``multipart/related`` with the HTML part. Without an HTML part, or without a
    ``content_id``, it is an ordinary attachment. Addresses carry international domains
    as IDNA; a message to a non-ASCII local part is written for SMTPUTF8 (UTF-8 headers).
    """
    addresses = {
        "From": _header_address(message.from_address),
        "To": _header_address(message.to_address),
    }
    if message.reply_to:
        addresses["Reply-To"] = _header_address(message.reply_to)
    international = not all(parseaddr(v)[1].isascii() for v in addresses.values())
    email = EmailMessage(policy=policy.default.clone(utf8=True) if international else None)
    email["Subject"] = message.subject
    for header, value in addresses.items():
        email[header] = value
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message_id(message, domain)
    # Automatic messages: no out-of-office replies, no auto-forwarding loops (RFC 3834).
    email["Auto-Submitted"] = "auto-generated"
    email["X-Auto-Response-Suppress"] = "All"
    email.set_content(message.body_text, cte="quoted-printable")
    html_part = None
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html", cte="quoted-printable")
        html_part = email.get_payload()[-1]
    attachments = list(message.attachments or [])
    inline = [a for a in attachments if html_part is not None and a.get("content_id")]
    attached = [a for a in attachments if not (html_part is not None and a.get("content_id"))]
    # Inline images first: they go inside the alternative, before it is wrapped as mixed.
    for attachment in inline:
        maintype, subtype, _params = _content_type(attachment)
        html_part.add_related(
            attachment_bytes(attachment),
            maintype=maintype,
            subtype=subtype,
            cid=f"<{attachment['content_id']}>",
            filename=attachment["filename"],
            disposition="inline",
        )
    for attachment in attached:
        maintype, subtype, params = _content_type(attachment)
        # Attached as the exact bytes (base64): a calendar file keeps its CRLF line ends.
        email.add_attachment(
            attachment_bytes(attachment),
            maintype=maintype,
            subtype=subtype,
            filename=attachment["filename"],
            params=params,
        )
    return email


def attachment_bytes(attachment: Mapping[str, Any]) -> bytes:
    """The bytes of a stored attachment (see ``OutboxMessage.attachments``).

    ``qr_code``: a PNG of that text, drawn now; ``encoding: base64``: binary content;
    otherwise ``content`` is text in the content type's charset (UTF-8 by default).
    Raises ``ValueError`` for content that cannot be decoded.
    """
    if "qr_code" in attachment:
        return qr_png(str(attachment["qr_code"]))
    if attachment.get("encoding") == "base64":
        return base64.b64decode(attachment["content"], validate=True)
    _maintype, _subtype, params = _content_type(attachment)
    return attachment["content"].encode(params.get("charset", "utf-8"))


def _content_type(attachment: Mapping[str, Any]) -> tuple[str, str, dict[str, str]]:
    maintype, _, rest = attachment["content_type"].partition("/")
    subtype, *param_pairs = [part.strip() for part in rest.split(";")]
    params = dict(pair.split("=", 1) for pair in param_pairs if "=" in pair)
    if maintype == "text":
        params.setdefault("charset", "utf-8")
    return maintype, subtype, params


def envelope_sender(config: Mapping[str, Any]) -> str:
    """The SMTP envelope sender (bounces go here): the site's own address."""
    return transport_address(parseaddr(config["MAIL_DEFAULT_SENDER"])[1])


# --- backends ------------------------------------------------------------------------------


class FileBackend:
    """Writes each message as ``<created>-<id>-<kind>.eml`` into ``directory``."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    @contextmanager
    def connect(self) -> Iterator[FileBackend]:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeliveryError(f"cannot create {self.directory}: {exc}") from exc
        yield self

    def send(self, message: EmailMessage, *, sender: str, recipients: list[str]) -> None:
        local = message["Message-ID"].strip("<>").split("@")[0]
        target = self.directory / f"{local}.eml"
        try:
            # Written aside and renamed, so a reader never sees half a message.
            fd, temporary = tempfile.mkstemp(dir=self.directory, suffix=".part")
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.as_bytes())
            os.replace(temporary, target)
        except OSError as exc:
            raise DeliveryError(f"cannot write {target}: {exc}") from exc


class SMTPBackend:
    """Sends through an SMTP server, one connection per batch."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.host = config["MAIL_SERVER"]
        self.port = int(config["MAIL_PORT"])
        self.use_tls = bool(config.get("MAIL_USE_TLS"))
        self.use_ssl = bool(config.get("MAIL_USE_SSL"))
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD") or ""
        self.timeout = float(config.get("MAIL_TIMEOUT") or 10)

    @contextmanager
    def connect(self) -> Iterator[SMTPConnection]:
        client: smtplib.SMTP | None = None
        try:
            if self.use_ssl:
                client = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    timeout=self.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.use_tls and not self.use_ssl:
                client.starttls(context=ssl.create_default_context())
            if self.username:
                client.login(self.username, self.password)
        except (OSError, smtplib.SMTPException) as exc:
            if client is not None:  # connected, then STARTTLS or login failed
                client.close()
            raise classify(exc, during="connect") from exc
        try:
            yield SMTPConnection(client)
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


class SMTPConnection:
    def __init__(self, client: smtplib.SMTP) -> None:
        self.client = client

    def send(self, message: EmailMessage, *, sender: str, recipients: list[str]) -> None:
        recipients = [transport_address(r) for r in recipients]
        try:
            refused = self.client.send_message(message, from_addr=sender, to_addrs=recipients)
        except (OSError, smtplib.SMTPException) as exc:
            raise classify(exc, during="send") from exc
        if refused:  # some, not all, recipients refused; we send to one only
            raise DeliveryError(f"recipients refused: {refused}", permanent=True)


def classify(exc: BaseException, *, during: str) -> DeliveryError:
    """A ``DeliveryError`` for an ``smtplib``/socket error: 5xx replies are permanent."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        details = "; ".join(
            f"{address}: {code} {_text!r}" for address, (code, _text) in exc.recipients.items()
        )
        return DeliveryError(
            f"recipient refused: {details}", permanent=all(500 <= c < 600 for c in codes)
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        # An address with a non-ASCII local part, and a server without SMTPUTF8: that
        # server will never take it.
        return DeliveryError(f"SMTP {during}: {exc}", permanent=True)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # A wrong password is the operator's to fix, not the message's: keep retrying.
        return DeliveryError(f"SMTP login failed: {exc.smtp_code} {exc.smtp_error!r}")
    if isinstance(exc, smtplib.SMTPResponseException):
        permanent = 500 <= exc.smtp_code < 600 and during == "send"
        return DeliveryError(
            f"SMTP {during}: {exc.smtp_code} {exc.smtp_error!r}", permanent=permanent
        )
    if isinstance(exc, ConnectionRefusedError):
        return DeliveryError(f"SMTP server refused the connection ({exc})")
    if isinstance(exc, socket.timeout | TimeoutError):
        return DeliveryError(f"SMTP {during} timed out")
    return DeliveryError(f"SMTP {during} failed: {type(exc).__name__}: {exc}")


def backend_from_config(config: Mapping[str, Any], instance_path: str) -> FileBackend | SMTPBackend:
    """The backend ``MAIL_BACKEND`` names (``file`` or ``smtp``)."""
    name = (config.get("MAIL_BACKEND") or "file").lower()
    if name == "file":
        directory = config.get("MAIL_FILE_DIRECTORY") or os.path.join(instance_path, "outbox")
        return FileBackend(directory)
    if name == "smtp":
        return SMTPBackend(config)
    raise ValueError(f"MAIL_BACKEND must be 'file' or 'smtp', not {name!r}")
