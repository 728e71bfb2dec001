import pytest
import sqlalchemy as sa

from app.errors import InsufficientStock
from app.extensions import db
from app.limits import MAX_QUANTITY
from app.models import Alert, InventoryLog, Item, StockLevel
from app.services import stock
from app.services.uow import unit_of_work
from tests.helpers.factories import as_actor

pytestmark = pytest.mark.core


def test_withdraw_refused_when_stock_insufficient_changes_nothing(factory, ctx):
    item = factory.item(quantity=3)
    user = factory.user("staff")
    with pytest.raises(InsufficientStock) as err:
        stock.withdraw(item.id, 5, actor=as_actor(user))
    assert err.value.extra["available"] == 3
    assert db.session.get(Item, item.id).quantity == 3
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(InventoryLog).where(InventoryLog.action == "withdraw"))
        == 0
    )


def test_restock_then_withdraw_logs_each_change_with_before_and_after(factory, ctx):
    item = factory.item(quantity=10)
    user = factory.actor("staff")
    stock.restock(item.id, 5, actor=user, note="delivery")
    stock.withdraw(item.id, 7, actor=user)
    logs = db.session.scalars(
        sa.select(InventoryLog).where(InventoryLog.item_id == item.id).order_by(InventoryLog.id)
    ).all()
    assert [(entry.action, entry.quantity_before, entry.quantity_after, entry.delta) for entry in logs] == [
        ("create", 0, 10, 10),
        ("restock", 10, 15, 5),
        ("withdraw", 15, 8, -7),
    ]
    assert db.session.get(Item, item.id).quantity == 8


def test_transfer_moves_units_and_keeps_total(factory, ctx):
    a = factory.location("A")
    b = factory.location("B")
    item = factory.item(quantity=10, location=a)
    stock.transfer(item.id, a.id, b.id, 4, actor=factory.actor("staff"))
    levels = dict(
        db.session.execute(
            sa.select(StockLevel.location_id, StockLevel.quantity).where(StockLevel.item_id == item.id)
        ).all()
    )
    assert levels == {a.id: 6, b.id: 4}
    assert db.session.get(Item, item.id).quantity == 10


def test_alert_written_once_when_crossing_below_threshold(factory, ctx):
    item = factory.item(quantity=12, low_stock_threshold=10)
    user = factory.actor("staff")
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


# --- more of the stock service: locations, all-or-nothing batches, limits, events ---

from app import events  # noqa: E402
from app.errors import NotFound, ValidationFailed  # noqa: E402


@pytest.fixture()
def published(app):
    """Events delivered to subscribers (after commit) during the test."""
    seen = []

    def collect(name, payload):
        seen.append((name, payload))

    events.subscribe(app, collect)
    yield seen
    app.extensions["event_subscribers"].remove(collect)


def _levels(item_id):
    rows = db.session.execute(
        sa.select(StockLevel.location_id, StockLevel.quantity).where(StockLevel.item_id == item_id)
    )
    return dict(rows.all())


def _ledger_sum(item_id):
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(InventoryLog.delta), 0)).where(InventoryLog.item_id == item_id)
    )


def test_withdraw_from_named_location_leaves_home_untouched(factory, ctx):
    home, other = factory.location("Home"), factory.location("Other")
    item = factory.item(quantity=5, location=home)
    user = factory.actor("staff")
    stock.restock(item.id, 4, actor=user, location_id=other.id)
    stock.withdraw(item.id, 3, actor=user, location_id=other.id)
    assert _levels(item.id) == {home.id: 5, other.id: 1}
    assert db.session.get(Item, item.id).quantity == 6 == _ledger_sum(item.id)


def test_withdraw_at_location_without_stock_is_insufficient_even_if_home_has_plenty(factory, ctx):
    home, other = factory.location(), factory.location()
    item = factory.item(quantity=50, location=home)
    with pytest.raises(InsufficientStock) as err:
        stock.withdraw(item.id, 1, actor=factory.actor("staff"), location_id=other.id)
    assert err.value.extra["available"] == 0
    db.session.rollback()
    assert _levels(item.id) == {home.id: 50}


def test_adjust_sets_counted_quantity_and_logs_signed_difference(factory, ctx):
    item = factory.item(quantity=10)
    movement = stock.adjust(item.id, item.location_id, 13, actor=factory.actor("manager"), note="Found a box")
    (entry,) = movement.logs
    assert (entry.action, entry.quantity_before, entry.quantity_after, entry.delta, entry.note) == (
        "adjust",
        10,
        13,
        3,
        "Found a box",
    )
    assert db.session.get(Item, item.id).quantity == 13 == _ledger_sum(item.id)


def test_adjust_below_threshold_raises_alert(factory, ctx):
    item = factory.item(quantity=10, low_stock_threshold=5)
    movement = stock.adjust(item.id, item.location_id, 2, actor=factory.actor("manager"), note="Count")
    assert movement.alert is not None and movement.alert.quantity == 2


