"""Receiving a purchase order line of a tracked item (issue 27): the line names its lot and expiry,
or its units' serials; without them the receipt is refused and nothing is booked."""

from __future__ import annotations

from tests.helpers import purchasing
from tests.helpers.api import error_of


def _sent_order(app, factory, api, item, quantity):
    supplier = purchasing.supplier(app)
    manager = api.users.get("manager") or factory.user("manager")
    order_id = purchasing.order(app, supplier.id, [(item.id, quantity)], actor_id=manager.id, send=True)
    return order_id, purchasing.line_ids(app, order_id)[0]


def test_a_lot_items_receipt_books_the_lot_with_its_expiry(api, app, factory):
    item = factory.item(tracking="lot")
    order_id, line_id = _sent_order(app, factory, api, item, 6)
    line = {
        "line_id": line_id,
        "quantity": 6,
        "location_id": item.location_id,
        "lot": "PO-LOT",
        "expires_on": "2030-01-31",
    }
    response = api.post(f"/api/v1/purchase-orders/{order_id}/receive", {"lines": [line]}, role="staff")
    assert response.status_code == 200, response.get_json()
    (lot,) = api.get(f"/api/v1/items/{item.id}/lots").get_json()
    assert (lot["code"], lot["expires_on"], lot["quantity"]) == ("PO-LOT", "2030-01-31", 6)
    trace = api.get(f"/api/v1/lots/{lot['id']}/trace").get_json()
    (received,) = trace["received"]
    assert (received["purchase_order_id"], received["purchase_order_line_id"], received["delta"]) == (
        order_id,
        line_id,
        6,
    )


def test_a_lot_items_receipt_without_lot_is_422_and_books_nothing(api, app, factory):
    item = factory.item(tracking="lot")
    order_id, line_id = _sent_order(app, factory, api, item, 2)
    line = {"line_id": line_id, "quantity": 2, "location_id": item.location_id}
    response = api.post(f"/api/v1/purchase-orders/{order_id}/receive", {"lines": [line]}, role="staff")
    assert response.status_code == 422 and "lot" in error_of(response)["fields"]
    assert api.get(f"/api/v1/items/{item.id}").get_json()["quantity"] == 0


def test_a_serial_items_receipt_names_its_units(api, app, factory):
    item = factory.item(tracking="serial")
    order_id, line_id = _sent_order(app, factory, api, item, 2)
    line = {"line_id": line_id, "quantity": 2, "location_id": item.location_id, "serials": ["R-1", "R-2"]}
    response = api.post(f"/api/v1/purchase-orders/{order_id}/receive", {"lines": [line]}, role="staff")
    assert response.status_code == 200, response.get_json()
    units = api.get(f"/api/v1/items/{item.id}/serials?state=in_stock").get_json()
    assert [u["serial"] for u in units] == ["R-1", "R-2"]
