"""Alerts resolve themselves when stock returns to the threshold; one open alert per low item."""

import pytest
import sqlalchemy as sa

from app.errors import InsufficientStock
from app.extensions import db
from app.models import Alert, InventoryLog
from app.services import dashboard, items, stock
from tests.helpers.events import collecting

pytestmark = pytest.mark.core


def _alerts(item_id):
    return db.session.scalars(sa.select(Alert).where(Alert.item_id == item_id).order_by(Alert.id)).all()


def test_restock_to_the_threshold_resolves_the_alert_naming_who_and_which_movement(factory, ctx, app):
    item = factory.item(quantity=12, low_stock_threshold=10)
    staff = factory.actor("staff")
    stock.withdraw(item.id, 5, actor=staff)
    (alert,) = _alerts(item.id)
    assert alert.resolved_at is None
    manager = factory.actor("manager")
    with collecting(app) as seen:
        movement = stock.restock(item.id, 3, actor=manager)
    db.session.expire_all()
    (alert,) = _alerts(item.id)
    assert alert.resolved_at is not None
    assert alert.resolved_by_id == manager.id
    assert alert.resolved_by_log_id == movement.logs[-1].id
    assert alert.resolved_reason == "Stock returned to 10 pcs, at or above the threshold of 10 pcs"
    assert [name for name, _ in seen] == ["stock_changed", "alert_resolved"]
    assert seen[1][1]["alert_id"] == alert.id and seen[1][1]["user_email"] == manager.email


def test_restock_still_below_threshold_keeps_the_alert_open(factory, ctx):
    item = factory.item(quantity=2, low_stock_threshold=10)
    stock.restock(item.id, 7, actor=factory.actor("staff"))
    (alert,) = _alerts(item.id)
    assert alert.resolved_at is None


def test_going_low_again_after_a_resolution_raises_a_new_alert(factory, ctx):
    item = factory.item(quantity=2, low_stock_threshold=5)
    staff = factory.actor("staff")
    stock.restock(item.id, 10, actor=staff)
    stock.withdraw(item.id, 9, actor=staff)
    first, second = _alerts(item.id)
    assert first.resolved_at is not None and second.resolved_at is None and second.quantity == 3


def test_refused_movement_resolves_nothing(factory, ctx):
    item = factory.item(quantity=2, low_stock_threshold=5)
    with pytest.raises(InsufficientStock):
        stock.withdraw(item.id, 50, actor=factory.actor("staff"))
    (alert,) = _alerts(item.id)
    assert alert.resolved_at is None


def test_lowering_the_threshold_resolves_and_raising_it_alerts(factory, ctx):
    item = factory.item(quantity=4, low_stock_threshold=5)
    manager = factory.actor("manager")
    items.update_item(item.id, {"low_stock_threshold": 3}, actor=manager, expected_version=1, partial=True)
    (alert,) = _alerts(item.id)
    assert alert.resolved_at is not None and alert.resolved_by_id == manager.id
    assert alert.resolved_reason == "Stock returned to 4 pcs, at or above the threshold of 3 pcs"
    update = db.session.scalar(
        sa.select(InventoryLog).where(InventoryLog.item_id == item.id, InventoryLog.action == "update")
    )
    assert alert.resolved_by_log_id == update.id
    items.update_item(item.id, {"low_stock_threshold": 8}, actor=manager, expected_version=2, partial=True)
    assert [a.resolved_at is None for a in _alerts(item.id)] == [False, True]


def test_deleting_a_low_item_resolves_its_alert(factory, ctx):
    item = factory.item(quantity=1, low_stock_threshold=5)
    items.delete_item(item.id, actor=factory.actor("manager"))
    (alert,) = _alerts(item.id)
    assert alert.resolved_reason == "Item deleted"


def test_dashboard_low_stock_count_equals_open_alerts_through_every_kind_of_change(factory, ctx):
    staff = factory.actor("staff")
    manager = factory.actor("manager")
    a = factory.item(quantity=12, low_stock_threshold=10)
    b = factory.item(quantity=1, low_stock_threshold=3)  # created low
    c = factory.item(quantity=50, low_stock_threshold=5)
    d = factory.item(quantity=0, low_stock_threshold=1)
    other = factory.location("Back room")
    steps = [
        lambda: stock.withdraw(a.id, 5, actor=staff),
        lambda: stock.restock(b.id, 10, actor=staff),
        lambda: stock.transfer(c.id, c.location_id, other.id, 48, actor=staff),  # total unchanged: not low
        lambda: stock.adjust(c.id, other.id, 0, actor=staff),  # now 2 < 5
        lambda: items.update_item(a.id, {"low_stock_threshold": 7}, actor=manager, expected_version=1, partial=True),
        lambda: items.delete_item(d.id, actor=manager),
        lambda: stock.restock(a.id, 100, actor=staff),
    ]
    for step in steps:
        step()
        summary = dashboard.summary()
        assert summary["low_stock_items"] == summary["open_alerts"]
    assert dashboard.summary()["open_alerts"] == 1  # c
