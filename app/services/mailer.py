"""Hand one email to SendGrid (or to the development outbox), at most once per key and recipient.

Every successful hand-off commits an OutboxEmail row before the next recipient is
tried, so a task that is retried, or redelivered after its worker died, skips the
recipients who already have the email. The one remaining window is a worker dying
between SendGrid's 202 and that commit (milliseconds): that recipient gets it twice.
"""

from __future__ import annotations

import base64
import logging
import urllib.error
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import OutboxEmail
from app.models.base import utcnow
from app.services.uow import before_external_call, unit_of_work

log = logging.getLogger(__name__)


class SendError(Exception):
    """The provider did not take the email. `transient` errors are worth retrying."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass
class Email:
    to: str
    subject: str
    text: str
    attachment_name: str | None = None
    attachment: bytes | None = None
    attachment_type: str = "text/csv"
    categories: list[str] = field(default_factory=list)


def already_sent(message_key: str, recipient: str) -> bool:
    return (
        db.session.execute(
            sa.select(OutboxEmail.id).where(OutboxEmail.message_key == message_key, OutboxEmail.recipient == recipient)
        ).first()
        is not None
    )


def deliver(message_key: str, email: Email) -> bool:
    """Send `email` unless this key already went to this recipient; False when skipped. Raises SendError."""
    if already_sent(message_key, email.to):
        return False
    before_external_call()
    api_key = current_app.config.get("SENDGRID_API_KEY")
    if api_key:
        message_id = _send_with_sendgrid(api_key, email)
        transport = "sendgrid"
    else:
        message_id = None
        transport = "outbox"
        log.info("development outbox: to=%s subject=%r\n%s", email.to, email.subject, email.text)
    return _record_delivery(message_key, email, transport, message_id)


def _record_delivery(message_key: str, email: Email, transport: str, message_id: str | None) -> bool:
    """The short transaction after the send: the outbox row; False when a twin task recorded it first."""
    try:
        with unit_of_work():
            db.session.add(
                OutboxEmail(
                    message_key=message_key,
                    recipient=email.to,
                    subject=email.subject[:300],
                    body=email.text,
                    attachment_name=email.attachment_name,
                    transport=transport,
                    provider_message_id=message_id,
                    created_at=utcnow(),
                )
            )
    except IntegrityError:
        return False
    return True


def _send_with_sendgrid(api_key: str, email: Email) -> str | None:
    # Imported here: only the worker sends mail, and the client costs the web process ~10 MB.
    from python_http_client.exceptions import HTTPError
    from sendgrid import SendGridAPIClient
    from sendgrid.helpers.mail import Attachment, Content, Disposition, FileContent, FileName, FileType, Mail

    mail = Mail(
        from_email=current_app.config["ALERT_FROM_EMAIL"],
        to_emails=email.to,
        subject=email.subject,
        plain_text_content=Content("text/plain", email.text),
    )
    if email.attachment is not None:
        mail.attachment = Attachment(
            FileContent(base64.b64encode(email.attachment).decode("ascii")),
            FileName(email.attachment_name or "attachment"),
            FileType(email.attachment_type),
            Disposition("attachment"),
        )
    client = SendGridAPIClient(api_key=api_key, host=current_app.config["SENDGRID_HOST"])
    client.client.timeout = current_app.config["SENDGRID_TIMEOUT"]
    try:
        response = client.send(mail)
    except HTTPError as exc:
        status = getattr(exc, "status_code", 0) or 0
        body = getattr(exc, "body", b"")
        body = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        transient = status >= 500 or status == 429
        raise SendError(f"SendGrid answered {status}: {body[:300]}", transient=transient) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise SendError(f"SendGrid unreachable: {exc}", transient=True) from exc
    headers = getattr(response, "headers", None) or {}
    return headers.get("X-Message-Id") if hasattr(headers, "get") else None


def list_emails(limit: int = 200) -> list[OutboxEmail]:
    """The newest emails handed out (SendGrid or development outbox)."""
    return list(db.session.execute(sa.select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(limit)).scalars())
