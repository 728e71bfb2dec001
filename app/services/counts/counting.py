"""Stock counts: a manager opens a count of a location's subtree, staff count what they find,
a manager reviews the variances, sends lines back for a recount, approves or cancels.

Life: open -> submitted -> approved | cancelled (recount sends a submitted count back to open).
A line's variance is what was counted minus the system quantity at the moment it was counted;
approval applies that difference as an `adjust` movement through app/services/stock.py (not
"set to the counted number"), so movements made after counting are kept. Lock order: the count
row, then items by id (the stock service's order), so counting, approving and withdrawing
never deadlock. Counts whose subtrees overlap cannot be active together: two approvals would
apply the same difference twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app import events
from app.errors import AlreadyCounted, Conflict, InvalidState, NotFound, ValidationFailed
from app.extensions import db
from app.limits import MAX_COUNT_ITEMS, MAX_QUANTITY
from app.models import Category, CountState, Item, Location, StockCount, StockCountLine, StockLevel, User
from app.models.base import utcnow
from app.services import locations, stock
from app.services.counts import lookups as count_lookups
from app.services.counts import lot_lines
from app.services.counts.lookups import ACTIVE
from app.services.lookup import get_or_404, lock_or_404
from app.services.quantities import check_places, show
from app.services.uow import is_sqlite, take_write_lock, unit_of_work

MODES = ("add", "replace")


def open_count(
    *,
    location_id: int,
    actor: User | None,
    category_id: int | None = None,
    item_ids: list[int] | None = None,
    blind: bool = False,
    scheduled: bool = False,
) -> StockCount:
    """Open a count listing every item with stock in the location's subtree (narrowed to a
    category or items). Raises ValidationFailed, Conflict (an active count overlaps)."""
    with unit_of_work():
        _lock_openings()
        location = locations.require_live_location(location_id)
        _check_scope(category_id, item_ids)
        overlapping = count_lookups.overlapping_count(location)
        if overlapping is not None:
            raise Conflict(
                f"Count #{overlapping.id} of {overlapping.location.path} is still {overlapping.state}; "
                "finish or cancel it first (two counts of one shelf would correct it twice).",
                fields={"location_id": [f"Count #{overlapping.id} covers this location."]},
                count_id=overlapping.id,
            )
        count = StockCount(
            location_id=location.id,
            category_id=category_id,
            item_ids=sorted(set(item_ids)) if item_ids else None,
            state=CountState.OPEN.value,
            blind=blind,
            scheduled=scheduled,
            zero_uncounted=False,
            opened_by_id=actor.id if actor else None,
        )
        db.session.add(count)
        db.session.flush()
        for item_id, loc_id, lot_id, quantity in lot_lines.expand(_expected_levels(location, category_id, item_ids)):
            db.session.add(
                StockCountLine(count_id=count.id, item_id=item_id, location_id=loc_id, lot_id=lot_id, expected=quantity)
            )
        db.session.flush()
        _publish(count, actor)
    return _reload(count.id)


def record_line(
    count_id: int,
    *,
    item_id: int,
    location_id: int,
    counted: Decimal | int,
    actor: User,
    mode: str | None = None,
    lot: str | None = None,
) -> StockCountLine:
    """Record what was found of an item (of a lot, for a lot item) at a location; a line already counted needs `mode`
    (add or replace). Raises NotFound, InvalidState (not open), AlreadyCounted,
    Conflict (the item was deleted), ValidationFailed (place, decimals, range)."""
    with unit_of_work():
        count = _lock_count(count_id)
        _expect(count, CountState.OPEN, "take counts")
        item = db.session.get(Item, item_id)
        if item is None:
            raise ValidationFailed("Unknown item.", fields={"item_id": [f"Item {item_id} does not exist."]})
        if item.is_deleted:
            raise Conflict(
                f"{item.sku} was deleted; it cannot be counted.", fields={"item_id": [f"{item.sku} was deleted."]}
            )
        place = locations.require_live_location(location_id, holds_stock=True)
        if not place.path_key.startswith(count.location.path_key):
            raise ValidationFailed(
                f"{place.path} is outside this count ({count.location.path}).",
                fields={"location_id": [f"Count #{count.id} covers {count.location.path} only."]},
            )
        check_places(item, counted, "counted")
        lot_id = lot_lines.lot_of(item, lot)
        line = db.session.execute(
            sa.select(StockCountLine).where(
                StockCountLine.count_id == count.id,
                StockCountLine.item_id == item_id,
                StockCountLine.location_id == location_id,
                StockCountLine.lot_id.is_(None) if lot_id is None else StockCountLine.lot_id == lot_id,
            )
        ).scalar_one_or_none()
        if line is None:
            line = StockCountLine(
                count_id=count.id, item_id=item_id, location_id=location_id, lot_id=lot_id, unexpected=True
            )
            db.session.add(line)
        elif line.counted is not None and not line.recount:
            if mode is None:
                raise AlreadyCounted(
                    f"{item.sku} at {place.path} was already counted ({show(line.counted)} {item.unit}): "
                    "add to that count or replace it.",
                    fields={"mode": ["Choose add or replace."]},
                    line_id=line.id,
                    counted=line.counted,
                )
            if mode == "add":
                counted = line.counted + counted
        if counted > MAX_QUANTITY:
            raise ValidationFailed(
                f"At most {MAX_QUANTITY:,} {item.unit}.", fields={"counted": ["Too many for one place."]}
            )
        line.expected = (  # the system quantity at this moment
            stock.level_quantity(item_id, location_id)
            if lot_id is None
            else lot_lines.lot_quantity(lot_id, location_id)
        )
        line.counted = counted
        line.counted_by_id = actor.id
        line.counted_at = utcnow()
        line.recount = False
        count.updated_at = utcnow()
        db.session.flush()
        _publish(count, actor, line)
    return line


def record_code(
    count_id: int,
    code: str,
    *,
    location_id: int,
    counted: Decimal | int,
    actor: User,
    mode: str | None = None,
    lot: str | None = None,
) -> StockCountLine:
    """record_line for an item named by what was scanned or typed (I12, an SKU, a barcode).
    Raises ValidationFailed naming `item` when the code names no item; as record_line otherwise."""
    from app.services.scanning import codes as scan
    from app.services.scanning.gs1 import InvalidGS1, InvalidGtin

    try:
        found = scan.resolve(code)
    except NotFound:
        found = None
    except (InvalidGtin, InvalidGS1) as broken:  # 422 naming the form's field, with the scan's code
        raise type(broken)(broken.message, fields={"item": [f"{code!r}: {broken.message}"]}) from None
    if found is None or found.type != "item":
        raise ValidationFailed("Scan or type an item.", fields={"item": [f"{code!r} names no item."]})
    if lot is None and found.gs1 is not None:
        lot = found.gs1.lot  # a GS1 scan carries the lot it counts
    return record_line(
        count_id, item_id=found.id, location_id=location_id, counted=counted, actor=actor, mode=mode, lot=lot
    )


def submit(count_id: int, *, actor: User) -> StockCount:
    """Hand an open count to the managers for review. Raises NotFound, InvalidState."""
    with unit_of_work():
        count = _lock_count(count_id)
        _expect(count, CountState.OPEN, "be submitted")
        count.state = CountState.SUBMITTED.value
        count.submitted_by_id = actor.id
        count.submitted_at = utcnow()
        _publish(count, actor)
    return _reload(count_id)


def recount(count_id: int, line_ids: list[int], *, actor: User) -> StockCount:
    """Send lines back to be counted again; the count is open again. Raises NotFound,
    InvalidState, ValidationFailed (a line of another count)."""
    with unit_of_work():
        count = _lock_count(count_id)
        if count.state not in ACTIVE:
            raise _state_error(count, "have lines recounted")
        lines = {line.id: line for line in count.lines}
        strangers = sorted(set(line_ids) - set(lines))
        if not line_ids or strangers:
            raise ValidationFailed(
                "Choose lines of this count to recount.",
                fields={"line_ids": [f"Not lines of count #{count.id}: {strangers}" if strangers else "Empty."]},
            )
        for line_id in set(line_ids):
            line = lines[line_id]
            line.counted, line.counted_by_id, line.counted_at, line.recount = None, None, None, True
        count.state = CountState.OPEN.value
        count.updated_at = utcnow()
        _publish(count, actor)
    return _reload(count_id)


def approve(count_id: int, *, actor: User, zero_uncounted: bool = False) -> StockCount:
    """Apply every counted line's variance as one adjust movement each, all in one transaction,
    each ledger row carrying the count; lines not counted stay as they are unless
    `zero_uncounted`. Raises NotFound, InvalidState (approving twice), InsufficientStock
    (a level would go negative, naming the lines; nothing changes)."""
    with unit_of_work():
        count = _lock_count(count_id)
        _expect(count, CountState.SUBMITTED, "be approved")
        deleted = set(
            db.session.scalars(
                sa.select(Item.id).where(Item.id.in_({line.item_id for line in count.lines}), Item.is_deleted)
            )
        )
        live = [line for line in count.lines if line.item_id not in deleted]
        items = {item_id: stock.lock_item(item_id) for item_id in sorted({line.item_id for line in live})}
        changes: list[tuple[int, int, int, Decimal | int]] = []
        lot_changes: list[tuple[int, int, int, int, Decimal | int]] = []
        for line in live:
            if line.counted is not None:
                delta = line.counted - line.expected
            elif zero_uncounted:
                line.expected = (  # read under the item lock
                    stock.level_quantity(line.item_id, line.location_id)
                    if line.lot_id is None
                    else lot_lines.lot_quantity(line.lot_id, line.location_id)
                )
                delta = -line.expected
            else:
                continue
            line.applied_delta = delta
            line.variance_value = (Decimal(delta) * items[line.item_id].price).quantize(Decimal("0.01"))
            if delta and line.lot_id is not None:
                lot_changes.append((line.id, line.item_id, line.location_id, line.lot_id, delta))
            elif delta:
                changes.append((line.id, line.item_id, line.location_id, delta))
        stock.apply_count(changes, actor=actor, count_id=count.id, note=f"Count #{count.id}")
        stock.apply_lot_count(lot_changes, actor=actor, count_id=count.id, note=f"Count #{count.id}")
        count.state = CountState.APPROVED.value
        count.zero_uncounted = zero_uncounted
        count.decided_by_id = actor.id
        count.decided_at = utcnow()
        if count.category_id is None and not count.item_ids:
            count.location.last_counted_at = count.decided_at  # the whole subtree was counted
        _publish(count, actor)
    return _reload(count_id)


def cancel(count_id: int, *, actor: User) -> StockCount:
    """Drop an open or submitted count; nothing moves. Raises NotFound, InvalidState."""
    with unit_of_work():
        count = _lock_count(count_id)
        if count.state not in ACTIVE:
            raise _state_error(count, "be cancelled")
        count.state = CountState.CANCELLED.value
        count.decided_by_id = actor.id
        count.decided_at = utcnow()
        _publish(count, actor)
    return _reload(count_id)


def get_count(count_id: int) -> StockCount:
    """Raises NotFound."""
    return get_or_404(StockCount, count_id, "Count")


def _expected_levels(location: Location, category_id: int | None, item_ids: list[int] | None) -> list[tuple]:
    query = (
        sa.select(StockLevel.item_id, StockLevel.location_id, StockLevel.quantity)
        .join(Item, Item.id == StockLevel.item_id)
        .join(Location, Location.id == StockLevel.location_id)
        .where(
            locations.in_subtree(StockLevel.location_id, location),
            StockLevel.quantity > 0,
            sa.not_(Item.is_deleted),
            sa.not_(Location.is_structural),
        )
        .order_by(Location.path, Item.sku)
    )
    if category_id is not None:
        query = query.where(Item.category_id == category_id)
    if item_ids:
        query = query.where(Item.id.in_(item_ids))
    return [tuple(row) for row in db.session.execute(query).all()]


def _check_scope(category_id: int | None, item_ids: list[int] | None) -> None:
    fields: dict[str, list[str]] = {}
    if category_id is not None and db.session.get(Category, category_id) is None:
        fields["category_id"] = [f"Category {category_id} does not exist."]
    if item_ids:
        if len(item_ids) > MAX_COUNT_ITEMS:
            fields["item_ids"] = [f"At most {MAX_COUNT_ITEMS} items."]
        else:
            live = set(db.session.scalars(sa.select(Item.id).where(Item.id.in_(item_ids), sa.not_(Item.is_deleted))))
            missing = sorted(set(item_ids) - live)
            if missing:
                fields["item_ids"] = [f"Unknown or deleted items: {missing[:20]}"]
    if fields:
        raise ValidationFailed("The count has invalid fields.", fields=fields)


# Any constant: the advisory lock that serialises openings (the overlap check, then the insert).
_OPENINGS_LOCK = 20_0020


def _lock_openings() -> None:
    if is_sqlite():
        take_write_lock(StockCount.__table__, 0)
    else:
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_OPENINGS_LOCK)))


def _lock_count(count_id: int) -> StockCount:
    return lock_or_404(StockCount, count_id, "Count", sqlite_lock=True)


def _expect(count: StockCount, state: CountState, verb: str) -> None:
    # Checked under the row lock: a second approval (even a concurrent one) sees the first's result.
    if count.state != state:
        raise _state_error(count, verb, state)


def _state_error(count: StockCount, verb: str, state: CountState | None = None) -> InvalidState:
    wanted = f"only a {state.value} count can {verb}" if state else f"it cannot {verb}"
    return InvalidState(f"Count #{count.id} is {count.state}; {wanted}.", state=count.state)


def _publish(count: StockCount, actor: User | None, line: StockCountLine | None = None) -> None:
    """count_updated: never the expected quantities or variances (staff of a blind count receive it too)."""
    payload: dict[str, Any] = {
        "count_id": count.id,
        "state": count.state,
        "location_id": count.location_id,
        "actor_email": actor.email if actor else None,
        "timestamp": utcnow().isoformat(),
    }
    if line is not None:
        payload["line"] = {
            "id": line.id,
            "item_id": line.item_id,
            "location_id": line.location_id,
            "counted": line.counted,
            "counted_by": actor.email if actor else None,
        }
    events.publish("count_updated", payload)


def _reload(count_id: int) -> StockCount:
    count = db.session.get(StockCount, count_id, populate_existing=True)
    assert count is not None
    return count
