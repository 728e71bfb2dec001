"""A small world of objects every endpoint can point at (the role matrices of API and pages)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa


@dataclass
class World:
    """Objects every endpoint can point at: ids for path templates and bodies."""

    location_id: int
    location2_id: int
    spare_location_id: int
    category_id: int
    spare_category_id: int
    item_id: int
    low_item_id: int
    alert_id: int
    user_id: int
    user_email: str
    refresh_token: str
    # Carts and requests (tests/api/test_requests.py): the actor's own cart line and requests.
    cart_line_id: int = 0
    request_id: int = 0
    approved_request_id: int = 0
    import_id: int = 0  # a validated import of one new item (tests/api/test_imports.py)
    # Purchasing: a supplier offering item and low item (the low one is due for reordering),
    # a supplier with nothing attached, a draft order and a sent one with its line.
    supplier_id: int = 0
    spare_supplier_id: int = 0
    order_id: int = 0
    sent_order_id: int = 0
    order_line_id: int = 0
    # Stock counts: an open count of location_id, a submitted one of location2_id with one counted line.
    count_id: int = 0
    submitted_count_id: int = 0
    count_line_id: int = 0
    # Traceability (issue 27): a lot of a lot-tracked item; a serial-tracked item with one unit in stock.
    lot_id: int = 0
    serial_item_id: int = 0
    serial: str = ""

    def path_args(self) -> dict[str, int]:
        return {
            "item_id": self.item_id,
            "user_id": self.user_id,
            "category_id": self.category_id,
            "location_id": self.location_id,
            "alert_id": self.alert_id,
            "line_id": self.cart_line_id,
            "request_id": self.request_id,
            "import_id": self.import_id,
            "supplier_id": self.supplier_id,
            "order_id": self.order_id,
            "count_id": self.count_id,
            "lot_id": self.lot_id,
        }


def build_world(app, factory, actor=None) -> World:
    from app.auth import issue_tokens
    from app.extensions import db
    from app.models import Alert, User

    actor = actor or factory.user("manager")
    loc, loc2, spare_loc = factory.location(), factory.location(), factory.location()
    cat, spare_cat = factory.category(), factory.category()
    item = factory.item(quantity=10, location=loc, category_id=cat.id, actor=actor)
    low = factory.item(quantity=0, low_stock_threshold=5, location=loc, actor=actor)
    target = factory.user("staff")
    buyer = actor if actor.role != "staff" else factory.user("manager")
    with app.test_request_context():
        alert_id = db.session.scalar(sa.select(Alert.id).where(Alert.item_id == low.id))
        refresh = issue_tokens(db.session.get(User, target.id))["refresh_token"]
        request_ids = _requests_world(
            db.session.get(User, actor.id), factory.item(quantity=10, location=loc, actor=actor)
        )
        import_id = _import_world(db.session.get(User, actor.id), loc)
        purchasing_ids = _purchasing_world(db.session.get(User, buyer.id), item.id, low.id)
        count_ids = _counts_world(db.session.get(User, actor.id), loc, loc2, item)
        db.session.remove()
    trace_ids = _trace_world(app, factory, actor, loc)
    return World(
        **trace_ids,
        **request_ids,
        **purchasing_ids,
        **count_ids,
        import_id=import_id,
        location_id=loc.id,
        location2_id=loc2.id,
        spare_location_id=spare_loc.id,
        category_id=cat.id,
        spare_category_id=spare_cat.id,
        item_id=item.id,
        low_item_id=low.id,
        alert_id=alert_id,
        user_id=target.id,
        user_email=target.email,
        refresh_token=refresh,
    )


def _trace_world(app, factory, actor, location) -> dict:
    """A lot item with lot W-LOT (5 units) and a serial item with unit W-SN-1, both at `location`."""
    from app.extensions import db
    from app.models import User
    from app.services import stock

    lot_item = factory.item(tracking="lot", location=location, actor=actor)
    serial_item = factory.item(tracking="serial", location=location, actor=actor)
    with app.test_request_context():
        user = db.session.get(User, actor.id)
        lot_id = stock.restock(lot_item.id, 5, actor=user, lot="W-LOT").lots[0]["lot_id"]
        stock.restock(serial_item.id, actor=user, serials=["W-SN-1"])
        db.session.remove()
    return {"lot_id": lot_id, "serial_item_id": serial_item.id, "serial": "W-SN-1"}


def _import_world(actor, location) -> int:
    """A validated import creating one item at `location`."""
    from app.services.imports import runs as imports

    content = f"SKU,Name,Location\nW-IMPORT-1,Imported thing,{location.name}\n".encode()
    return imports.upload("world.csv", content, actor=actor).id


def _counts_world(actor, location, location2, item) -> dict[str, int]:
    """An open count of `location`; a submitted count of `location2` with `item` counted there."""
    from app.services.counts import counting as counts

    open_id = counts.open_count(location_id=location.id, actor=actor).id
    submitted = counts.open_count(location_id=location2.id, actor=actor).id
    line = counts.record_line(submitted, item_id=item.id, location_id=location2.id, counted=0, actor=actor)
    counts.submit(submitted, actor=actor)
    return {"count_id": open_id, "submitted_count_id": submitted, "count_line_id": line.id}


def _requests_world(actor, spare_item) -> dict[str, int]:
    """A submitted and an approved request by `actor`, and one line left in their cart."""
    from app.services.requests import carts
    from app.services.requests import workflow as requests

    carts.add_line(actor, spare_item.id, 1)
    approved = requests.submit(actor, kind="pick").id
    requests.approve(approved, actor=actor)
    carts.add_line(actor, spare_item.id, 1)
    submitted = requests.submit(actor, kind="pick").id
    line = carts.add_line(actor, spare_item.id, 1)
    return {"cart_line_id": line.id, "request_id": submitted, "approved_request_id": approved}


def _purchasing_world(actor, item_id: int, low_item_id: int) -> dict[str, int]:
    from decimal import Decimal

    from app.services import items
    from app.services.purchasing import orders as purchasing
    from app.services.purchasing import suppliers

    supplier = suppliers.create_supplier(
        {"name": "World Supplies", "email": "orders@world.example", "lead_time_days": 3}
    )
    spare = suppliers.create_supplier({"name": "Spare Supplies"})
    for offered in (item_id, low_item_id):
        suppliers.add_offer(
            offered, {"supplier_id": supplier.id, "pack_size": Decimal(5), "unit_price": Decimal("1.5")}
        )
    low = items.get_item(low_item_id)
    items.update_item(
        low_item_id, {"reorder_quantity": Decimal(10)}, actor=actor, expected_version=low.version, partial=True
    )
    lines = [{"item_id": item_id, "quantity": Decimal(4)}]
    draft = purchasing.create_order({"supplier_id": supplier.id, "lines": lines}, actor=actor)
    sent = purchasing.create_order({"supplier_id": supplier.id, "lines": lines}, actor=actor)
    purchasing.send(sent.id, actor=actor)
    return {
        "supplier_id": supplier.id,
        "spare_supplier_id": spare.id,
        "order_id": draft.id,
        "sent_order_id": sent.id,
        "order_line_id": sent.lines[0].id,
    }
