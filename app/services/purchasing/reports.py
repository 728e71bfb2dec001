"""Purchasing figures for the Reports page and the weekly valuation: open and late orders,
spend per supplier per month (received goods at the order's prices), stock on order."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import InventoryLog, Item, PurchaseOrder, PurchaseOrderLine, Supplier
from app.models.base import normalise, utcnow
from app.models.purchasing import OPEN_STATES
from app.services import reports


@dataclass
class Spend:
    month: str  # "2026-11"
    supplier: str
    amount: Decimal


def open_orders(limit: int = 50) -> list[PurchaseOrder]:
    """Sent orders not fully received, the soonest expected first."""
    return list(
        db.session.execute(
            sa.select(PurchaseOrder)
            .options(selectinload(PurchaseOrder.supplier))
            .where(PurchaseOrder.state.in_(OPEN_STATES))
            .order_by(PurchaseOrder.expected_date.asc().nulls_last(), PurchaseOrder.id)
            .limit(limit)
        ).scalars()
    )


def _late() -> sa.ColumnElement[bool]:
    return sa.and_(PurchaseOrder.state.in_(OPEN_STATES), PurchaseOrder.expected_date < utcnow().date())


def late_orders(limit: int = 50) -> list[PurchaseOrder]:
    """Open orders whose expected date has passed, the longest overdue first (any number of orders)."""
    return list(
        db.session.execute(
            sa.select(PurchaseOrder)
            .options(selectinload(PurchaseOrder.supplier))
            .where(_late())
            .order_by(PurchaseOrder.expected_date, PurchaseOrder.id)
            .limit(limit)
        ).scalars()
    )


def late_count() -> int:
    """How many open orders are late, over every order."""
    return db.session.execute(sa.select(sa.func.count()).select_from(PurchaseOrder).where(_late())).scalar_one()


def spend_by_supplier_month(months: int = 12) -> list[Spend]:
    """What was received per supplier and calendar month (UTC), at the order lines' prices, newest
    month first (suppliers by name within a month); the `months` most recent months that had any.
    Grouped in the database: one row per month and supplier, whatever the number of receipts."""
    month = reports.calendar_month(InventoryLog.created_at)
    rows = db.session.execute(
        sa.select(month, Supplier.name, sa.func.sum(InventoryLog.delta * PurchaseOrderLine.unit_price))
        .join(PurchaseOrderLine, PurchaseOrderLine.id == InventoryLog.purchase_order_line_id)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .where(InventoryLog.purchase_order_line_id.is_not(None))
        .group_by(month, Supplier.id, Supplier.name)
    ).all()
    recent = set(sorted({m for m, _s, _a in rows}, reverse=True)[:months])
    ordered = sorted((r for r in rows if r[0] in recent), key=lambda r: (-int(r[0].replace("-", "")), r[1].lower()))
    return [Spend(m, supplier, Decimal(amount).quantize(Decimal("0.01"))) for m, supplier, amount in ordered]


def on_order_by_item() -> list[tuple[str, str, Decimal, Decimal]]:
    """(sku, name, units, value) of every item with stock on sent orders, by SKU."""
    remaining = PurchaseOrderLine.quantity - PurchaseOrderLine.received
    rows = db.session.execute(
        sa.select(Item.sku, Item.name, sa.func.sum(remaining), sa.func.sum(remaining * PurchaseOrderLine.unit_price))
        .join(PurchaseOrderLine, PurchaseOrderLine.item_id == Item.id)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .where(PurchaseOrder.state.in_(OPEN_STATES), remaining > 0)
        .group_by(Item.sku, Item.name)
        .order_by(Item.sku)
    ).all()
    return [
        (sku, name, normalise(Decimal(units)), Decimal(value).quantize(Decimal("0.01")))
        for sku, name, units, value in rows
    ]


reports.add_valuation_section("on_order", on_order_by_item, "on order")
