"""StockLevel (an item's quantity at one location) and InventoryLog (the append-only ledger of every change)."""

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import Quantity, utcnow


class LogAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RESTOCK = "restock"
    WITHDRAW = "withdraw"
    TRANSFER = "transfer"
    ADJUST = "adjust"


class StockLevel(db.Model):
    """How many units of one item one location holds."""

    __tablename__ = "stock_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), nullable=False)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), nullable=False, index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity, nullable=False, default=0)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, nullable=False)

    # Not columns: the location's name, path key and whether it is structural, filled in by the
    # stock service when it locks the row.
    location_name = None
    location_key = None
    is_structural_place = False

    __table_args__ = (
        sa.UniqueConstraint("item_id", "location_id", name="uq_stock_levels_item_location"),
        sa.CheckConstraint("quantity >= 0", name="quantity_non_negative"),
    )


class InventoryLog(db.Model):
    """The ledger: one row per change, never updated or deleted (database triggers refuse it)."""

    __tablename__ = "inventory_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), nullable=False, index=True)
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(16), nullable=False, index=True)
    quantity_before: Mapped[Decimal] = mapped_column(Quantity, nullable=False)
    quantity_after: Mapped[Decimal] = mapped_column(Quantity, nullable=False)
    delta: Mapped[Decimal] = mapped_column(Quantity, nullable=False)
    note: Mapped[str | None] = mapped_column(sa.Text)
    request_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    # The stock request (carts and requests feature) whose approval made this movement.
    stock_request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stock_requests.id"), index=True)
    # The purchase order (and its line) whose receipt made this movement (issue 21).
    purchase_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("purchase_orders.id"), index=True)
    purchase_order_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("purchase_order_lines.id"), index=True)
    # The stock count whose approval made this adjustment.
    count_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stock_counts.id"), index=True)
    # The lot (issue 27) or the serial this row moved: one row per lot or per unit.
    lot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lots.id"))
    serial: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, nullable=False, index=True)

    __table_args__ = (
        # A lot's trace reads its rows in this order (no sort for 10,000 movements).
        sa.Index("ix_inventory_logs_lot_created", "lot_id", "created_at", "id"),
        sa.Index("ix_inventory_logs_item_serial", "item_id", "serial", postgresql_where=sa.text("serial IS NOT NULL")),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'delete', 'restock', 'withdraw', 'transfer', 'adjust')",
            name="action_valid",
        ),
        sa.Index("ix_inventory_logs_item_created", "item_id", "created_at"),
    )
