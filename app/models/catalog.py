"""Category and Item: what is stocked (an item's total quantity is the sum of its StockLevel rows)."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Quantity, TimestampMixin


class Category(TimestampMixin, db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True, nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)


class Item(TimestampMixin, db.Model):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), nullable=False, index=True)
    unit: Mapped[str] = mapped_column(sa.String(32), nullable=False, default="pcs")
    price: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), nullable=False, default=Decimal("0"))
    low_stock_threshold: Mapped[Decimal] = mapped_column(Quantity, nullable=False, default=0)
    # The sum of this item's stock levels, kept by app.services.stock in the same
    # transaction as every movement, so lists can filter and sort on it cheaply.
    quantity: Mapped[Decimal] = mapped_column(Quantity, nullable=False, default=0)
    # How many decimal places this item's quantities take: 0 for pieces, up to 3 (kg, litres, metres).
    decimals: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=0)
    # Reorder policy (issue 21): reorder at or below reorder_point (None: the low-stock
    # threshold), buying reorder_quantity, or up to max_stock when that is set.
    reorder_point: Mapped[Decimal | None] = mapped_column(Quantity)
    reorder_quantity: Mapped[Decimal | None] = mapped_column(Quantity)
    max_stock: Mapped[Decimal | None] = mapped_column(Quantity)
    # Open quantity on sent, not fully received purchase orders, kept by app.services.purchasing.orders
    # under this row's lock (send, receive, cancel), like `quantity` is kept by the stock service.
    on_order: Mapped[Decimal] = mapped_column(Quantity, nullable=False, default=0, server_default="0")
    # Traceability (issue 27): none, lot or serial; a new lot without an expiry date gets the
    # received date + shelf_life_days; expiry_required: a new lot must be given its date.
    tracking: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="none", server_default="none")
    shelf_life_days: Mapped[int | None] = mapped_column(sa.Integer)
    expiry_required: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    is_deleted: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    category = relationship("Category", lazy="raise")
    location = relationship("Location", lazy="raise")

    __table_args__ = (
        sa.CheckConstraint("quantity >= 0", name="quantity_non_negative"),
        sa.CheckConstraint("low_stock_threshold >= 0", name="threshold_non_negative"),
        sa.CheckConstraint("price >= 0", name="price_non_negative"),
        sa.CheckConstraint("decimals BETWEEN 0 AND 3", name="decimals_range"),
        sa.CheckConstraint("on_order >= 0", name="on_order_non_negative"),
        sa.CheckConstraint("tracking IN ('none', 'lot', 'serial')", name="tracking_valid"),
        # Unique regardless of letter case (migration 0006_issue16_sku_ci).
        sa.Index(
            "uq_items_sku_ci_active",
            sa.func.lower(sa.text("sku")),
            unique=True,
            postgresql_where=sa.text("NOT is_deleted"),
            sqlite_where=sa.text("is_deleted = 0"),
        ),
        sa.Index("ix_items_quantity", "quantity"),
        sa.Index("ix_items_updated_at", "updated_at"),
        sa.Index("ix_items_name", "name"),
        sa.Index("ix_items_price", "price"),
    )

    @property
    def effective_reorder_point(self) -> Decimal:
        return self.low_stock_threshold if self.reorder_point is None else self.reorder_point

    @property
    def is_low_stock(self) -> bool:
        return self.quantity < self.low_stock_threshold
