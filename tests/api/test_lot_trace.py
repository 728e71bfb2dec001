"""A lot's trace (issue 27): after receive -> transfer -> withdraw -> stock-take, the recall's answer
says where it came from, every movement oldest first, where it is now and where it went."""

from __future__ import annotations

from datetime import date, timedelta


def test_trace_after_receive_transfer_withdraw_and_count(api, factory):
    dock, shelf = factory.location("Dock"), factory.location("Shelf 9")
    item = factory.item(tracking="lot", location=dock, sku="JAM-1")
    expiry = (date.today() + timedelta(days=40)).isoformat()
    received = api.post(
        f"/api/v1/items/{item.id}/restock", {"quantity": 10, "lot": "J-77", "expires_on": expiry, "note": "PO 5"}
    ).get_json()
    lot_id = received["lots"][0]["lot_id"]
    api.post(
        f"/api/v1/items/{item.id}/transfer",
        {"from_location_id": dock.id, "to_location_id": shelf.id, "quantity": 6},
        role="staff",
    )
    api.post(
        f"/api/v1/items/{item.id}/withdraw",
        {"quantity": 4, "location_id": shelf.id, "note": "Order 12"},
        role="staff",
    )
    api.post(
        f"/api/v1/items/{item.id}/adjust",
        {"location_id": dock.id, "counted_quantity": 3, "lot": "J-77", "note": "Stock-take"},
    )

    trace = api.get(f"/api/v1/lots/{lot_id}/trace", role="staff").get_json()

    assert (trace["lot"]["code"], trace["lot"]["expires_on"], trace["lot"]["status"]) == ("J-77", expiry, "available")
    assert (trace["item"]["sku"], trace["item"]["id"]) == ("JAM-1", item.id)
    assert [(m["action"], m["delta"], m["path"]) for m in trace["received"]] == [("restock", 10, "Dock")]
    assert [(m["action"], m["path"], m["delta"]) for m in trace["movements"]] == [
        ("restock", "Dock", 10),
        ("transfer", "Dock", -6),
        ("transfer", "Shelf 9", 6),
        ("withdraw", "Shelf 9", -4),
        ("adjust", "Dock", -1),
    ]
    assert all(m["user"] for m in trace["movements"])
    assert sorted((h["path"], h["quantity"]) for h in trace["on_hand"]) == [("Dock", 3), ("Shelf 9", 2)]
    (gone,) = trace["withdrawn"]
    assert (gone["quantity"], gone["note"]) == (4, "Order 12") and "request_id" not in gone


def test_trace_of_an_unknown_lot_is_404(api):
    assert api.get("/api/v1/lots/424242/trace").status_code == 404


def test_blocking_a_lot_is_a_ledger_row_in_its_trace(api, factory):
    item = factory.item(tracking="lot")
    lot_id = api.post(f"/api/v1/items/{item.id}/restock", {"quantity": 2, "lot": "B-1"}).get_json()["lots"][0]["lot_id"]
    api.patch(f"/api/v1/lots/{lot_id}", {"status": "blocked"})
    trace = api.get(f"/api/v1/lots/{lot_id}/trace").get_json()
    assert trace["lot"]["status"] == "blocked"
    assert [m["action"] for m in trace["movements"]] == ["restock", "update"]
    assert "blocked" in trace["movements"][-1]["note"]


def test_trace_after_receive_transfer_withdraw_and_a_count_lists_the_counts_row(api, factory):
    dock, shelf = factory.location("Dock C"), factory.location("Shelf C")
    item = factory.item(tracking="lot", location=dock, sku="JAM-2")
    lot_id = api.post(f"/api/v1/items/{item.id}/restock", {"quantity": 10, "lot": "K-1"}).get_json()["lots"][0][
        "lot_id"
    ]
    api.post(
        f"/api/v1/items/{item.id}/transfer",
        {"from_location_id": dock.id, "to_location_id": shelf.id, "quantity": 6},
        role="staff",
    )
    api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 4, "location_id": shelf.id}, role="staff")
    count = api.post("/api/v1/counts", {"location_id": dock.id, "item_ids": [item.id]}).get_json()
    assert [(line["lot"], line["expected"]) for line in count["lines"]] == [("K-1", 4)]
    base = f"/api/v1/counts/{count['id']}"
    refused = api.put(f"{base}/lines", {"item_id": item.id, "location_id": dock.id, "counted": 3, "lot": "ZZ"})
    assert refused.status_code == 422 and "lot" in refused.get_json()["error"]["fields"]
    done = api.put(f"{base}/lines", {"item_id": item.id, "location_id": dock.id, "counted": 3, "lot": "K-1"})
    assert done.status_code == 200, done.get_json()
    api.post(f"{base}/submit", role="staff")
    assert api.post(f"{base}/approve", {}).status_code == 200

    trace = api.get(f"/api/v1/lots/{lot_id}/trace", role="staff").get_json()
    assert [(m["action"], m["path"], m["delta"]) for m in trace["movements"]][-1] == ("adjust", "Dock C", -1)
    assert trace["movements"][-1]["count_id"] == count["id"]
    assert sorted((h["path"], h["quantity"]) for h in trace["on_hand"]) == [("Dock C", 3), ("Shelf C", 2)]
