"""Carts and stock requests through the services, on the real database."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from app.errors import Conflict, InsufficientStock, InvalidState, PermissionDenied, ValidationFailed
from app.extensions import db
from app.models import Alert, InventoryLog, Item, StockLevel, StockRequest
from app.services.requests import carts
from app.services.requests import workflow as requests
from tests.helpers.concurrency import race
from tests.helpers.events import collecting
from tests.helpers.factories import as_actor

pytestmark = pytest.mark.core
on_postgres = pytest.mark.skipif(os.environ.get("TEST_DB") == "sqlite", reason="row locks need PostgreSQL")


def _level(item_id: int, location_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(StockLevel.quantity).where(StockLevel.item_id == item_id, StockLevel.location_id == location_id)
        )
        or 0
    )


def _request_logs(request_id: int) -> list[InventoryLog]:
    return db.session.scalars(
        sa.select(InventoryLog).where(InventoryLog.stock_request_id == request_id).order_by(InventoryLog.id)
    ).all()


@pytest.fixture()
def published(app):
    """Request events delivered to subscribers (only ever after a commit)."""
    with collecting(app, "request_") as seen:
        yield seen


def test_pick_request_full_life_moves_stock_once_with_request_id_on_each_ledger_row(factory, ctx, published):
    home = factory.location("Main")
    bolts = factory.item(quantity=10, location=home)
    nuts = factory.item(quantity=5, location=home)
    staff, manager = factory.actor("staff"), factory.actor("manager")

    carts.add_line(staff, bolts.id, 4)
    carts.add_line(staff, nuts.id, 5, home.id)
    req = requests.submit(staff, kind="pick", note="order 1001")
    assert carts.get_cart(staff).lines == []
    assert [(n, p["state"], p["line_count"]) for n, p in published] == [("request_submitted", "submitted", 2)]

    req = requests.approve(req.id, actor=manager)
    assert req.state == "approved"
    assert (_level(bolts.id, home.id), _level(nuts.id, home.id)) == (6, 0)
    logs = _request_logs(req.id)
    assert [(log.item_id, log.action, log.delta) for log in logs] == [
        (bolts.id, "withdraw", -4),
        (nuts.id, "withdraw", -5),
    ]
    name, payload = published[-1]
    expected = {
        "request_id": req.id,
        "kind": "pick",
        "state": "approved",
        "author_email": staff.email,
        "decided_by_email": manager.email,
        "reason": None,
        "line_count": 2,
    }
    assert name == "request_decided"
    assert {key: payload[key] for key in expected} == expected and payload["timestamp"]

    req = requests.fulfil(req.id, actor=staff)
    assert req.state == "fulfilled"
    assert [event.state for event in req.history] == ["submitted", "approved", "fulfilled"]
    assert _level(bolts.id, home.id) == 6
    assert len(_request_logs(req.id)) == 2


def test_transfer_request_full_life_moves_units_to_destination(factory, ctx):
    a, b = factory.location("A"), factory.location("B")
    item = factory.item(quantity=8, location=a)
    staff, manager = factory.actor("staff"), factory.actor("manager")
    carts.add_line(staff, item.id, 3, a.id)
    req = requests.submit(staff, kind="transfer", destination_location_id=b.id)

    requests.approve(req.id, actor=manager)
    requests.fulfil(req.id, actor=manager)

    assert (_level(item.id, a.id), _level(item.id, b.id)) == (5, 3)
    assert db.session.get(Item, item.id).quantity == 8
    rows = _request_logs(req.id)
    assert sorted((log.location_id, log.action, log.delta) for log in rows) == sorted(
        [(a.id, "transfer", -3), (b.id, "transfer", 3)]
    )
    assert db.session.get(StockRequest, req.id).state == "fulfilled"


def test_approval_refused_when_short_names_every_short_line_and_moves_nothing(factory, ctx):
    home = factory.location("Main")
    plenty = factory.item(quantity=50, location=home)
    few = factory.item(quantity=2, location=home)
    none = factory.item(quantity=0, location=home)
    staff, manager = factory.actor("staff"), factory.actor("manager")
    for item, qty in ((plenty, 5), (few, 3), (none, 1)):
        carts.add_line(staff, item.id, qty)
    req = requests.submit(staff, kind="pick")

    with pytest.raises(InsufficientStock) as refused:
        requests.approve(req.id, actor=manager)

    shortages = {s["item_id"]: (s["requested"], s["available"]) for s in refused.value.extra["shortages"]}
    assert shortages == {few.id: (3, 2), none.id: (1, 0)}
    assert all(s["location_name"] == "Main" and s["sku"] for s in refused.value.extra["shortages"])
    assert (_level(plenty.id, home.id), _level(few.id, home.id)) == (50, 2)
    assert _request_logs(req.id) == []
    assert db.session.get(StockRequest, req.id).state == "submitted"
    assert [line.item_id for line in requests.describe(requests.get_request(req.id, viewer=manager)).short_lines] == [
        few.id,
        none.id,
    ]


def test_rejected_request_moves_nothing_and_keeps_its_reason(factory, ctx, published):
    item = factory.item(quantity=5)
    staff, manager = factory.actor("staff"), factory.actor("manager")
    carts.add_line(staff, item.id, 2)
    req = requests.submit(staff, kind="pick")

    with pytest.raises(ValidationFailed) as blank:
        requests.reject(req.id, actor=manager, reason="   ")
    assert "reason" in blank.value.fields
    req = requests.reject(req.id, actor=manager, reason="Order was cancelled by the customer")

    assert (req.state, req.reason, req.decided_by_id) == ("rejected", "Order was cancelled by the customer", manager.id)
    assert db.session.get(Item, item.id).quantity == 5
    assert _request_logs(req.id) == []
    assert published[-1][1]["reason"] == "Order was cancelled by the customer"
    with pytest.raises(InvalidState):
        requests.approve(req.id, actor=manager)
    assert db.session.get(Item, item.id).quantity == 5


def test_cancel_allowed_to_author_only_while_submitted_and_moves_nothing(factory, ctx):
    item = factory.item(quantity=5)
    author, other = factory.actor("staff"), factory.actor("staff")
    manager = factory.actor("manager")
    carts.add_line(author, item.id, 2)
    req = requests.submit(author, kind="pick")

    with pytest.raises(PermissionDenied):
        requests.cancel(req.id, actor=other)
    with pytest.raises(PermissionDenied):
        requests.cancel(req.id, actor=manager)
    assert requests.cancel(req.id, actor=author).state == "cancelled"
    with pytest.raises(InvalidState):
        requests.cancel(req.id, actor=author)
    with pytest.raises(InvalidState):
        requests.approve(req.id, actor=manager)
    assert db.session.get(Item, item.id).quantity == 5
    assert _request_logs(req.id) == []


def test_approving_twice_in_a_row_moves_stock_once(factory, ctx):
    item = factory.item(quantity=10)
    staff, manager = factory.actor("staff"), factory.actor("manager")
    carts.add_line(staff, item.id, 4)
    req = requests.submit(staff, kind="pick")
    requests.approve(req.id, actor=manager)
    with pytest.raises(InvalidState) as again:
        requests.approve(req.id, actor=manager)
    assert again.value.extra["state"] == "approved"
    assert db.session.get(Item, item.id).quantity == 6
    assert len(_request_logs(req.id)) == 1


def test_cart_keeps_over_stock_lines_flagged_and_merges_same_item_and_location(factory, ctx):
    a, b = factory.location("A"), factory.location("B")
    item = factory.item(quantity=3, location=a)
    staff = factory.actor("staff")
    first = carts.add_line(staff, item.id, 2)
    again = carts.add_line(staff, item.id, 2, a.id)
    elsewhere = carts.add_line(staff, item.id, 1, b.id)

    assert again.id == first.id and (again.quantity, again.available, again.short) == (4, 3, True)
    assert (elsewhere.available, elsewhere.short) == (0, True)
    moved = carts.update_line(staff, elsewhere.id, location_id=a.id)  # merges into the first line
    assert (moved.id, moved.quantity) == (first.id, 5)
    assert len(carts.get_cart(staff).lines) == 1
    assert carts.update_line(staff, first.id, quantity=3).short is False
    carts.clear(staff)
    assert carts.get_cart(staff).lines == []


def test_cart_line_refused_for_unknown_item_or_location(factory, ctx):
    item = factory.item(quantity=3)
    staff = factory.actor("staff")
    with pytest.raises(ValidationFailed) as bad_item:
        carts.add_line(staff, 99999, 1)
    assert "item_id" in bad_item.value.fields
    with pytest.raises(ValidationFailed) as bad_location:
        carts.add_line(staff, item.id, 1, 99999)
    assert "location_id" in bad_location.value.fields


def test_submit_refused_for_empty_cart_or_bad_transfer_destination(factory, ctx):
    a = factory.location("A")
    item = factory.item(quantity=3, location=a)
    staff = factory.actor("staff")
    with pytest.raises(Conflict):
        requests.submit(staff, kind="pick")
    carts.add_line(staff, item.id, 1)
    with pytest.raises(ValidationFailed) as missing:
        requests.submit(staff, kind="transfer")
    assert "destination_location_id" in missing.value.fields
    with pytest.raises(ValidationFailed) as same:
        requests.submit(staff, kind="transfer", destination_location_id=a.id)
    assert "destination_location_id" in same.value.fields
    assert len(carts.get_cart(staff).lines) == 1  # a refused submit keeps the cart


def test_approval_raises_low_stock_alert_as_any_movement(factory, ctx):
    item = factory.item(quantity=10, low_stock_threshold=5)
    staff, manager = factory.actor("staff"), factory.actor("manager")
    carts.add_line(staff, item.id, 7)
    requests.approve(requests.submit(staff, kind="pick").id, actor=manager)
    alerts = db.session.scalars(sa.select(Alert).where(Alert.item_id == item.id)).all()
    assert [(alert.quantity, alert.threshold) for alert in alerts] == [(3, 5)]


def _outcome(result) -> str:
    return type(result).__name__ if isinstance(result, Exception) else result


@on_postgres
def test_two_managers_approving_competing_requests_at_once_one_applies_fully_other_moves_nothing(app, factory, ctx):
    home = factory.location("Main")
    scarce = factory.item(quantity=5, location=home)
    spare = factory.item(quantity=100, location=home)
    first, second = factory.actor("staff"), factory.actor("staff")
    managers = [factory.user("manager"), factory.user("manager")]
    ids = []
    for author in (first, second):
        carts.add_line(author, spare.id, 10)
        carts.add_line(author, scarce.id, 4)
        ids.append(requests.submit(author, kind="pick").id)
    db.session.remove()

    def approver(request_id: int, manager):
        return lambda: requests.approve(request_id, actor=as_actor(manager)).state

    results = race([approver(ids[0], managers[0]), approver(ids[1], managers[1])], app=app)

    assert sorted(_outcome(r) for r in results) == ["InsufficientStock", "approved"]
    winner = ids[results.index("approved")]
    loser = ids[1 - results.index("approved")]
    failure = next(r for r in results if isinstance(r, InsufficientStock))
    assert [(s["item_id"], s["requested"], s["available"]) for s in failure.extra["shortages"]] == [(scarce.id, 4, 1)]
    assert (_level(scarce.id, home.id), _level(spare.id, home.id)) == (1, 90)
    assert len(_request_logs(winner)) == 2 and _request_logs(loser) == []
    assert db.session.get(StockRequest, loser).state == "submitted"


@on_postgres
def test_same_request_approved_by_two_managers_at_once_moves_stock_once(app, factory, ctx):
    item = factory.item(quantity=10)
    staff = factory.actor("staff")
    managers = [factory.user("manager"), factory.user("manager")]
    carts.add_line(staff, item.id, 6)
    request_id = requests.submit(staff, kind="pick").id
    db.session.remove()

    def approver(manager):
        return lambda: requests.approve(request_id, actor=as_actor(manager)).state

    results = race([approver(managers[0]), approver(managers[1])], app=app)

    assert sorted(_outcome(r) for r in results) == ["InvalidState", "approved"]
    assert db.session.get(Item, item.id).quantity == 4
    assert len(_request_logs(request_id)) == 1
