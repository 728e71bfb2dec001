"""Suppliers, their offers per item, and purchase orders with their lines (issue 21)."""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Quantity, TimestampMixin

Money = sa.Numeric(12, 2)
UnitPrice = sa.Numeric(14, 4)  # a supplier's price per unit may have fractions of a cent


class Supplier(TimestampMixin, db.Model):
    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False, unique=True)
    contact: Mapped[str | None] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    lead_time_days: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    notes: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.CheckConstraint("lead_time_days BETWEEN 0 AND 3650", name="lead_time_range"),)


class SupplierOffer(TimestampMixin, db.Model):
    """What one supplier sells one item as: their SKU, pack size, price, minimum; one preferred per item."""

    __tablename__ = "supplier_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), nullable=False, index=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), nullable=False, index=True)
    supplier_sku: Mapped[str | None] = mapped_column(sa.String(64))
    pack_size: Mapped[Decimal] = mapped_column(Quantity, nullable=False, default=1)
    unit_price: Mapped[Decimal] = mapped_column(UnitPrice, nullable=False, default=Decimal("0"))
    min_order_quantity: Mapped[Decimal] = mapped_column(Quantity, nullable=False, default=0)
    preferred: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)

    supplier = relationship("Supplier")

    __table_args__ = (
        sa.UniqueConstraint("item_id", "supplier_id", name="uq_supplier_offers_item_supplier"),
        sa.CheckConstraint("pack_size > 0", name="pack_size_positive"),
        sa.CheckConstraint("unit_price >= 0", name="unit_price_non_negative"),
        sa.CheckConstraint("min_order_quantity >= 0", name="min_order_non_negative"),
        # One preferred offer per item, enforced by the database too.
        sa.Index(
            "uq_supplier_offers_preferred",
            "item_id",
            unique=True,
            postgresql_where=sa.text("preferred"),
            sqlite_where=sa.text("preferred = 1"),
        ),
    )


class OrderState(enum.StrEnum):
    DRAFT = "draft"  # lines editable
    SENT = "sent"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"


OPEN_STATES = (OrderState.SENT.value, OrderState.PARTIALLY_RECEIVED.value)


class PurchaseOrder(TimestampMixin, db.Model):
    __tablename__ = "purchase_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), nullable=False, index=True)
    state: Mapped[str] = mapped_column(sa.String(24), nullable=False, default=OrderState.DRAFT.value)
    expected_date: Mapped[date | None] = mapped_column(sa.Date)
    allow_over_receipt: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The supplier's email address when it was sent; the email goes out after the commit.
    sent_to: Mapped[str | None] = mapped_column(sa.String(254))
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    # Plain lazy loads: a joined load would put an outer join under FOR UPDATE.
    supplier = relationship("Supplier")
    lines = relationship("PurchaseOrderLine", lazy="selectin", order_by="PurchaseOrderLine.id")

    __table_args__ = (
        sa.CheckConstraint(
            "state IN ('draft', 'sent', 'partially_received', 'received', 'cancelled')", name="state_valid"
        ),
        sa.Index("ix_purchase_orders_state_expected", "state", "expected_date"),
    )


class PurchaseOrderLine(db.Model):
    __tablename__ = "purchase_order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("purchase_orders.id"), nullable=False, index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), nullable=False, index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity, nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(UnitPrice, nullable=False, default=Decimal("0"))
    received: Mapped[Decimal] = mapped_column(Quantity, nullable=False, default=0)

    # Loaded on its own (never joined): a line locked FOR UPDATE must not lock its item with it.
    item = relationship("Item")

    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("received >= 0", name="received_non_negative"),
        sa.CheckConstraint("unit_price >= 0", name="unit_price_non_negative"),
    )

    @property
    def remaining(self) -> Decimal:
        return max(self.quantity - self.received, 0)
