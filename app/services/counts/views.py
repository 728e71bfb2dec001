"""What a count looks like to its viewer: blind counts hide the system quantities from staff.

The one place that decides who sees `expected`, `variance` and values: the API, the pages
and the review all describe counts through here, so no route can leak them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Item, Location, Lot, StockCount, User
from app.models.base import normalise
from app.permissions import Permission, can

HIDDEN = ("expected", "variance", "variance_value")


def sees_expected(count: StockCount, viewer: User) -> bool:
    """Managers always; staff only when the count is not blind."""
    return not count.blind or can(viewer, Permission.COUNTS_MANAGE)


def describe(count: StockCount, viewer: User, *, with_lines: bool = True) -> dict[str, Any]:
    """The count as a dict for schemas and templates; with its lines (by location path, then SKU)
    and, where the viewer may see them, the variance totals."""
    shown = sees_expected(count, viewer)
    view: dict[str, Any] = {
        "id": count.id,
        "state": count.state,
        "blind": count.blind,
        "scheduled": count.scheduled,
        "location_id": count.location_id,
        "location_name": count.location.path,
        "category_id": count.category_id,
        "item_ids": count.item_ids,
        "opened_by": count.opened_by.email if count.opened_by else None,
        "created_at": count.created_at,
        "submitted_at": count.submitted_at,
        "decided_by": count.decided_by.email if count.decided_by else None,
        "decided_at": count.decided_at,
        "zero_uncounted": count.zero_uncounted,
        "line_count": len(count.lines),
        "counted_count": sum(1 for line in count.lines if line.counted is not None),
        "shows_expected": shown,
    }
    if not with_lines:  # a list: no per-line figures (one query for all counts' lines, none per count)
        return view
    lines = _lines(count, shown)
    view["lines"] = lines
    if shown:
        view["variance_line_count"] = sum(1 for line in lines if line.get("variance"))
        view["total_variance_value"] = sum((line.get("variance_value") or Decimal(0) for line in lines), Decimal(0))
    return view


def review_order(view: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """For the manager's review: lines with variances (largest value first), not counted, and exact."""
    lines = view["lines"]
    varied = sorted(
        (line for line in lines if line.get("variance")), key=lambda line: -abs(line.get("variance_value") or 0)
    )
    return {
        "variances": varied,
        "not_counted": [line for line in lines if line["counted"] is None],
        "exact": [line for line in lines if line["counted"] is not None and not line.get("variance")],
    }


def _lines(count: StockCount, shown: bool) -> list[dict[str, Any]]:
    if not count.lines:
        return []
    item_ids = {line.item_id for line in count.lines}
    items = {item.id: item for item in db.session.scalars(sa.select(Item).where(Item.id.in_(item_ids)))}
    paths = dict(
        db.session.execute(
            sa.select(Location.id, Location.path).where(Location.id.in_({line.location_id for line in count.lines}))
        ).all()
    )
    users = dict(
        db.session.execute(
            sa.select(User.id, User.email).where(User.id.in_({line.counted_by_id for line in count.lines} - {None}))
        ).all()
    )
    lots = dict(
        db.session.execute(
            sa.select(Lot.id, Lot.code).where(Lot.id.in_({line.lot_id for line in count.lines} - {None}))
        ).all()
    )
    out = []
    for line in count.lines:
        item = items[line.item_id]
        entry: dict[str, Any] = {
            "id": line.id,
            "item_id": line.item_id,
            "sku": item.sku,
            "name": item.name,
            "unit": item.unit,
            "decimals": item.decimals,
            "item_deleted": item.is_deleted,
            "location_id": line.location_id,
            "location_name": paths.get(line.location_id, ""),
            "lot_id": line.lot_id,
            "lot": lots.get(line.lot_id),
            "counted": line.counted,
            "counted_by": users.get(line.counted_by_id),
            "counted_at": line.counted_at,
            "unexpected": line.unexpected,
            "recount": line.recount,
        }
        if shown:
            variance = None if line.counted is None else normalise(Decimal(line.counted) - Decimal(line.expected))
            if line.applied_delta is not None:
                variance = line.applied_delta
            entry["expected"] = line.expected
            entry["variance"] = variance
            entry["price"] = item.price
            if line.variance_value is not None:
                entry["variance_value"] = line.variance_value
            else:
                entry["variance_value"] = (
                    None if variance is None else (variance * item.price).quantize(Decimal("0.01"))
                )
        out.append(entry)
    out.sort(key=lambda e: (e["location_name"], e["sku"], e["lot"] or ""))
    return out
