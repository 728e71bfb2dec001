"""Carts (one working cart per user) and the stock requests they become on submit."""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Quantity, TimestampMixin, utcnow


class RequestKind(enum.StrEnum):
    PICK = "pick"  # stock leaves the inventory (a customer order, a job)
    TRANSFER = "transfer"  # stock moves to the request's destination location


class RequestState(enum.StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"  # every line's stock has moved
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    FULFILLED = "fulfilled"  # the goods were handed over (no further stock change)


class Cart(TimestampMixin, db.Model):
    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, unique=True)

    lines = relationship("CartLine", lazy="selectin", order_by="CartLine.id", cascade="all, delete-orphan")


class CartLine(TimestampMixin, db.Model):
    __tablename__ = "cart_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(sa.ForeignKey("carts.id", ondelete="CASCADE"), nullable=False, index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), nullable=False, index=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(Quantity, nullable=False)

    __table_args__ = (
        sa.UniqueConstraint("cart_id", "item_id", "location_id", name="uq_cart_lines_cart_item_location"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )


class StockRequest(TimestampMixin, db.Model):
    __tablename__ = "stock_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    state: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=RequestState.SUBMITTED.value)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    destination_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    needed_by: Mapped[date | None] = mapped_column(sa.Date)
    reason: Mapped[str | None] = mapped_column(sa.Text)  # why it was rejected
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    # Plain lazy loads: a joined load would put an outer join under FOR UPDATE, which PostgreSQL refuses.
    author = relationship("User", foreign_keys=[author_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    destination = relationship("Location")
    lines = relationship("StockRequestLine", lazy="selectin", order_by="StockRequestLine.id")
    history = relationship("StockRequestEvent", lazy="selectin", order_by="StockRequestEvent.id")

    __table_args__ = (
        sa.CheckConstraint("kind IN ('pick', 'transfer')", name="kind_valid"),
        sa.CheckConstraint(
            "state IN ('submitted', 'approved', 'rejected', 'cancelled', 'fulfilled')", name="state_valid"
        ),
        sa.CheckConstraint("kind = 'pick' OR destination_location_id IS NOT NULL", name="transfer_has_destination"),
        sa.Index("ix_stock_requests_state_created", "state", "created_at"),
    )


class StockRequestLine(db.Model):
    __tablename__ = "stock_request_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_requests.id"), nullable=False, index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), nullable=False, index=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(Quantity, nullable=False)

    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)


class StockRequestEvent(db.Model):
    """A request's history: one row per change of state, with who did it and why."""

    __tablename__ = "stock_request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_requests.id"), nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, nullable=False)

    user = relationship("User")
