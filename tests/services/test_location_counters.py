"""Each location's maintained subtree figures equal a full count of its subtree after every kind of change,
and the inventory list's location filter gives the same page and total by either plan."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.errors import InsufficientStock
from app.extensions import db
from app.models import Item, Location, StockLevel
from app.models.location import subtree_upper
from app.services import item_list, items, location_counters, location_recount, locations, stock

pytestmark = pytest.mark.core


def _counted_slowly(location_id: int) -> tuple[int, int, Decimal]:
    """(items with stock, items placed, units) of a subtree, from the items and levels themselves."""
    db.session.expire_all()
    top = db.session.get(Location, location_id)
    inside = {
        loc.id
        for loc in db.session.scalars(
            sa.select(Location).where(
                Location.path_key >= top.path_key, Location.path_key < subtree_upper(top.path_key)
            )
        )
    }
    with_stock, placed, units = set(), set(), Decimal(0)
    for item in db.session.scalars(sa.select(Item).where(sa.not_(Item.is_deleted))):
        if item.location_id in inside:
            placed.add(item.id)
        for level in db.session.scalars(sa.select(StockLevel).where(StockLevel.item_id == item.id)):
            if level.location_id in inside and level.quantity > 0:
                with_stock.add(item.id)
                placed.add(item.id)
                units += level.quantity
    return len(with_stock), len(placed), units


def _agree(*location_ids: int) -> None:
    for location_id in location_ids:
        db.session.expire_all()
        items_, placed, units = location_counters.subtree(location_id)
        assert (items_, placed, Decimal(units)) == _counted_slowly(location_id), location_id


@pytest.fixture
def shelves(factory):
    """Site > Aisle > {Shelf 1 > bins a, b; Shelf 2 > bin c}; Store > bin d."""
    site = factory.location("Site", is_structural=True)
    aisle = factory.location("Aisle", parent_id=site.id, is_structural=True)
    shelf1 = factory.location("Shelf 1", parent_id=aisle.id, is_structural=True)
    shelf2 = factory.location("Shelf 2", parent_id=aisle.id, is_structural=True)
    a = factory.location("A", parent_id=shelf1.id)
    b = factory.location("B", parent_id=shelf1.id)
    c = factory.location("C", parent_id=shelf2.id)
    store = factory.location("Store", is_structural=True)
    d = factory.location("D", parent_id=store.id)
    return {n: loc.id for n, loc in locals().items() if n not in ("factory",)}


def test_figures_follow_movements_transfers_and_bins_of_one_shelf(factory, ctx, shelves):
    s = shelves
    manager = factory.actor("manager")
    one = factory.item(quantity=5, location=db.session.get(Location, s["a"]), actor=manager)
    factory.item(quantity=0, location=db.session.get(Location, s["c"]), actor=manager)  # homed, no stock
    everything = [s[n] for n in ("site", "aisle", "shelf1", "shelf2", "a", "b", "c", "store", "d")]
    _agree(*everything)
    assert location_counters.subtree(s["aisle"]) == (1, 2, 5)

    stock.transfer(one.id, s["a"], s["b"], 2, actor=manager)  # two bins of one shelf: still one item there
    assert location_counters.subtree(s["shelf1"])[:2] == (1, 1)
    stock.transfer(one.id, s["b"], s["d"], 2, actor=manager)  # to another site
    stock.restock(one.id, Decimal(3), actor=manager, location_id=s["c"])
    _agree(*everything)
    stock.withdraw(one.id, 3, actor=manager, location_id=s["a"])  # bin a empty: the item is still homed there
    assert location_counters.subtree(s["a"]) == (0, 1, 0)
    _agree(*everything)


def test_figures_unchanged_by_a_refused_movement(factory, ctx, shelves):
    manager = factory.actor("manager")
    item = factory.item(quantity=2, location=db.session.get(Location, shelves["a"]), actor=manager)
    before = location_counters.subtree(shelves["site"])
    with pytest.raises(InsufficientStock):
        stock.withdraw(item.id, 5, actor=manager)
    assert location_counters.subtree(shelves["site"]) == before


def test_figures_follow_a_new_home_a_deleted_item_and_an_import_batch(factory, ctx, shelves):
    s = shelves
    manager = factory.actor("manager")
    item = factory.item(quantity=4, location=db.session.get(Location, s["a"]), actor=manager)
    fresh = db.session.get(Item, item.id)
    items.update_item(item.id, {"location_id": s["d"]}, actor=manager, expected_version=fresh.version, partial=True)
    _agree(s["site"], s["store"], s["a"], s["d"])  # the stock stays in bin a; the home moved to the store

    items.create_items(
        [
            {
                "sku": f"BATCH-{n}",
                "name": f"Batch {n}",
                "location_id": s["c"],
                "unit": "m",
                "decimals": 2,
                "quantity": q,
            }
            for n, q in enumerate([Decimal("1.25"), Decimal(0), Decimal(7)])
        ],
        actor=manager,
    )
    _agree(s["site"], s["shelf2"], s["c"])

    items.delete_item(item.id, actor=manager)
    _agree(s["site"], s["store"], s["a"], s["d"])
    assert location_counters.subtree(s["store"]) == (0, 0, 0)


def test_moving_a_shelf_moves_its_figures(factory, ctx, shelves):
    s = shelves
    manager = factory.actor("manager")
    factory.item(quantity=6, location=db.session.get(Location, s["a"]), actor=manager)
    shared = factory.item(quantity=1, location=db.session.get(Location, s["c"]), actor=manager)
    stock.restock(shared.id, 2, actor=manager, location_id=s["b"])  # in both shelves of the aisle
    locations.update_location(s["shelf1"], {"parent_id": s["store"]})
    location_recount.recount_pending()  # the job the move's commit enqueues
    _agree(*(s[n] for n in ("site", "aisle", "shelf1", "shelf2", "a", "b", "c", "store", "d")))
    assert location_counters.subtree(s["aisle"])[0] == 1  # only the shared item is left there
    assert location_counters.subtree(s["store"])[0] == 2


@pytest.mark.parametrize("sort_by", ["name", "sku", "quantity"])
def test_location_filter_gives_the_same_page_and_total_by_either_plan(factory, ctx, shelves, monkeypatch, sort_by):
    s = shelves
    manager = factory.actor("manager")
    for n in range(12):
        bin_ = s["a"] if n % 3 == 0 else s["c"] if n % 3 == 1 else s["d"]
        made = factory.item(quantity=n, location=db.session.get(Location, bin_), actor=manager, name=f"Part {n:02d}")
        if n % 4 == 0:
            stock.restock(made.id, 1, actor=manager, location_id=s["b"])

    def listed(share: float) -> tuple[list[int], int]:
        monkeypatch.setattr(item_list, "WALK_SHARE", share)
        page = item_list.list_items(location_id=s["shelf1"], sort_by=sort_by, per_page=3, page=2)
        return [item.id for item in page.items], page.total

    walked, by_set = listed(0.0), listed(2.0)  # 0: always walk (PostgreSQL), 2: never
    assert walked == by_set
    assert by_set[1] == len(
        {i.id for i in db.session.scalars(sa.select(Item)) if i.location_id in (s["a"], s["b"])}
        | {lvl.item_id for lvl in db.session.scalars(sa.select(StockLevel)) if lvl.location_id == s["b"]}
    )


def _site_counted_slowly(location_id: int) -> tuple[int, Decimal, Decimal, int]:
    """(items with stock, units, value, low-stock items with stock) of a subtree, from the rows."""
    db.session.expire_all()
    top = db.session.get(Location, location_id)
    inside = {
        loc.id
        for loc in db.session.scalars(
            sa.select(Location).where(
                Location.path_key >= top.path_key, Location.path_key < subtree_upper(top.path_key)
            )
        )
    }
    with_stock, low, units, value = set(), set(), Decimal(0), Decimal(0)
    for item in db.session.scalars(sa.select(Item).where(sa.not_(Item.is_deleted))):
        for level in db.session.scalars(sa.select(StockLevel).where(StockLevel.item_id == item.id)):
            if level.location_id in inside and level.quantity > 0:
                with_stock.add(item.id)
                units += level.quantity
                value += level.quantity * item.price
                if item.quantity < item.low_stock_threshold:
                    low.add(item.id)
    return len(with_stock), units, value, len(low)


def _site_agrees(*location_ids: int) -> None:
    for location_id in location_ids:
        db.session.expire_all()
        items_, units, value, low = location_counters.site_figures(location_id)
        assert (items_, Decimal(units), Decimal(value), low) == _site_counted_slowly(location_id), location_id


def test_value_and_low_stock_figures_follow_movements_prices_thresholds_deletions_and_imports(factory, ctx, shelves):
    s = shelves
    manager = factory.actor("manager")
    everything = [s[n] for n in ("site", "aisle", "shelf1", "shelf2", "a", "b", "c", "store", "d")]
    bolt = factory.item(
        quantity=10,
        location=db.session.get(Location, s["a"]),
        actor=manager,
        price=Decimal("2.50"),
        low_stock_threshold=5,
    )
    nut = factory.item(
        quantity=3,
        location=db.session.get(Location, s["d"]),
        actor=manager,
        price=Decimal("0.10"),
        low_stock_threshold=4,
    )
    _site_agrees(*everything)
    assert location_counters.site_figures(s["store"])[3] == 1  # the nut is low

    stock.withdraw(bolt.id, 6, actor=manager)  # 4 left: below its threshold of 5
    stock.transfer(bolt.id, s["a"], s["d"], 1, actor=manager)  # in both sites now, still low
    stock.restock(nut.id, 5, actor=manager, location_id=s["c"])  # 8: no longer low
    _site_agrees(*everything)
    assert location_counters.site_figures(s["site"])[3] == 1 and location_counters.site_figures(s["store"])[3] == 1

    fresh = db.session.get(Item, bolt.id)
    items.update_item(
        bolt.id,
        {"price": Decimal("4.00"), "low_stock_threshold": 2},
        actor=manager,
        expected_version=fresh.version,
        partial=True,
    )
    _site_agrees(*everything)
    assert location_counters.site_figures(s["store"])[3] == 0  # 4 is not below 2
    stock.restock(bolt.id, 1, actor=manager, location_id=s["b"])  # a new level, the full work-out
    items.create_items(
        [
            {"sku": "BATCH-1", "name": "Batch 1", "location_id": s["c"], "unit": "pcs", "quantity": Decimal(2)},
            {"sku": "BATCH-2", "name": "Batch 2", "location_id": s["d"], "unit": "pcs", "quantity": Decimal(9)},
        ],
        actor=manager,
    )
    items.delete_item(nut.id, actor=manager)
    _site_agrees(*everything)
    locations.update_location(s["shelf2"], {"parent_id": s["store"]})
    location_recount.recount_pending()
    _site_agrees(*everything)