def test_transfer_refused_when_source_short_changes_nothing(factory, ctx):
    a, b = factory.location(), factory.location()
    item = factory.item(quantity=2, location=a)
    with pytest.raises(InsufficientStock):
        stock.transfer(item.id, a.id, b.id, 3, actor=factory.actor("staff"))
    db.session.rollback()
    assert _levels(item.id) == {a.id: 2}
    assert db.session.scalar(sa.select(sa.func.count(InventoryLog.id)).where(InventoryLog.action == "transfer")) == 0


def test_transfer_to_unknown_location_is_refused(factory, ctx):
    item = factory.item(quantity=2)
    with pytest.raises(ValidationFailed):
        stock.transfer(item.id, item.location_id, 99999, 1, actor=factory.actor("staff"))


def test_restock_beyond_countable_limit_is_refused(factory, ctx):
    item = factory.item(quantity=MAX_QUANTITY - 1)
    with pytest.raises(ValidationFailed):
        stock.restock(item.id, 2, actor=factory.actor("staff"))
    db.session.rollback()
    assert db.session.get(Item, item.id).quantity == MAX_QUANTITY - 1


def test_movements_of_deleted_or_unknown_item_are_not_found(factory, ctx):
    from app.services import items

    item = factory.item(quantity=3)
    user = factory.actor("manager")
    items.delete_item(item.id, actor=user)
    for call in (lambda: stock.restock(item.id, 1, actor=user), lambda: stock.withdraw(99999, 1, actor=user)):
        with pytest.raises(NotFound):
            call()


def test_apply_lines_is_all_or_nothing_and_names_every_short_line(factory, ctx):
    from app.services.uow import unit_of_work

    loc = factory.location()
    plenty = factory.item(quantity=10, location=loc)
    short = factory.item(quantity=1, location=loc)
    user = factory.actor("staff")
    with pytest.raises(InsufficientStock) as err, unit_of_work():
        stock.apply_lines([(plenty.id, loc.id, None, 4), (short.id, loc.id, None, 2)], "withdraw", actor=user)
    assert [(s["item_id"], s["requested"], s["available"]) for s in err.value.extra["shortages"]] == [(short.id, 2, 1)]
    assert db.session.get(Item, plenty.id).quantity == 10
    with unit_of_work():
        stock.apply_lines([(plenty.id, loc.id, None, 4), (short.id, loc.id, None, 1)], "withdraw", actor=user)
    assert (db.session.get(Item, plenty.id).quantity, db.session.get(Item, short.id).quantity) == (6, 0)
    assert _ledger_sum(plenty.id) == 6 and _ledger_sum(short.id) == 0


def test_apply_lines_refuses_a_transfer_line_into_its_own_source(factory, ctx):
    """Without the check the destination's +3 replaced the source's -3: stock out of nothing."""
    from app.errors import ValidationFailed
    from app.services.uow import unit_of_work

    loc = factory.location()
    item = factory.item(quantity=5, location=loc)
    user = factory.actor("manager")
    with pytest.raises(ValidationFailed) as err, unit_of_work():
        stock.apply_lines([(item.id, loc.id, loc.id, 3)], "transfer", actor=user)
    assert list(err.value.fields) == ["to_location_id"]
    db.session.expire_all()
    assert db.session.get(Item, item.id).quantity == 5 and _ledger_sum(item.id) == 5


def test_stock_changed_event_is_delivered_after_commit(factory, ctx, published):
    item = factory.item(quantity=5)
    published.clear()
    stock.withdraw(item.id, 2, actor=factory.actor("staff"))
    names = [name for name, _payload in published]
    assert names == ["stock_changed"]
    payload = published[0][1]
    assert (payload["item_id"], payload["quantity_before"], payload["quantity_after"], payload["delta"]) == (
        item.id,
        5,
        3,
        -2,
    )
    assert payload["item_quantity"] == 3 and payload["action"] == "withdraw"


def test_events_of_a_refused_movement_are_dropped(factory, ctx, published):
    item = factory.item(quantity=1)
    published.clear()
    with pytest.raises(InsufficientStock):
        stock.withdraw(item.id, 2, actor=factory.actor("staff"))
    assert published == []


def test_low_stock_alert_event_follows_the_crossing(factory, ctx, published):
    item = factory.item(quantity=3, low_stock_threshold=3)
    published.clear()
    movement = stock.withdraw(item.id, 1, actor=factory.actor("staff"))
    names = [name for name, _payload in published]
    assert names == ["stock_changed", "low_stock_alert"]
    assert published[1][1]["alert_id"] == movement.alert.id and published[1][1]["quantity"] == 2


