"""Purchase orders: draft (lines editable) -> sent -> partially_received -> received, or cancelled.

Sending records the supplier's address and queues the email with the order's PDF (after
the commit, app/jobs.py). Receiving books each line's arrival into a bin through the stock
service (a restock whose ledger row points at the order and the line) and keeps
`Item.on_order` in step. Locks are always taken in one order - the order row, its lines
by id, then items by id (the stock service), then stock levels - so receipts, sends,
cancels and ordinary movements can never deadlock.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app import events
from app.errors import Conflict, InvalidState, NotFound, ValidationFailed
from app.extensions import db
from app.models import Item, OrderState, PurchaseOrder, PurchaseOrderLine, Supplier, User
from app.models.base import utcnow
from app.models.purchasing import OPEN_STATES
from app.services import stock
from app.services.lookup import get_or_404, lock_or_404
from app.services.pagination import Page
from app.services.purchasing import reorder, suppliers
from app.services.quantities import check_places, show
from app.services.uow import locked, unit_of_work

DRAFT_ONLY_FIELDS = ("supplier_id", "expected_date", "note", "lines")


def list_orders(
    *,
    state: str | None = None,
    supplier_id: int | None = None,
    page: int = 1,
    per_page: int = 20,
    after: int | None = None,
) -> Page:
    """Orders newest first, filtered by state and supplier; `after` (the page before's last id, its
    next_key) starts below that id by the primary key instead of skipping rows (a deep page)."""
    conditions = [PurchaseOrder.state == state] if state else []
    conditions += [PurchaseOrder.supplier_id == supplier_id] if supplier_id else []
    total = db.session.execute(sa.select(sa.func.count(PurchaseOrder.id)).where(*conditions)).scalar_one()
    query = (
        sa.select(PurchaseOrder)
        .options(selectinload(PurchaseOrder.supplier))
        .where(*conditions)
        .order_by(PurchaseOrder.id.desc())
        .limit(per_page)
    )
    query = query.where(PurchaseOrder.id < after) if after else query.offset((page - 1) * per_page)
    found = Page(items=list(db.session.execute(query).scalars()), total=total, page=page, per_page=per_page)
    if len(found.items) == per_page and page * per_page < total:
        found.next_key = (found.items[-1].id,)
    return found


def get_order(order_id: int) -> PurchaseOrder:
    """Raises NotFound."""
    return get_or_404(PurchaseOrder, order_id, "Purchase order")


def create_order(data: dict[str, Any], *, actor: User) -> PurchaseOrder:
    """A draft order. Raises ValidationFailed (unknown supplier, deleted item, bad quantity)."""
    with unit_of_work():
        supplier = _supplier(data["supplier_id"])
        order = PurchaseOrder(
            supplier_id=supplier.id,
            state=OrderState.DRAFT.value,
            expected_date=data.get("expected_date") or utcnow().date() + timedelta(days=supplier.lead_time_days),
            allow_over_receipt=bool(data.get("allow_over_receipt", False)),
            note=data.get("note"),
            created_by_id=actor.id,
        )
        db.session.add(order)
        db.session.flush()
        _replace_lines(order, data.get("lines") or [])
        _published(order, actor, "created")
    return _reload(order.id)


def update_order(order_id: int, changes: dict[str, Any], *, actor: User) -> PurchaseOrder:
    """Edit a draft; once sent only `allow_over_receipt` may change. Raises NotFound, InvalidState, ValidationFailed."""
    with unit_of_work():
        order = _lock_order(order_id)
        draft_changes = [name for name in DRAFT_ONLY_FIELDS if name in changes]
        if draft_changes and order.state != OrderState.DRAFT:
            raise InvalidState(
                f"Purchase order #{order.id} is {order.state}: only a draft can be edited"
                f" ({', '.join(draft_changes)}); over-receipt may still be allowed.",
                state=order.state,
            )
        if order.state in (OrderState.RECEIVED, OrderState.CANCELLED):
            raise InvalidState(f"Purchase order #{order.id} is {order.state} and closed.", state=order.state)
        if "supplier_id" in changes:
            order.supplier_id = _supplier(changes["supplier_id"]).id
        for name in ("expected_date", "note", "allow_over_receipt"):
            if name in changes:
                setattr(order, name, changes[name])
        if "lines" in changes:
            _replace_lines(order, changes["lines"])
        order.updated_at = utcnow()
        _published(order, actor, "updated")
    return _reload(order_id)


def send(order_id: int, *, actor: User) -> PurchaseOrder:
    """Mark a draft sent (its email with the PDF goes out after the commit).

    Raises NotFound, InvalidState, Conflict (no lines, a deleted item, no supplier email).
    """
    with unit_of_work():
        order = _lock_order(order_id)
        _expect(order, (OrderState.DRAFT,), "send")
        if not order.lines:
            raise Conflict(
                f"Purchase order #{order.id} has no lines: add what to buy before sending.",
                fields={"lines": ["Add at least one line."]},
            )
        supplier = db.session.get(Supplier, order.supplier_id)
        if not supplier.email:
            raise Conflict(
                f"{supplier.name} has no email address: add one to the supplier before sending.",
                fields={"supplier_id": ["The supplier has no email address."]},
            )
        items = {item_id: _lock_item(item_id) for item_id in sorted({line.item_id for line in order.lines})}
        deleted = [item.sku for item in items.values() if item.is_deleted]
        if deleted:
            raise Conflict(
                f"Purchase order #{order.id} has lines for deleted items ({', '.join(deleted)}): remove them first.",
                fields={"lines": [f"{sku} is deleted." for sku in deleted]},
            )
        for line in order.lines:
            items[line.item_id].on_order += line.quantity
        order.state = OrderState.SENT.value
        order.sent_at = utcnow()
        order.sent_by_id = actor.id
        order.sent_to = supplier.email
        order.updated_at = order.sent_at
        _published(order, actor, "sent")
    return _reload(order_id)


def cancel(order_id: int, *, actor: User) -> PurchaseOrder:
    """Cancel an order not fully received; what remains is no longer on order. Raises NotFound, InvalidState."""
    with unit_of_work():
        order = _lock_order(order_id)
        _expect(order, (OrderState.DRAFT, OrderState.SENT, OrderState.PARTIALLY_RECEIVED), "cancel")
        if order.state in OPEN_STATES:
            items = {i: _lock_item(i) for i in sorted({line.item_id for line in order.lines})}
            for line in order.lines:
                items[line.item_id].on_order = max(items[line.item_id].on_order - line.remaining, 0)
        order.state = OrderState.CANCELLED.value
        order.closed_at = order.updated_at = utcnow()
        _published(order, actor, "cancelled")
    return _reload(order_id)


def receive(order_id: int, lines: list[dict[str, Any]], *, actor: User) -> PurchaseOrder:
    """Book what arrived: each entry {line_id, quantity, location_id} is a restock into that bin.

    Raises NotFound, InvalidState (not sent, or closed), Conflict (more than remains on a line,
    unless the order allows over-receipt), ValidationFailed (unknown line, structural location).
    """
    if not lines:
        raise ValidationFailed("Say what arrived.", fields={"lines": ["Add at least one line."]})
    with unit_of_work():
        order = _lock_order(order_id)
        _expect(order, (OrderState.SENT, OrderState.PARTIALLY_RECEIVED), "receive")
        wanted_ids = sorted({entry["line_id"] for entry in lines})
        by_id = {
            line.id: line
            for line in db.session.execute(
                locked(
                    sa.select(PurchaseOrderLine)
                    .where(PurchaseOrderLine.order_id == order.id, PurchaseOrderLine.id.in_(wanted_ids))
                    .order_by(PurchaseOrderLine.id)
                )
            ).scalars()
        }
        totals: dict[int, Decimal] = {}
        for index, entry in enumerate(lines):
            line = by_id.get(entry["line_id"])
            if line is None:
                raise ValidationFailed(
                    f"Purchase order #{order.id} has no line {entry['line_id']}.",
                    fields={f"lines.{index}.line_id": [f"Not a line of order #{order.id}."]},
                )
            totals[line.id] = totals.get(line.id, Decimal(0)) + entry["quantity"]
        for line_id, total in totals.items():
            line = by_id[line_id]
            if total > line.remaining and not order.allow_over_receipt:
                item = db.session.get(Item, line.item_id)
                raise Conflict(
                    f"Line {line.id} ({item.sku}): {show(line.remaining)} {item.unit} remain to be received, "
                    f"{show(total)} was entered. Nothing was booked; a manager can allow over-receipt on this order.",
                    fields={"quantity": [f"At most {show(line.remaining)} remain on line {line.id}."]},
                    line_id=line.id,
                    remaining=line.remaining,
                    received=line.received,
                )
        remaining_before = {line_id: by_id[line_id].remaining for line_id in totals}
        try:
            stock.add_lines(
                [(by_id[e["line_id"]].item_id, e["location_id"], e["quantity"]) for e in lines],
                actor=actor,
                note=f"Received on purchase order #{order.id}",
                purchase_order_id=order.id,
                purchase_order_line_ids=[e["line_id"] for e in lines],
                traces=[{k: e[k] for k in ("lot", "expires_on", "serials") if k in e} for e in lines],
            )
        except NotFound as exc:  # the item was deleted after the order was sent
            raise Conflict(f"Purchase order #{order.id} cannot be received: {exc.message}") from exc
        for line_id, total in totals.items():
            line = by_id[line_id]
            line.received += total
            item = db.session.get(Item, line.item_id)  # locked by add_lines
            item.on_order = max(item.on_order - min(total, remaining_before[line_id]), 0)
        db.session.flush()
        all_lines = db.session.execute(
            sa.select(PurchaseOrderLine.quantity, PurchaseOrderLine.received).where(
                PurchaseOrderLine.order_id == order.id
            )
        ).all()
        if all(received >= quantity for quantity, received in all_lines):
            order.state = OrderState.RECEIVED.value
            order.closed_at = utcnow()
        else:
            order.state = OrderState.PARTIALLY_RECEIVED.value
        order.updated_at = utcnow()
        _published(order, actor, "received")
    return _reload(order_id)


def from_suggestions(item_ids: list[int] | None, *, actor: User) -> list[PurchaseOrder]:
    """One draft per preferred supplier from the current suggestions (all, or these items).

    Raises ValidationFailed when none of them can be ordered (no suggestion, or no preferred supplier).
    """
    groups = reorder.suggestions(item_ids=item_ids)
    orderable = [group for group in groups if group.supplier is not None]
    skipped = [line.sku for group in groups if group.supplier is None for line in group.lines]
    if not orderable:
        message = "Nothing to order: none of these items is due for reordering with a preferred supplier."
        if skipped:
            message = f"No preferred supplier for {', '.join(skipped)}: add an offer on the item's page first."
        raise ValidationFailed(message, fields={"item_ids": [message]})
    created = []
    with unit_of_work():
        for group in orderable:
            order = PurchaseOrder(
                supplier_id=group.supplier.id,
                state=OrderState.DRAFT.value,
                expected_date=utcnow().date() + timedelta(days=group.supplier.lead_time_days),
                allow_over_receipt=False,
                note="From reorder suggestions",
                created_by_id=actor.id,
            )
            db.session.add(order)
            db.session.flush()
            for line in group.lines:
                db.session.add(
                    PurchaseOrderLine(
                        order_id=order.id,
                        item_id=line.item_id,
                        quantity=line.suggested_quantity,
                        unit_price=line.offer.unit_price,
                        received=0,
                    )
                )
            db.session.flush()
            _published(order, actor, "created")
            created.append(order.id)
    return [_reload(order_id) for order_id in created]


def order_total(order: PurchaseOrder) -> Decimal:
    return sum((line.quantity * line.unit_price for line in order.lines), Decimal(0))


def is_late(order: PurchaseOrder, today: date | None = None) -> bool:
    today = today or utcnow().date()
    return order.state in OPEN_STATES and order.expected_date is not None and order.expected_date < today


def _replace_lines(order: PurchaseOrder, lines: list[dict[str, Any]]) -> None:
    seen: set[int] = set()
    new_lines = []
    for index, entry in enumerate(lines):
        item = db.session.execute(
            sa.select(Item).where(Item.id == entry["item_id"], Item.is_deleted.is_(False))
        ).scalar()
        if item is None:
            raise ValidationFailed(
                f"Item {entry['item_id']} does not exist or was deleted.",
                fields={f"lines.{index}.item_id": [f"Item {entry['item_id']} does not exist or was deleted."]},
            )
        if item.id in seen:
            raise ValidationFailed(
                f"{item.sku} is on the order twice: one line per item.",
                fields={f"lines.{index}.item_id": ["Already on the order."]},
            )
        seen.add(item.id)
        check_places(item, entry["quantity"], f"lines.{index}.quantity")
        price = entry.get("unit_price")
        if price is None:
            offer = suppliers.offer_of(item.id, order.supplier_id)
            price = offer.unit_price if offer else item.price
        new_lines.append(PurchaseOrderLine(item_id=item.id, quantity=entry["quantity"], unit_price=price, received=0))
    db.session.execute(sa.delete(PurchaseOrderLine).where(PurchaseOrderLine.order_id == order.id))
    for line in new_lines:
        line.order_id = order.id
        db.session.add(line)
    db.session.flush()


def _lock_item(item_id: int) -> Item:
    """Lock an item row, deleted or not (a line may name an item deleted since), in item-id order."""
    return lock_or_404(Item, item_id, sqlite_lock=True)


def _supplier(supplier_id: int) -> Supplier:
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        raise ValidationFailed("Unknown supplier.", fields={"supplier_id": [f"Supplier {supplier_id} does not exist."]})
    return supplier


def _lock_order(order_id: int) -> PurchaseOrder:
    return lock_or_404(PurchaseOrder, order_id, "Purchase order", sqlite_lock=True)


def _expect(order: PurchaseOrder, states: tuple[OrderState, ...], verb: str) -> None:
    # Checked under the order's row lock: a second send or receipt sees the first one's result.
    if order.state not in states:
        allowed = " or ".join(s.value.replace("_", " ") for s in states)
        raise InvalidState(
            f"Purchase order #{order.id} is {order.state.replace('_', ' ')}; only a {allowed} order can be asked to {verb}.",
            state=order.state,
        )


def _published(order: PurchaseOrder, actor: User, action: str) -> None:
    db.session.flush()
    events.publish(
        "purchase_order_updated",
        {
            "purchase_order_id": order.id,
            "supplier_id": order.supplier_id,
            "state": order.state,
            "action": action,
            "actor_email": actor.email,
            "timestamp": utcnow().isoformat(),
        },
    )


def _reload(order_id: int) -> PurchaseOrder:
    order = db.session.get(PurchaseOrder, order_id, populate_existing=True)
    assert order is not None
    db.session.refresh(order, ["lines"])
    return order


def add_line(
    order_id: int, item_id: int, quantity: Decimal, unit_price: Decimal | None, *, actor: User
) -> PurchaseOrder:
    """Add (or top up) a draft's line for an item. Raises NotFound, InvalidState, ValidationFailed."""
    order = get_order(order_id)
    lines = [
        {"item_id": line.item_id, "quantity": line.quantity, "unit_price": line.unit_price} for line in order.lines
    ]
    existing = next((line for line in lines if line["item_id"] == item_id), None)
    if existing is not None:
        existing["quantity"] += quantity
        if unit_price is not None:
            existing["unit_price"] = unit_price
    else:
        lines.append({"item_id": item_id, "quantity": quantity, "unit_price": unit_price})
    return update_order(order_id, {"lines": lines}, actor=actor)


def remove_line(order_id: int, line_id: int, *, actor: User) -> PurchaseOrder:
    """Drop a draft's line. Raises NotFound, InvalidState."""
    order = get_order(order_id)
    if all(line.id != line_id for line in order.lines):
        raise NotFound(f"Purchase order #{order_id} has no line {line_id}.")
    lines = [
        {"item_id": line.item_id, "quantity": line.quantity, "unit_price": line.unit_price}
        for line in order.lines
        if line.id != line_id
    ]
    return update_order(order_id, {"lines": lines}, actor=actor)
