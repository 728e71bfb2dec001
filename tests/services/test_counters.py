"""The maintained dashboard counters always equal a full scan of the items after a commit."""

from __future__ import annotations

import functools
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.errors import InsufficientStock
from app.extensions import db
from app.models import Category, CategoryStat, Item
from app.services import counters, dashboard, items, stock
from app.services.uow import unit_of_work
from tests.helpers.concurrency import failures, race
from tests.helpers.factories import as_actor

pytestmark = pytest.mark.core


def _scan() -> dict[int, tuple[int, int, Decimal, int]]:
    """What the counters must say, computed the slow way."""
    db.session.expire_all()
    figures: dict[int, list] = {}
    for item in db.session.scalars(sa.select(Item).where(sa.not_(Item.is_deleted))):
        row = figures.setdefault(item.category_id or 0, [0, 0, Decimal(0), 0])
        row[0] += 1
        row[1] += item.quantity
        row[2] += item.quantity * item.price
        row[3] += item.quantity < item.low_stock_threshold
    return {key: (n, units, value.quantize(Decimal("0.01")), low) for key, (n, units, value, low) in figures.items()}


def _counted() -> dict[int, tuple[int, int, Decimal, int]]:
    db.session.expire_all()
    return {
        key: (n, units, Decimal(value).quantize(Decimal("0.01")), low)
        for key, n, units, value, low in counters.by_category()
    }


def test_counters_follow_create_movements_edits_and_delete(factory, ctx):
    cat_a, cat_b = factory.category(), factory.category()
    manager = factory.user("manager")
    a = factory.item(quantity=10, category_id=cat_a.id, price=Decimal("1.25"), low_stock_threshold=5, actor=manager)
    b = factory.item(quantity=2, category_id=cat_a.id, low_stock_threshold=5, actor=manager)
    c = factory.item(quantity=7, actor=manager)  # uncategorised
    assert _counted() == _scan()
    assert _counted()[cat_a.id][3] == 1  # b is low

    actor = as_actor(manager)
    stock.withdraw(a.id, 6, actor=actor)  # a becomes low
    stock.restock(b.id, 10, actor=actor)  # b no longer low
    assert _counted() == _scan()

    item = db.session.get(Item, a.id)
    items.update_item(
        a.id,
        {"category_id": cat_b.id, "price": Decimal("9.99")},
        actor=actor,
        expected_version=item.version,
        partial=True,
    )
    item = db.session.get(Item, c.id)
    items.update_item(c.id, {"low_stock_threshold": 100}, actor=actor, expected_version=item.version, partial=True)
    assert _counted() == _scan()
    assert _counted()[0][3] == 1

    items.delete_item(b.id, actor=actor)
    assert _counted() == _scan()
    assert cat_a.id not in _counted()  # no active item left there


def test_counters_unchanged_when_a_movement_is_refused(factory, ctx):
    item = factory.item(quantity=3, price=Decimal("2.00"))
    before = _counted()
    with pytest.raises(InsufficientStock):
        stock.withdraw(item.id, 5, actor=factory.actor("staff"))
    assert _counted() == before == _scan()


def test_counters_drop_changes_of_a_rolled_back_savepoint(factory, ctx):
    item = factory.item(quantity=4, price=Decimal("2.50"))
    actor = factory.actor("manager")
    with unit_of_work():  # one transaction: the services below join it
        savepoint = db.session.begin_nested()
        stock.restock(item.id, 396, actor=actor)  # noted inside the savepoint
        savepoint.rollback()
        version = db.session.get(Item, item.id).version
        items.update_item(item.id, {"low_stock_threshold": 10}, actor=actor, expected_version=version, partial=True)
    assert _counted() == _scan()
    assert _counted()[0] == (1, 4, Decimal("10.00"), 1)


def test_an_item_changed_without_a_note_is_not_counted(factory, ctx):
    """The figures follow the writers' notes, not the ORM: a change made behind the items service's
    back is missed until rebuild(), which is why only the noted writers may change items
    (tests/test_layout.py)."""
    item = factory.item(quantity=4)
    db.session.get(Item, item.id).low_stock_threshold = 10
    db.session.commit()
    assert _counted() != _scan()
    counters.rebuild()
    db.session.commit()
    assert _counted() == _scan()


def test_dashboard_summary_and_breakdown_match_a_full_scan(factory, ctx):
    cat = factory.category("Bolts")
    factory.item(quantity=5, category_id=cat.id, price=Decimal("0.10"), low_stock_threshold=6)
    factory.item(quantity=3, price=Decimal("1.00"))
    summary = dashboard.summary()
    assert summary["total_items"] == 2
    assert summary["total_units"] == 8
    assert summary["total_value"] == 3.5
    assert summary["low_stock_items"] == 1
    breakdown = dashboard.category_breakdown()
    assert [(row["name"], row["item_count"], row["total_units"], row["total_value"]) for row in breakdown] == [
        ("Bolts", 1, 5, 0.5),
        ("Uncategorised", 1, 3, 3.0),
    ]


def test_rebuild_recomputes_counters_after_bulk_sql(factory, ctx):
    cat = factory.category()
    factory.item(quantity=5, category_id=cat.id)
    db.session.execute(sa.update(Item).values(quantity=50))  # bypasses the ORM: counters are stale
    counters.rebuild()
    db.session.commit()
    assert _counted() == _scan()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CategoryStat)) >= 1
    assert db.session.get(Category, cat.id) is not None


def test_counters_exact_after_concurrent_withdrawals_on_many_items(app, factory):
    if "sqlite" in app.config["SQLALCHEMY_DATABASE_URI"]:
        pytest.skip("row locks need PostgreSQL")
    cat = factory.category()
    staff = factory.user("staff")
    made = [factory.item(quantity=40, category_id=cat.id, low_stock_threshold=20) for _ in range(6)]

    def worker(offset: int) -> None:
        actor = as_actor(staff)
        for i in range(12):
            stock.withdraw(made[(offset + i) % len(made)].id, 1, actor=actor)

    assert failures(race([functools.partial(worker, n) for n in range(6)], app=app)) == []
    with app.app_context():
        assert _counted() == _scan()
        assert _counted()[cat.id][1] == 6 * 40 - 6 * 12
        db.session.remove()
