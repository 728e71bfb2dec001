"""Deleting something that is still referred to answers the documented 409, never a 500 (issue 35, finding 2).

REFERRERS has one row per foreign key pointing at a table some route deletes rows from: how to
make such a reference through the API, the DELETE that meets it, and what the answer must be
(a 409 naming the referrer, or the delete succeeding because the reference is let go of or
removed with it). test_every_foreign_key_into_a_deleted_table_has_a_row fails when a new foreign
key appears without a row here.
"""

from __future__ import annotations

import pytest

from tests.helpers import purchasing as buy
from tests.helpers.api import error_of

pytestmark = pytest.mark.core

ORDERS = "/api/v1/purchase-orders"

# The tables whose rows a route really deletes (items, locations and users are archived instead).
DELETED_TABLES = {"categories", "suppliers", "supplier_offers", "cart_lines", "purchase_order_lines", "item_barcodes"}


def _category_with_active_item(api, app, factory):
    category = factory.category("Held")
    factory.item(category_id=category.id)
    return api.delete(f"/api/v1/categories/{category.id}"), "active item"


def _category_with_deleted_item(api, app, factory):
    category = factory.category("Emptied")
    item = factory.item(category_id=category.id)
    assert api.delete(f"/api/v1/items/{item.id}").status_code == 204
    return api.delete(f"/api/v1/categories/{category.id}"), None  # deleted items let go of it


def _category_counted(state: str):
    def scenario(api, app, factory):
        category = factory.category(f"Counted {state}")
        where = factory.location()
        factory.item(category_id=category.id, location=where, quantity=1)
        count = api.post("/api/v1/counts", {"location_id": where.id, "category_id": category.id})
        assert count.status_code == 201, count.get_json()
        if state == "cancelled":
            assert api.post(f"/api/v1/counts/{count.get_json()['id']}/cancel").status_code == 200
        # The count's item leaves the category, so only the count still refers to it.
        api.delete(f"/api/v1/items/{count.get_json()['lines'][0]['item_id']}")
        return api.delete(f"/api/v1/categories/{category.id}"), "stock count"

    return scenario


def _supplier_with_order(api, app, factory):
    supplier = buy.supplier(app, name="Ordered from")
    buy.order(app, supplier.id, [(factory.item().id, 1)], actor_id=factory.user("manager").id)
    return api.delete(f"/api/v1/suppliers/{supplier.id}"), "purchase order"


def _supplier_with_offer(api, app, factory):
    supplier = buy.supplier(app, name="Offering")
    buy.offer(app, factory.item().id, supplier.id)
    return api.delete(f"/api/v1/suppliers/{supplier.id}"), None  # its offers go with it


def _received_order_line(api, app, factory):
    where = factory.location()
    item = factory.item(location=where)
    supplier = buy.supplier(app, name="Delivered by")
    order_id = buy.order(app, supplier.id, [(item.id, 2)], actor_id=factory.user("manager").id, send=True)
    line_id = buy.line_ids(app, order_id)[0]
    received = api.post(
        f"{ORDERS}/{order_id}/receive", {"lines": [{"line_id": line_id, "quantity": 1, "location_id": where.id}]}
    )
    assert received.status_code == 200, received.get_json()
    # Replacing an order's lines deletes them: the ledger's receipt refers to this one.
    return api.patch(f"{ORDERS}/{order_id}", {"lines": [{"item_id": factory.item().id, "quantity": 1}]}), "received"


# (referring table.column): [(name, scenario)]; a scenario answers (response, word the 409 names or None for success)
REFERRERS = {
    "items.category_id": [("active item", _category_with_active_item), ("deleted item", _category_with_deleted_item)],
    "stock_counts.category_id": [
        ("open count", _category_counted("open")),
        ("cancelled count", _category_counted("cancelled")),
    ],
    "purchase_orders.supplier_id": [("order", _supplier_with_order)],
    "supplier_offers.supplier_id": [("offer", _supplier_with_offer)],
    "inventory_logs.purchase_order_line_id": [("receipt", _received_order_line)],
}


def test_every_foreign_key_into_a_deleted_table_has_a_row(app):
    from app.extensions import db

    pointing = {
        f"{table.name}.{fk.parent.name}"
        for table in db.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name in DELETED_TABLES and fk.ondelete != "CASCADE"
    }
    assert pointing == set(REFERRERS)


@pytest.mark.parametrize(
    "scenario", [s for rows in REFERRERS.values() for _, s in rows], ids=[n for r in REFERRERS.values() for n, _ in r]
)
def test_delete_while_referred_to_is_a_409_naming_the_referrer(api, app, factory, scenario):
    response, named = scenario(api, app, factory)
    if named is None:
        assert response.status_code in (200, 204), response.get_json()
        return
    assert response.status_code == 409, response.data[:300]
    error = error_of(response)
    assert error["code"] in ("in_use", "invalid_state") and named in error["message"], error
