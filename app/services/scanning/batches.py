"""A scan session's running list, applied as one batch: restock, withdraw, move or count, all lines or none.

Count mode feeds stock counts (app/services/counts/counting.py): when an open count covers the scanned
location, every line is recorded into it (by staff or managers). Only where no count is open
does a manager's count set the quantities at once (an immediate adjust), as before counts existed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.errors import PermissionDenied, ValidationFailed
from app.extensions import db
from app.limits import MAX_SCAN_LINES
from app.models import Item, User
from app.models.base import normalise
from app.permissions import Permission, can
from app.services import stock
from app.services.counts import counting as counts
from app.services.counts import lookups as count_lookups
from app.services.uow import unit_of_work

MODES = ("restock", "withdraw", "move", "count")
COUNT_NOTE = "Counted by scanning"


@dataclass
class Batch:
    mode: str
    lines: list[dict[str, Any]] = field(default_factory=list)
    count_id: int | None = None  # count mode: the open count the lines were recorded into
    location_id: int | None = None
    from_location_id: int | None = None
    to_location_id: int | None = None


def submit(
    mode: str,
    lines: list[dict[str, Any]],
    *,
    actor: User,
    location_id: int | None = None,
    from_location_id: int | None = None,
    to_location_id: int | None = None,
    note: str | None = None,
    count_mode: str | None = None,
) -> Batch:
    """Apply every line in one transaction (restock/withdraw at `location_id` or each item's home; move
    from one location to another; count: into the open count covering `location_id`, else, for
    managers only, set each item's quantity there at once).

    Raises InsufficientStock naming each short line (`shortages`), ValidationFailed, NotFound,
    PermissionDenied (staff counting where no count is open), AlreadyCounted (a line of the open
    count already counted and no `count_mode`). Run it under idempotency.run_once for an Idempotency-Key.
    """
    wanted, traces = _merge(lines)
    if mode == "move":
        _check_move(from_location_id, to_location_id)
    if mode == "count":
        if location_id is None:
            raise ValidationFailed("Scan the location being counted.", fields={"location_id": ["Scan a location."]})
        if traces:
            raise ValidationFailed(
                "Count lots and serials on the count's page, not in a scanned batch.",
                fields={"lines": ["A count batch names no lot or serials."]},
            )
        wanted = {item_id: qty for (item_id, _lot), qty in wanted.items()}
        open_count = count_lookups.open_count_covering(location_id)
        if open_count is not None:
            return _into_count(open_count.id, wanted, location_id, actor, count_mode)
        if not can(actor, Permission.STOCK_ADJUST):
            raise PermissionDenied(
                "No count is open for this location: ask a manager to open one (only managers set quantities directly).",
                fields={"mode": ["Managers only, unless a count is open here."]},
            )
    with unit_of_work(keep_loaded=True):
        if mode == "restock":
            movements = stock.add_lines(
                [(item_id, location_id, qty) for (item_id, _lot), qty in wanted.items()],
                actor=actor,
                note=note,
                traces=traces,
            )
        elif mode == "withdraw":
            homes = _homes([item_id for item_id, _lot in wanted]) if location_id is None else {}
            movements = stock.apply_lines(
                [(item_id, location_id or homes[item_id], None, qty) for (item_id, _lot), qty in wanted.items()],
                "withdraw",
                actor=actor,
                note=note,
                traces=traces,
            )
        elif mode == "count":
            movements = stock.count_lines(list(wanted.items()), location_id, actor=actor, note=note or COUNT_NOTE)
        else:
            movements = stock.apply_lines(
                [(item_id, from_location_id, to_location_id, qty) for (item_id, _lot), qty in wanted.items()],
                "transfer",
                actor=actor,
                note=note,
                traces=traces,
            )
        batch = Batch(mode, location_id=location_id, from_location_id=from_location_id)
        batch.to_location_id = to_location_id
        for movement, qty in zip(movements, wanted.values(), strict=True):
            places = list(dict.fromkeys(entry.location_id for entry in movement.logs))
            extra = {"lots": movement.lots} if movement.lots else {}
            if movement.serials:
                extra["serials"] = movement.serials
            moved = qty if qty is not None else len(movement.serials or [])
            batch.lines.append(
                _line(movement.item, moved, places, item_quantity=normalise(movement.item.quantity), **extra)
            )
        return batch


def _line(item: Item, quantity: Decimal, location_ids: list[int], **extra: object) -> dict:
    """One line of a batch's answer."""
    return {
        "item_id": item.id,
        "sku": item.sku,
        "name": item.name,
        "unit": item.unit,
        "quantity": normalise(quantity),
        **extra,
        "location_ids": location_ids,
    }


def _into_count(
    count_id: int, wanted: dict[int, Decimal], location_id: int, actor: User, count_mode: str | None
) -> Batch:
    """Record every scanned line into the open count, all or none. The answer leaves out the
    items' totals: in a blind count, staff must not learn the system quantities."""
    batch = Batch("count", count_id=count_id, location_id=location_id)
    with unit_of_work():
        for item_id, qty in wanted.items():
            line = counts.record_line(
                count_id, item_id=item_id, location_id=location_id, counted=normalise(qty), actor=actor, mode=count_mode
            )
            item = db.session.get(Item, item_id)
            batch.lines.append(_line(item, qty, [location_id], counted=line.counted, item_quantity=None))
    return batch


Key = tuple[int, str | None]  # (item id, lot code or None)


def _merge(lines: list[dict[str, Any]]) -> tuple[dict[Key, Decimal | None], list[dict[str, Any]] | None]:
    """One line per item (per item and lot when lines name lots), in the order first scanned (a
    list scanned twice adds up; serials join). The traces per merged line, or None when no line
    names a lot, an expiry or serials (the untracked path, as before issue 27)."""
    if not lines:
        raise ValidationFailed("Scan at least one item.", fields={"lines": ["Empty."]})
    if len(lines) > MAX_SCAN_LINES:
        raise ValidationFailed(f"At most {MAX_SCAN_LINES} lines.", fields={"lines": [f"More than {MAX_SCAN_LINES}."]})
    merged: dict[Key, Decimal | None] = {}
    traces: dict[Key, dict[str, Any]] = {}
    for line in lines:
        key = (line["item_id"], line.get("lot"))
        trace = traces.setdefault(key, {})
        if line.get("lot") is not None:
            trace["lot"] = line["lot"]
        if line.get("expires_on") is not None:
            trace["expires_on"] = line["expires_on"]
        if line.get("serials") is not None:
            trace["serials"] = [*trace.get("serials", []), *line["serials"]]
        if line.get("quantity") is None:
            merged.setdefault(key, None)
        else:
            merged[key] = (merged.get(key) or Decimal(0)) + Decimal(line["quantity"])
    named = any(traces.values())
    return merged, [traces[key] for key in merged] if named else None


def _check_move(source: int | None, destination: int | None) -> None:
    errors = {}
    if source is None:
        errors["from_location_id"] = ["Scan the location the items leave."]
    if destination is None:
        errors["to_location_id"] = ["Scan the location the items go to."]
    if errors:
        raise ValidationFailed("A move needs a source and a destination.", fields=errors)
    stock.check_different_places(source, destination)


def _homes(item_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(sa.select(Item.id, Item.location_id).where(Item.id.in_(item_ids))).all()
    homes = dict(rows)
    return {item_id: homes.get(item_id, 0) for item_id in item_ids}  # 0: apply_lines answers NotFound