def test_item_created_below_threshold_raises_an_alert(factory, ctx):
    item = factory.item(quantity=1, low_stock_threshold=4)
    alert = db.session.scalar(sa.select(Alert).where(Alert.item_id == item.id))
    assert alert is not None and alert.quantity == 1 and alert.threshold == 4


def test_same_idempotency_key_run_twice_moves_once_and_replays_the_first_answer(factory, ctx):
    from app.models import IdempotencyRecord
    from app.services import idempotency
    from app.services.idempotency import IdempotencyKey

    item = factory.item(quantity=10)
    user = factory.actor("staff")
    key = IdempotencyKey.from_request("k-1", "POST", f"/api/v1/items/{item.id}/withdraw", {"quantity": 1})

    def answer(movement):
        return {"quantity": movement.item.quantity}

    first = idempotency.run_once(user.id, key, lambda: stock.withdraw(item.id, 1, actor=user), answer)
    again = idempotency.run_once(user.id, key, lambda: stock.withdraw(item.id, 1, actor=user), answer)
    assert (first.body, first.replayed) == ({"quantity": 9}, False)
    assert (again.body, again.replayed) == ({"quantity": 9}, True)
    assert db.session.get(Item, item.id).quantity == 9
    stored = db.session.scalar(sa.select(IdempotencyRecord).where(IdempotencyRecord.key == "k-1"))
    assert stored.response == {"quantity": 9}


def test_refused_movement_under_an_idempotency_key_stores_no_answer(factory, ctx):
    from app.errors import InsufficientStock
    from app.models import IdempotencyRecord
    from app.services import idempotency
    from app.services.idempotency import IdempotencyKey

    item = factory.item(quantity=1)
    user = factory.actor("staff")
    key = IdempotencyKey.from_request("k-2", "POST", f"/api/v1/items/{item.id}/withdraw", {"quantity": 5})
    with pytest.raises(InsufficientStock):
        idempotency.run_once(user.id, key, lambda: stock.withdraw(item.id, 5, actor=user), lambda m: {})
    assert db.session.scalar(sa.select(sa.func.count(IdempotencyRecord.id))) == 0


def test_item_initial_stock_is_a_level_and_a_ledger_row_written_by_the_stock_module(factory, ctx):
    item = factory.item(quantity=7)
    levels = db.session.execute(
        sa.select(StockLevel.location_id, StockLevel.quantity).where(StockLevel.item_id == item.id)
    ).all()
    assert levels == [(item.location_id, 7)]
    row = db.session.scalar(sa.select(InventoryLog).where(InventoryLog.item_id == item.id))
    assert (row.action, row.quantity_before, row.quantity_after, row.note) == ("create", 0, 7, "Item created")


def test_update_item_checks_version_and_staff_fields(factory, ctx):
    from app.errors import PermissionDenied, StaleVersion
    from app.services import items

    item = factory.item(quantity=2)
    staff = factory.actor("staff")
    with pytest.raises(PermissionDenied):
        items.update_item(item.id, {"name": "X"}, actor=staff, expected_version=1, partial=True)
    updated = items.update_item(item.id, {"unit": "box"}, actor=staff, expected_version=1, partial=True)
    assert (updated.unit, updated.version, updated.quantity) == ("box", 2, 2)
    with pytest.raises(StaleVersion) as err:
        items.update_item(item.id, {"unit": "kg"}, actor=staff, expected_version=1, partial=True)
    assert err.value.extra["current_version"] == 2


def test_update_with_no_real_change_keeps_version_and_writes_no_log(factory, ctx):
    from app.services import items

    item = factory.item(quantity=2, unit="pcs")
    manager = factory.actor("manager")
    same = items.update_item(item.id, {"unit": "pcs"}, actor=manager, expected_version=1, partial=True)
    assert same.version == 1
    assert db.session.scalar(sa.select(sa.func.count(InventoryLog.id)).where(InventoryLog.action == "update")) == 0


def test_a_movement_inside_a_rolled_back_savepoint_leaves_the_loaded_item_as_the_database_has_it(factory, ctx):
    """The stock service writes with Core statements and gives the loaded objects their new values
    itself; a savepoint rolled back after it (an import's refused row) must not leave them stale."""
    item = factory.item(quantity=10)
    user = factory.actor("staff")
    with unit_of_work():  # as an import's batch: the movement joins it
        loaded = db.session.get(Item, item.id)
        try:
            with db.session.begin_nested():
                stock.withdraw(item.id, 4, actor=user)
                assert loaded.quantity == 6
                raise RuntimeError("the row is refused after its movement")
        except RuntimeError:
            pass
        assert loaded.quantity == 10
        level = db.session.scalars(sa.select(StockLevel).where(StockLevel.item_id == item.id)).one()
        assert level.quantity == 10
        stock.withdraw(item.id, 10, actor=user)
    assert db.session.get(Item, item.id).quantity == 0
