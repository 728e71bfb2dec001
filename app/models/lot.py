"""Traceability (issue 27): Lot (a batch of one item, with its expiry), LotLevel (a lot's quantity at one
location; a lot-tracked item's lot levels at a location sum to its StockLevel there) and Serial (one
unit of a serial-tracked item, where it is and whether it is in stock). docs/lots.md explains the shape."""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import Quantity, utcnow


class Tracking(enum.StrEnum):
    NONE = "none"
    LOT = "lot"
    SERIAL = "serial"


class LotStatus(enum.StrEnum):
    AVAILABLE = "available"
    BLOCKED = "blocked"


class SerialState(enum.StrEnum):
    IN_STOCK = "in_stock"
    WITHDRAWN = "withdrawn"


class Lot(db.Model):
    """A batch of one item: its code (unique per item), expiry date and status (blocked: quarantined)."""

    __tablename__ = "lots"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), nullable=False)
    code: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    expires_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=LotStatus.AVAILABLE)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, nullable=False)

    __table_args__ = (
        sa.UniqueConstraint("item_id", "code", name="uq_lots_item_code"),
        sa.CheckConstraint("status IN ('available', 'blocked')", name="lot_status_valid"),
        sa.Index("ix_lots_expires_on", "expires_on"),
    )


class LotLevel(db.Model):
    """How many units of one lot one location holds (written only by app/services/stock/lots.py)."""

    __tablename__ = "lot_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"), nullable=False)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), nullable=False)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), nullable=False, index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity, nullable=False, default=0)

    __table_args__ = (
        sa.UniqueConstraint("lot_id", "location_id", name="uq_lot_levels_lot_location"),
        sa.CheckConstraint("quantity >= 0", name="lot_quantity_non_negative"),
        sa.Index("ix_lot_levels_item_location", "item_id", "location_id"),
    )


class Serial(db.Model):
    """One unit of a serial-tracked item: its serial (unique per item), where it is, its state."""

    __tablename__ = "serials"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), nullable=False)
    serial: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=SerialState.IN_STOCK)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, nullable=False)

    __table_args__ = (
        sa.UniqueConstraint("item_id", "serial", name="uq_serials_item_serial"),
        sa.CheckConstraint("state IN ('in_stock', 'withdrawn')", name="serial_state_valid"),
    )
