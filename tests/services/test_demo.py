"""The demo data looks like a real shop: sensible units, distinct names, requests waiting and decided."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Item
from app.models.request import StockRequest
from app.services import dashboard
from app.services.demo import seed as demo


@pytest.fixture()
def seeded(ctx):
    lines = demo.seed(item_count=120, days=3, random_seed=3)
    assert lines is not None
    return lines


def test_demo_items_have_distinct_names_and_the_unit_their_product_is_counted_in(seeded):
    stocked = db.session.scalars(sa.select(Item)).all()
    assert len(stocked) == 120
    names = [item.name for item in stocked]
    assert len(set(names)) == len(names)
    units = {product: unit for products in demo.CATEGORIES.values() for product, unit, _kinds, _prices, _t in products}
    for item in stocked:
        product = next(p for p in units if p in item.name)
        assert item.unit == units[product], item.name
    by_name = {item.name: item.unit for item in stocked}
    assert by_name["Copper Pipe 15 mm"] == "m" and by_name["Emulsion Paint white"] == "l"
    assert by_name["Cordless Drill 18 V"] == "pcs" and by_name["Hex Bolt M8 x 40 mm"] == "box"


def test_demo_has_pending_requests_for_the_queue_and_a_history_of_decided_ones(seeded):
    states = [state for (state,) in db.session.execute(sa.select(StockRequest.state)).all()]
    assert states.count("submitted") >= 2
    assert {"approved", "fulfilled", "rejected"} <= set(states)
    assert "pending stock requests" in seeded[0]


def test_demo_alerts_agree_with_its_low_stock_count(seeded):
    summary = dashboard.summary()
    assert summary["low_stock_items"] == summary["open_alerts"]


def test_demo_purchasing_pages_have_suppliers_offers_suggestions_and_orders(seeded):
    from app.models import Supplier, SupplierOffer
    from app.services.purchasing import orders, reorder

    assert len(db.session.scalars(sa.select(Supplier)).all()) >= 3
    offered = db.session.scalars(sa.select(SupplierOffer.item_id).where(SupplierOffer.preferred.is_(True))).all()
    assert len(offered) >= 10
    with_policy = db.session.scalars(sa.select(Item).where(Item.max_stock.is_not(None))).all()
    assert len(with_policy) >= 10
    suggested = [line for group in reorder.suggestions() for line in group.lines]
    assert suggested, "the Reorder suggestions page lists something to buy"
    states = {order.state for order in orders.list_orders(per_page=50).items}
    assert {"sent", "received"} <= states
    assert "suppliers" in seeded[0] and "purchase orders" in seeded[0]
