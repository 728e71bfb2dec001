"""Alert: a low-stock alert raised when an item's total falls below its threshold, and its email state."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import Quantity, utcnow


class Alert(db.Model):
    """A low-stock alert, written in the same transaction as the movement that caused it."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), nullable=False, index=True)
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    message: Mapped[str] = mapped_column(sa.Text, nullable=False)
    quantity: Mapped[Decimal] = mapped_column(Quantity, nullable=False)
    threshold: Mapped[Decimal] = mapped_column(Quantity, nullable=False)
    # Comma-separated addresses the notification went (or goes) to.
    recipients: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, nullable=False, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    send_error: Mapped[str | None] = mapped_column(sa.Text)
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)

    # Resolved when the item's total returns to or above its threshold (or the item is
    # deleted): by whom (a user, when a person's action did it), by which ledger row, and why.
    resolved_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolved_by_log_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inventory_logs.id"))
    resolved_reason: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None
