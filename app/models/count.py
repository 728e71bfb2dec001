"""Stock counts (stocktakes and scheduled cycle counts) and their lines."""

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Quantity, TimestampMixin


class CountState(enum.StrEnum):
    OPEN = "open"  # staff are counting
    SUBMITTED = "submitted"  # waiting for a manager's review
    APPROVED = "approved"  # the variances were applied as adjust movements
    CANCELLED = "cancelled"


class StockCount(TimestampMixin, db.Model):
    """A count of one location's subtree, optionally narrowed to a category or a list of items."""

    __tablename__ = "stock_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), nullable=False, index=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    item_ids: Mapped[list | None] = mapped_column(sa.JSON)  # the narrowing list, as asked
    state: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=CountState.OPEN.value)
    blind: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # Opened by the cycle-count job (at most one open scheduled count per location).
    scheduled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    zero_uncounted: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)

    location = relationship("Location")
    opened_by = relationship("User", foreign_keys=[opened_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    lines = relationship("StockCountLine", lazy="selectin", order_by="StockCountLine.id")

    __table_args__ = (
        sa.CheckConstraint("state IN ('open', 'submitted', 'approved', 'cancelled')", name="state_valid"),
        sa.Index("ix_stock_counts_state_location", "state", "location_id"),
    )


class StockCountLine(db.Model):
    """One item at one location: what the system held when it was counted, and what was found."""

    __tablename__ = "stock_count_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_counts.id"), nullable=False, index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), nullable=False, index=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), nullable=False)
    # A lot-tracked item is counted per lot (issue 27): one line per (item, location, lot).
    lot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lots.id"))
    # The system quantity: at opening, then re-read at the moment the line is counted.
    expected: Mapped[Decimal] = mapped_column(Quantity, nullable=False, default=0)
    counted: Mapped[Decimal | None] = mapped_column(Quantity)
    counted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    counted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    unexpected: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)  # found, not listed
    recount: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)  # sent back by a manager
    # Written by the approval: the adjustment applied and its value at the item's price then.
    applied_delta: Mapped[Decimal | None] = mapped_column(Quantity)
    variance_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 2))

    counted_by = relationship("User")

    __table_args__ = (
        sa.Index(
            "uq_stock_count_lines_count_item_location_lot",
            "count_id",
            "item_id",
            "location_id",
            sa.text("coalesce(lot_id, 0)"),
            unique=True,
        ),
        sa.CheckConstraint("counted IS NULL OR counted >= 0", name="counted_non_negative"),
    )
