"""Scan batches name a line's lot (and a new lot's expiry) or its serials (issue 27): restock into
the named lot, withdraw or move the named lot or by FEFO, serial units by name; refusals are 4xx
and nothing moves. Untracked lines work as before."""

from __future__ import annotations

import pytest

from tests.helpers.api import error_of

pytestmark = pytest.mark.core

BATCHES = "/api/v1/scan/batches"


def _lots(api, item_id) -> dict[str, float]:
    return {lot["code"]: lot["quantity"] for lot in api.get(f"/api/v1/items/{item_id}/lots").get_json()}


def test_a_restock_batch_receives_each_lines_lot_and_expiry_then_a_withdraw_takes_a_named_lot_or_fefo(api, factory):
    shelf = factory.location("Shelf")
    oil = factory.item(tracking="lot", location=shelf)
    bolt = factory.item(quantity=4, location=shelf)
    body = {
        "mode": "restock",
        "location_id": shelf.id,
        "lines": [
            {"item_id": oil.id, "quantity": 3, "lot": "A-1", "expires_on": "2031-01-31"},
            {"item_id": oil.id, "quantity": 2, "lot": "B-2", "expires_on": "2030-06-30"},
            {"item_id": bolt.id, "quantity": 1},
            {"item_id": oil.id, "quantity": 1, "lot": "A-1", "expires_on": "2031-01-31"},
        ],
    }
    received = api.post(BATCHES, json=body, role="staff")
    assert received.status_code == 200, received.get_json()
    assert [(line["sku"], line["quantity"]) for line in received.get_json()["lines"]] == [
        (oil.sku, 4),
        (oil.sku, 2),
        (bolt.sku, 1),
    ]
    lots = api.get(f"/api/v1/items/{oil.id}/lots").get_json()
    assert [(lot["code"], lot["expires_on"], lot["quantity"]) for lot in lots] == [
        ("B-2", "2030-06-30", 2),
        ("A-1", "2031-01-31", 4),
    ]
    named = {"mode": "withdraw", "location_id": shelf.id, "lines": [{"item_id": oil.id, "quantity": 1, "lot": "A-1"}]}
    answer = api.post(BATCHES, json=named, role="staff").get_json()
    assert answer["lines"][0]["lots"][0]["lot"] == "A-1"
    fefo = {"mode": "withdraw", "location_id": shelf.id, "lines": [{"item_id": oil.id, "quantity": 3}]}
    assert api.post(BATCHES, json=fefo, role="staff").status_code == 200
    assert _lots(api, oil.id) == {"B-2": 0, "A-1": 2}


def test_a_move_batch_moves_serials_by_name_and_refuses_a_unit_not_there(api, factory):
    shelf, bench = factory.location("Shelf"), factory.location("Bench")
    phone = factory.item(tracking="serial", location=shelf)
    restock = {
        "mode": "restock",
        "location_id": shelf.id,
        "lines": [{"item_id": phone.id, "serials": ["S1", "S2", "S3"]}],
    }
    assert api.post(BATCHES, json=restock, role="staff").status_code == 200
    move = {
        "mode": "move",
        "from_location_id": shelf.id,
        "to_location_id": bench.id,
        "lines": [{"item_id": phone.id, "quantity": 2, "serials": ["S1", "S2"]}],
    }
    moved = api.post(BATCHES, json=move, role="staff")
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["lines"][0]["serials"] == ["S1", "S2"]
    at_bench = api.get(f"/api/v1/items/{phone.id}/serials?state=in_stock").get_json()
    assert {unit["serial"]: unit["location_id"] for unit in at_bench} == {
        "S1": bench.id,
        "S2": bench.id,
        "S3": shelf.id,
    }
    move["lines"] = [{"item_id": phone.id, "serials": ["S1"]}]  # S3 is at the shelf, S1 is not
    again = api.post(BATCHES, json=move, role="staff")
    assert again.status_code == 409 and error_of(again)["code"] == "serial_not_here"


def test_batch_refusals_change_nothing(api, factory):
    shelf = factory.location("Shelf")
    oil = factory.item(tracking="lot", location=shelf)
    bolt = factory.item(quantity=4, location=shelf)
    no_lot = {"mode": "restock", "lines": [{"item_id": oil.id, "quantity": 1}, {"item_id": bolt.id, "quantity": 1}]}
    assert api.post(BATCHES, json=no_lot, role="staff").status_code == 422
    on_untracked = {"mode": "restock", "lines": [{"item_id": bolt.id, "quantity": 1, "lot": "X"}]}
    assert api.post(BATCHES, json=on_untracked, role="staff").status_code == 422
    bad_code = {"mode": "restock", "lines": [{"item_id": oil.id, "quantity": 1, "lot": "bad\u0007"}]}
    assert api.post(BATCHES, json=bad_code, role="staff").status_code == 422
    count = {"mode": "count", "location_id": shelf.id, "lines": [{"item_id": oil.id, "quantity": 1, "lot": "X"}]}
    assert api.post(BATCHES, json=count, role="manager").status_code == 422
    assert api.get(f"/api/v1/items/{bolt.id}").get_json()["quantity"] == 4
    assert _lots(api, oil.id) == {}
