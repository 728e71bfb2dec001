"""Hand one email to SendGrid (or to the development outbox), at most once per key and recipient.

Each (key, recipient) has one OutboxEmail row. It is committed as "sending" BEFORE the
provider call and marked "sent" right after the answer, so a task that is retried, or
redelivered while (or after) another worker sends, skips the recipients who already have
the email and waits while another worker's call is in flight.

The window that remains (docs/jobs.md, "Exactly once"): a worker that dies during the
provider call leaves its row "sending". Nobody can know whether SendGrid took that
email, so once the row is older than SENDGRID_TIMEOUT + IN_FLIGHT_GRACE the next
delivery of the task sends it again. The recipient gets it twice only if SendGrid had
accepted it: the window is the whole provider call (up to SENDGRID_TIMEOUT), and the
resend comes after the broker's visibility timeout (CELERY_VISIBILITY_TIMEOUT).
"""

from __future__ import annotations

import base64
import logging
import urllib.error
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

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


# Beyond the provider timeout: a "sending" row this old belongs to a worker that is gone.
IN_FLIGHT_GRACE = timedelta(seconds=5)


class InFlight(Exception):
    """Another worker's provider call for this email has not answered yet: try again later."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def already_sent(message_key: str, recipient: str) -> bool:
    return (
        db.session.execute(
            sa.select(OutboxEmail.id).where(
                OutboxEmail.message_key == message_key,
                OutboxEmail.recipient == recipient,
                OutboxEmail.state == "sent",
            )
        ).first()
        is not None
    )


def deliver(message_key: str, email: Email) -> bool:
    """Send `email` unless this key already went to this recipient; False when skipped.

    Raises SendError (the provider refused or was unreachable) or InFlight (another
    worker is sending this very email right now).
    """
    api_key = current_app.config.get("SENDGRID_API_KEY")
    transport = "sendgrid" if api_key else "outbox"
    claim_id = _claim(message_key, email, transport)
    if claim_id is None:
        return False
    before_external_call()  # no transaction (and no row lock) is held across the HTTP call
    try:
        if api_key:
            message_id = _send_with_sendgrid(api_key, email)
        else:
            message_id = None
            # One line; the body is on the Outbox page (and in the log at DEBUG).
            log.info("development outbox: to=%s subject=%r", email.to, email.subject)
            log.debug("development outbox body for %s:\n%s", email.to, email.text)
    except BaseException:
        # The provider did not take it (or we cannot know, e.g. a timeout): free the claim so
        # the retry sends again at once instead of waiting for the row to go stale.
        db.session.rollback()
        with unit_of_work():
            db.session.execute(sa.delete(OutboxEmail).where(OutboxEmail.id == claim_id, OutboxEmail.state == "sending"))
        raise
    with unit_of_work():  # the short transaction after the send
        db.session.execute(
            sa.update(OutboxEmail)
            .where(OutboxEmail.id == claim_id)
            .values(state="sent", provider_message_id=message_id, created_at=utcnow())
        )
    return True


def _claim(message_key: str, email: Email, transport: str) -> int | None:
    """Commit a "sending" row for this email; None when it was already sent. Raises InFlight."""
    now = utcnow()
    before_external_call()
    row = OutboxEmail(
        message_key=message_key,
        recipient=email.to,
        subject=email.subject[:300],
        body=email.text,
        attachment_name=email.attachment_name,
        transport=transport,
        state="sending",
        attempted_at=now,
        created_at=now,
    )
    try:
        with unit_of_work():
            db.session.add(row)
        return row.id
    except IntegrityError:  # a row exists: sent, in flight elsewhere, or left by a dead worker
        pass
    existing = db.session.execute(
        sa.select(OutboxEmail.id, OutboxEmail.state, OutboxEmail.attempted_at).where(
            OutboxEmail.message_key == message_key, OutboxEmail.recipient == email.to
        )
    ).one_or_none()
    db.session.rollback()
    if existing is None:  # the other attempt failed and freed its claim meanwhile
        raise InFlight(f"{message_key} to {email.to}: another attempt just ended", retry_after=0.5)
    if existing.state == "sent":
        return None
    stale_at = _aware(existing.attempted_at) + _in_flight_limit()
    if now < stale_at:
        raise InFlight(
            f"{message_key} to {email.to}: another worker's call is in flight",
            retry_after=(stale_at - now).total_seconds(),
        )
    # Its worker is gone: take the row over, unless a twin took it first.
    with unit_of_work():
        taken = db.session.execute(
            sa.update(OutboxEmail)
            .where(
                OutboxEmail.id == existing.id,
                OutboxEmail.state == "sending",
                OutboxEmail.attempted_at == existing.attempted_at,
            )
            .values(attempted_at=now, transport=transport)
        ).rowcount
    if not taken:
        raise InFlight(f"{message_key} to {email.to}: another worker took it over", retry_after=0.5)
    log.warning("resending %s to %s: the attempt of %s never answered", message_key, email.to, existing.attempted_at)
    return existing.id


def _in_flight_limit() -> timedelta:
    return timedelta(seconds=current_app.config["SENDGRID_TIMEOUT"]) + IN_FLIGHT_GRACE


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
    """The newest emails handed out (SendGrid or development outbox); calls in flight are left out."""
    return list(
        db.session.execute(
            sa.select(OutboxEmail).where(OutboxEmail.state == "sent").order_by(OutboxEmail.id.desc()).limit(limit)
        ).scalars()
    )
