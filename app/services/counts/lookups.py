"""Finding counts: the list, the count covering a scanned location, overlaps, what a count covers.

Read-only look-ups shared by the counts workflow (app/services/counts/counting.py), its pages, the API
and the Scan page.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.errors import ValidationFailed
from app.extensions import db
from app.models import CountState, Location, StockCount
from app.models.location import subtree_upper
from app.services import locations
from app.services.pagination import Page, paginate

ACTIVE = (CountState.OPEN.value, CountState.SUBMITTED.value)


def list_counts(
    *,
    state: str | None = None,
    location_id: int | None = None,
    covering: int | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """Counts, newest first; `covering` keeps those of the location or a place above it (the
    counts whose subtree holds it)."""
    conditions = []
    if state:
        conditions.append(StockCount.state == state)
    if location_id:
        conditions.append(StockCount.location_id == location_id)
    if covering:
        conditions.append(StockCount.location_id.in_(_ancestor_ids(covering)))
    return paginate(
        sa.select(StockCount)
        .options(
            selectinload(StockCount.location), selectinload(StockCount.opened_by), selectinload(StockCount.decided_by)
        )
        .where(*conditions)
        .order_by(StockCount.created_at.desc(), StockCount.id.desc()),
        sa.select(sa.func.count(StockCount.id)).where(*conditions),
        page=page,
        per_page=per_page,
    )


def subtree_ids(count: StockCount) -> set[int]:
    """Ids of the live locations a count covers (its location and everything inside)."""
    return set(
        db.session.scalars(
            sa.select(Location.id).where(
                locations.in_subtree(Location.id, count.location), Location.deleted_at.is_(None)
            )
        )
    )


def item_ids_for_skus(text: str) -> list[int]:
    """Active items named by comma- or space-separated SKUs (any letter case). Raises
    ValidationFailed naming `skus` for any unknown one."""
    wanted = [part for part in text.replace(",", " ").split() if part]
    from app.services.items import active_by_sku

    found = {item.sku.lower(): item.id for item in db.session.scalars(active_by_sku(wanted))} if wanted else {}
    unknown = [sku for sku in wanted if sku.lower() not in found]
    if unknown:
        raise ValidationFailed("Unknown SKUs.", fields={"skus": [f"No such item: {', '.join(unknown[:10])}"]})
    return sorted(set(found.values()))


def open_count_covering(location_id: int) -> StockCount | None:
    """The open count whose subtree holds `location_id` (the nearest one), if any."""
    ancestors = _ancestor_ids(location_id)
    if not ancestors:
        return None
    found = db.session.execute(
        sa.select(StockCount)
        .join(Location, Location.id == StockCount.location_id)
        .where(StockCount.state == CountState.OPEN.value, StockCount.location_id.in_(ancestors))
        .order_by(Location.depth.desc(), StockCount.id.desc())
    ).scalars()
    return next(iter(found), None)


def _ancestor_ids(location_id: int) -> list[int]:
    """The live location's id and those of every place above it; none for an unknown one."""
    place = locations.live_location(location_id)
    if place is None:
        return []
    return [int(part) for part in place.path_key.strip("/").split("/")]


def overlapping_count(location: Location) -> StockCount | None:
    """An active count of this location, of one above it, or of one inside it."""
    ancestors = [int(part) for part in location.path_key.strip("/").split("/")]
    inside = sa.and_(Location.path_key >= location.path_key, Location.path_key < subtree_upper(location.path_key))
    return db.session.execute(
        sa.select(StockCount)
        .join(Location, Location.id == StockCount.location_id)
        .where(StockCount.state.in_(ACTIVE), sa.or_(StockCount.location_id.in_(ancestors), inside))
        .order_by(StockCount.id)
        .limit(1)
    ).scalar_one_or_none()
