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


def late_orders(limit: int = 50) -> list[PurchaseOrder]:
    """Open orders whose expected date has passed."""
    return [o for o in open_orders(limit * 4) if o.expected_date is not None and o.expected_date < utcnow().date()][
        :limit
    ]


def spend_by_supplier_month(months: int = 12) -> list[Spend]:
    """What was received per supplier and calendar month (UTC), at the order lines' prices, newest month first."""
    rows = db.session.execute(
        sa.select(InventoryLog.created_at, Supplier.name, InventoryLog.delta * PurchaseOrderLine.unit_price)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == InventoryLog.purchase_order_line_id)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .where(InventoryLog.purchase_order_line_id.is_not(None))
    ).all()
    totals: dict[tuple[str, str], Decimal] = {}
    for when, supplier, amount in rows:  # grouped here: month functions differ between PostgreSQL and SQLite
        key = (f"{when:%Y-%m}", supplier)
        totals[key] = totals.get(key, Decimal(0)) + Decimal(amount)
    # Newest month first ("2026-11" -> -202611), suppliers by name within a month.
    ordered = sorted(totals.items(), key=lambda kv: (-int(kv[0][0].replace("-", "")), kv[0][1].lower()))
    recent = sorted({month for (month, _s) in totals}, reverse=True)[:months]
    return [
        Spend(month, supplier, amount.quantize(Decimal("0.01")))
        for (month, supplier), amount in ordered
        if month in recent
    ]


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
