import pytest
import sqlalchemy as sa

from app.errors import InsufficientStock
from app.extensions import db
from app.models import Alert, InventoryLog, Item, StockLevel, User
from app.services import stock

pytestmark = pytest.mark.core


def _actor(user):
    return db.session.get(User, user.id)


def test_withdraw_refused_when_stock_insufficient_changes_nothing(factory, ctx):
    item = factory.item(quantity=3)
    user = factory.user("staff")
    with pytest.raises(InsufficientStock) as err:
        stock.withdraw(item.id, 5, actor=_actor(user))
    assert err.value.extra["available"] == 3
    assert db.session.get(Item, item.id).quantity == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InventoryLog).where(InventoryLog.action == "withdraw")) == 0


def test_restock_then_withdraw_logs_each_change_with_before_and_after(factory, ctx):
    item = factory.item(quantity=10)
    user = _actor(factory.user("staff"))
    stock.restock(item.id, 5, actor=user, note="delivery")
    stock.withdraw(item.id, 7, actor=user)
    logs = db.session.scalars(sa.select(InventoryLog).where(InventoryLog.item_id == item.id).order_by(InventoryLog.id)).all()
    assert [(l.action, l.quantity_before, l.quantity_after, l.delta) for l in logs] == [
        ("create", 0, 10, 10),
        ("restock", 10, 15, 5),
        ("withdraw", 15, 8, -7),
    ]
    assert db.session.get(Item, item.id).quantity == 8


def test_transfer_moves_units_and_keeps_total(factory, ctx):
    a = factory.location("A")
    b = factory.location("B")
    item = factory.item(quantity=10, location=a)
    stock.transfer(item.id, a.id, b.id, 4, actor=_actor(factory.user("staff")))
    levels = dict(db.session.execute(sa.select(StockLevel.location_id, StockLevel.quantity).where(StockLevel.item_id == item.id)).all())
    assert levels == {a.id: 6, b.id: 4}
    assert db.session.get(Item, item.id).quantity == 10


def test_alert_written_once_when_crossing_below_threshold(factory, ctx):
    item = factory.item(quantity=12, low_stock_threshold=10)
    user = _actor(factory.user("staff"))
    stock.withdraw(item.id, 2, actor=user)  # 10: not below
    assert db.session.scalar(sa.select(sa.func.count(Alert.id))) == 0
    movement = stock.withdraw(item.id, 1, actor=user)  # 9: crosses
    assert movement.alert is not None
    stock.withdraw(item.id, 1, actor=user)  # 8: already below, no new alert
    assert db.session.scalar(sa.select(sa.func.count(Alert.id))) == 1


def test_ledger_rows_cannot_be_updated_or_deleted(factory, ctx):
    factory.item(quantity=1)
    with pytest.raises(sa.exc.DBAPIError):
        db.session.execute(sa.text("UPDATE inventory_logs SET delta = 99"))
    db.session.rollback()
    with pytest.raises(sa.exc.DBAPIError):
        db.session.execute(sa.text("DELETE FROM inventory_logs"))
    db.session.rollback()
