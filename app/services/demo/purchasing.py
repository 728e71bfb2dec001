"""The demo's purchasing: suppliers with offers for some items, reorder policies (min/max), one
order received in full and one on its way, so the Purchasing pages have something to show."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Category, Item, User
from app.models.base import clock_at
from app.services import items
from app.services.purchasing import orders, suppliers

# (name, contact, email, lead time in days, the categories it supplies)
SUPPLIERS = [
    ("Harbour Tool Supply", "Hana Reed", "orders@harbour-tools.example", 5, ["Hand Tools", "Power Tools", "Fasteners"]),
    ("Northway Electrical", "Owen Park", "sales@northway-electrical.example", 3, ["Electrical", "Lighting"]),
    ("Greystone Building Supplies", "Priya Shah", "trade@greystone.example", 7, ["Plumbing", "Paint", "Garden"]),
    (
        "Millbrook Office & Packaging",
        None,
        "orders@millbrook.example",
        4,
        ["Office", "Packaging", "Cleaning", "Safety"],
    ),
]
POLICIES = 36  # items given a min/max policy and an offer: a few low ones among them
PACKS = {"box": 1, "pcs": 1, "m": 25, "l": 5, "roll": 6, "pack": 10, "pair": 12}


def seed_purchasing(rng: random.Random, manager: User, item_ids: list[int], now: datetime) -> tuple[int, int, int]:
    """(suppliers, items with a policy, orders) made through the purchasing and item services."""
    by_category: dict[str, int] = {}
    for name, contact, email, lead, categories in SUPPLIERS:
        made = suppliers.create_supplier({"name": name, "contact": contact, "email": email, "lead_time_days": lead})
        by_category.update(dict.fromkeys(categories, made.id))
    rows = db.session.execute(
        sa.select(Item, Category.name).join(Category, Category.id == Item.category_id).where(Item.id.in_(item_ids))
    ).all()
    low = [item for item, _c in rows if item.quantity <= item.low_stock_threshold]
    rest = [item for item, _c in rows if item.quantity > item.low_stock_threshold]
    chosen = low[: POLICIES // 2] + rng.sample(rest, k=min(len(rest), POLICIES - min(len(low), POLICIES // 2)))
    category_of = {item.id: category for item, category in rows}
    ordered: dict[int, list[Item]] = {}
    for item in chosen:
        items.update_item(
            item.id,
            {"reorder_point": item.low_stock_threshold, "max_stock": item.low_stock_threshold * 4 + 20},
            actor=manager,
            expected_version=item.version,
            partial=True,
        )
        supplier_id = by_category[category_of[item.id]]
        price = (item.price * Decimal("0.6")).quantize(Decimal("0.01"))
        suppliers.add_offer(
            item.id, {"supplier_id": supplier_id, "unit_price": price, "pack_size": PACKS.get(item.unit, 1)}
        )
        ordered.setdefault(supplier_id, []).append(item)
    return len(SUPPLIERS), len(chosen), _orders(manager, ordered, now)


def _orders(manager: User, offered: dict[int, list[Item]], now: datetime) -> int:
    """One order received in full last week, one sent yesterday and still open."""
    groups = sorted(offered.items(), key=lambda pair: -len(pair[1]))[:2]
    made = 0
    for index, (supplier_id, group) in enumerate(groups):
        sent_at = now - timedelta(days=9 if index == 0 else 1)
        lines = [
            {"item_id": item.id, "quantity": Decimal(item.low_stock_threshold * 2 + 10), "unit_price": item.price}
            for item in group[-3:]  # the last ones: the low items first in the list stay suggested
        ]
        with clock_at(sent_at):
            order = orders.create_order({"supplier_id": supplier_id, "lines": lines}, actor=manager)
            orders.send(order.id, actor=manager)
        if index == 0:
            homes = {item.id: item.location_id for item in group}
            arrived = [
                {"line_id": line.id, "quantity": line.quantity, "location_id": homes[line.item_id]}
                for line in order.lines
            ]
            with clock_at(sent_at + timedelta(days=4)):
                orders.receive(order.id, arrived, actor=manager)
        made += 1
    return made
