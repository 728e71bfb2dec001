"""OutboxEmail: every email handed out (SendGrid or the development outbox), once per key and recipient."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow


class OutboxEmail(db.Model):
    """One email handed to SendGrid, or kept in the development outbox when no API key is set.

    One row per message key and recipient. It is committed as "sending" before the
    provider is called and marked "sent" right after it answers, so a retried or
    redelivered task skips who already has the email and waits while another worker's
    call is in flight (app/services/mailer.py).
    """

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the email is about, e.g. "alert:12", "digest:2026-11-02", "report:3".
    message_key: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    recipient: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    attachment_name: Mapped[str | None] = mapped_column(sa.String(200))
    # "sendgrid" (accepted by the provider) or "outbox" (development: nothing left the machine).
    transport: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    provider_message_id: Mapped[str | None] = mapped_column(sa.String(200))
    # "sending": the provider call started at attempted_at and has not answered yet; "sent".
    state: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="sent", server_default="sent")
    attempted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, nullable=False, index=True)

    __table_args__ = (
        sa.UniqueConstraint("message_key", "recipient", name="uq_outbox_emails_key_recipient"),
        sa.CheckConstraint("transport IN ('sendgrid', 'outbox')", name="transport_valid"),
        sa.CheckConstraint("state IN ('sending', 'sent')", name="state_valid"),
    )
