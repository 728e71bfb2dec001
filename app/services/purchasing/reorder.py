"""Reorder suggestions: which items to buy, how many, from whom, and when they would arrive.

An item is suggested when it has a reorder quantity or a maximum level and its stock on
hand plus on order is at or below its reorder point (the low-stock threshold unless set).
The quantity tops it up to `max_stock` (else buys `reorder_quantity`), rounded up to a
multiple of the preferred offer's pack size and to at least its minimum order. Days of
cover divide what is on hand by the average daily withdrawals of the last 90 days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import InventoryLog, Item, LogAction, Supplier, SupplierOffer
from app.models.base import normalise, utcnow

HISTORY_DAYS = 90


@dataclass
class Suggestion:
    item_id: int
    sku: str
    name: str
    unit: str
    on_hand: Decimal
    on_order: Decimal
    reorder_point: Decimal
    suggested_quantity: Decimal
    days_of_cover: float | None
    expected_arrival: date | None
    supplier: Supplier | None
    offer: SupplierOffer | None


@dataclass
class Group:
    supplier: Supplier | None
    lines: list[Suggestion]


def suggestions(
    *, supplier_id: int | None = None, item_id: int | None = None, item_ids: list[int] | None = None
) -> list[Group]:
    """Items to reorder, grouped by preferred supplier (by name; items without one last)."""
    point = sa.func.coalesce(Item.reorder_point, Item.low_stock_threshold)
    query = (
        sa.select(Item, SupplierOffer, Supplier)
        .outerjoin(SupplierOffer, sa.and_(SupplierOffer.item_id == Item.id, SupplierOffer.preferred.is_(True)))
        .outerjoin(Supplier, Supplier.id == SupplierOffer.supplier_id)
        .where(
            Item.is_deleted.is_(False),
            sa.or_(Item.reorder_quantity.is_not(None), Item.max_stock.is_not(None)),
            Item.quantity + Item.on_order <= point,
        )
        .order_by(Item.sku)
    )
    if supplier_id is not None:
        query = query.where(SupplierOffer.supplier_id == supplier_id)
    if item_id is not None:
        query = query.where(Item.id == item_id)
    if item_ids is not None:
        query = query.where(Item.id.in_(item_ids or [0]))
    rows = db.session.execute(query).all()
    withdrawn = _withdrawn([item.id for item, _o, _s in rows])
    today = utcnow().date()
    groups: dict[int | None, Group] = {}
    for item, offer, supplier in rows:
        quantity = suggested_quantity(item, offer)
        if quantity <= 0:
            continue
        daily = withdrawn.get(item.id, Decimal(0)) / HISTORY_DAYS
        line = Suggestion(
            item_id=item.id,
            sku=item.sku,
            name=item.name,
            unit=item.unit,
            on_hand=item.quantity,
            on_order=item.on_order,
            reorder_point=normalise(item.effective_reorder_point),
            suggested_quantity=quantity,
            days_of_cover=round(float(item.quantity / daily), 1) if daily > 0 else None,
            expected_arrival=today + timedelta(days=supplier.lead_time_days) if supplier else None,
            supplier=supplier,
            offer=offer,
        )
        key = supplier.id if supplier else None
        groups.setdefault(key, Group(supplier=supplier, lines=[])).lines.append(line)
    return sorted(groups.values(), key=lambda g: (g.supplier is None, g.supplier.name.lower() if g.supplier else ""))


def suggested_quantity(item: Item, offer: SupplierOffer | None) -> Decimal:
    """Up to max_stock (else reorder_quantity), rounded up to whole packs, at least the minimum order."""
    if item.max_stock is not None:
        wanted = Decimal(item.max_stock) - item.quantity - item.on_order
        if wanted <= 0 and item.reorder_quantity is not None:
            wanted = Decimal(item.reorder_quantity)
    else:
        wanted = Decimal(item.reorder_quantity or 0)
    if wanted <= 0:
        return Decimal(0)
    step = Decimal(10) ** -item.decimals  # never more places than the item is counted in
    wanted = wanted.quantize(step, rounding=ROUND_CEILING)
    if offer is not None:
        pack = Decimal(offer.pack_size)
        wanted = pack * math.ceil(wanted / pack)
        minimum = Decimal(offer.min_order_quantity)
        if wanted < minimum:
            wanted = pack * math.ceil(minimum / pack)
    return normalise(wanted)


def _withdrawn(item_ids: list[int]) -> dict[int, Decimal]:
    """Units withdrawn per item over the last HISTORY_DAYS days (withdrawals only: moves and counts are not use)."""
    if not item_ids:
        return {}
    since = utcnow() - timedelta(days=HISTORY_DAYS)
    rows = db.session.execute(
        sa.select(InventoryLog.item_id, sa.func.sum(-InventoryLog.delta))
        .where(
            InventoryLog.item_id.in_(item_ids),
            InventoryLog.action == LogAction.WITHDRAW.value,
            InventoryLog.created_at >= since,
        )
        .group_by(InventoryLog.item_id)
    ).all()
    return {item_id: Decimal(total or 0) for item_id, total in rows}
