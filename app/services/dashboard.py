"""Figures for the dashboard."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Alert, Category, Item

_active = Item.is_deleted.is_(False)


def summary() -> dict[str, Any]:
    totals = db.session.execute(
        sa.select(
            sa.func.count(Item.id),
            sa.func.coalesce(sa.func.sum(Item.quantity), 0),
            sa.func.coalesce(sa.func.sum(Item.quantity * Item.price), 0),
            sa.func.count(Item.id).filter(Item.quantity < Item.low_stock_threshold),
        ).where(_active)
    ).one()
    unacknowledged = db.session.execute(
        sa.select(sa.func.count(Alert.id)).where(Alert.acknowledged_at.is_(None))
    ).scalar_one()
    return {
        "total_items": totals[0],
        "total_units": int(totals[1]),
        "low_stock_items": totals[3],
        "unacknowledged_alerts": unacknowledged,
        "total_value": float(Decimal(totals[2]).quantize(Decimal("0.01"))),
    }


def category_breakdown() -> list[dict[str, Any]]:
    """Per category (and items without one): item count, units and value."""
    rows = db.session.execute(
        sa.select(
            Item.category_id,
            Category.name,
            sa.func.count(Item.id),
            sa.func.coalesce(sa.func.sum(Item.quantity), 0),
            sa.func.coalesce(sa.func.sum(Item.quantity * Item.price), 0),
        )
        .outerjoin(Category, Category.id == Item.category_id)
        .where(_active)
        .group_by(Item.category_id, Category.name)
        .order_by(Category.name)
    ).all()
    return [
        {
            "category_id": category_id,
            "name": name or "Uncategorised",
            "item_count": count,
            "total_units": int(units),
            "total_value": float(Decimal(value).quantize(Decimal("0.01"))),
        }
        for category_id, name, count, units, value in rows
    ]
