"""Figures for the dashboard."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Alert, Category, Item, Location, StockLevel
from app.models.base import normalise
from app.services import counters, location_counters, locations


def summary(site_id: int | None = None) -> dict[str, Any]:
    """Totals over active items, from the maintained counters (app/services/counters.py);
    narrowed to one site's subtree when `site_id` is given (counted there). Raises NotFound.

    low_stock_items counts active items below their threshold; open_alerts counts
    unresolved alerts. The stock service keeps exactly one open alert per low item
    (app/services/low_stock.py), so the two agree; unacknowledged_alerts is the open
    ones nobody has marked as seen yet.
    """
    if site_id is not None:
        return _site_summary(locations.get_location(site_id))
    totals = counters.totals()
    open_count, unacknowledged = db.session.execute(
        sa.select(
            sa.func.count(Alert.id),
            sa.func.count(Alert.id).filter(Alert.acknowledged_at.is_(None)),
        ).where(Alert.resolved_at.is_(None))
    ).one()
    return {
        "total_items": totals["items"],
        "total_units": totals["units"],  # the API's figure; pages show units_by_unit, never this sum
        "units_by_unit": _units_by_unit(sa.select(Item.unit, sa.func.sum(Item.quantity)).where(Item.quantity > 0)),
        "low_stock_items": totals["low_stock"],
        "open_alerts": open_count,
        "unacknowledged_alerts": unacknowledged,
        "total_value": float(Decimal(totals["value"]).quantize(Decimal("0.01"))),
    }


def _site_summary(site: Location) -> dict[str, Any]:
    """Items, units, value and low-stock items from the site's maintained figures (16 rows,
    app/services/location_counters.py); the alerts from the open ones (a few), each checked for
    stock in the site; the units per unit word still sum the site's levels."""
    items, units, value, low = location_counters.site_figures(site.id)
    here = sa.and_(
        locations.in_subtree(StockLevel.location_id, site), StockLevel.quantity > 0, sa.not_(Item.is_deleted)
    )
    # The open alerts of the items counted here: one per low item, so they agree with `low`.
    stocked_here = (
        sa.select(StockLevel.id)
        .join(Item, Item.id == StockLevel.item_id)
        .where(here, StockLevel.item_id == Alert.item_id)
    ).exists()
    open_count, unacknowledged = db.session.execute(
        sa.select(
            sa.func.count(Alert.id),
            sa.func.count(Alert.id).filter(Alert.acknowledged_at.is_(None)),
        ).where(Alert.resolved_at.is_(None), stocked_here)
    ).one()
    return {
        "total_items": items,
        "total_units": units,
        "units_by_unit": _units_by_unit(
            sa.select(Item.unit, sa.func.sum(StockLevel.quantity)).join(Item, Item.id == StockLevel.item_id).where(here)
        ),
        "low_stock_items": low,
        "open_alerts": open_count,
        "unacknowledged_alerts": unacknowledged,
        "total_value": float(Decimal(value).quantize(Decimal("0.01"))),
        "site": {"id": site.id, "path": site.path},
    }


def _units_by_unit(statement: sa.Select) -> list[dict[str, Any]]:
    """Units in stock per unit word ("pcs", "m", "boxes"), largest first: pieces and metres never add up."""
    rows = db.session.execute(statement.where(sa.not_(Item.is_deleted)).group_by(Item.unit)).all()
    found = [{"unit": unit, "quantity": normalise(Decimal(quantity))} for unit, quantity in rows if quantity]
    return sorted(found, key=lambda row: (-row["quantity"], row["unit"]))


def category_breakdown() -> list[dict[str, Any]]:
    """Per category (and items without one): item count, units and value, by category name."""
    names = dict(db.session.execute(sa.select(Category.id, Category.name)).all())
    rows = [
        {
            "category_id": key if key != counters.UNCATEGORISED else None,
            "name": names.get(key) or "Uncategorised",
            "item_count": count,
            "total_units": units,
            "total_value": float(Decimal(value).quantize(Decimal("0.01"))),
        }
        for key, count, units, value, _low in counters.by_category()
    ]
    # As before: named categories alphabetically, items without a category last.
    rows.sort(key=lambda row: (row["category_id"] is None, names.get(row["category_id"], "")))
    return rows


# Units entering or leaving the business: restocks, initial quantities and upward counts
# are "in"; withdrawals and downward counts are "out". Transfers only move units between
# our own locations, so they are neither.
_FLOW_ACTIONS = ("create", "restock", "withdraw", "adjust")


def movement_series(days: int = 30) -> list[dict[str, Any]]:
    """Units and movements in and out per UTC day for the last `days` days (today included), oldest first."""
    from datetime import UTC, datetime, timedelta

    from app.models import InventoryLog

    today = datetime.now(UTC).date()
    first = today - timedelta(days=days - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=UTC)
    day = sa.func.date(InventoryLog.created_at)
    rows = db.session.execute(
        sa.select(
            day,
            sa.func.coalesce(sa.func.sum(sa.case((InventoryLog.delta > 0, InventoryLog.delta), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((InventoryLog.delta < 0, -InventoryLog.delta), else_=0)), 0),
            sa.func.count().filter(InventoryLog.delta > 0),
            sa.func.count().filter(InventoryLog.delta < 0),
        )
        .where(InventoryLog.created_at >= since, InventoryLog.action.in_(_FLOW_ACTIONS))
        .group_by(day)
    ).all()
    by_day = {
        str(d)[:10]: (normalise(Decimal(units_in)), normalise(Decimal(units_out)), int(moves_in), int(moves_out))
        for d, units_in, units_out, moves_in, moves_out in rows
    }
    series = []
    for offset in range(days):
        key = (first + timedelta(days=offset)).isoformat()
        units_in, units_out, moves_in, moves_out = by_day.get(key, (0, 0, 0, 0))
        # units_* (the API's) mix every unit; the chart plots moves_*: how many movements, not how much.
        series.append(
            {"date": key, "units_in": units_in, "units_out": units_out, "moves_in": moves_in, "moves_out": moves_out}
        )
    return series
