"""POST /api/v1/scan/batches: a scanned list applied all at once, never twice under one Idempotency-Key."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers.api import db_scalar, error_of

pytestmark = pytest.mark.core


def _levels(api, item_id) -> dict[int, float]:
    return {s["location_id"]: s["quantity"] for s in api.get(f"/api/v1/items/{item_id}").get_json()["stock"]}


def test_a_move_of_several_items_is_one_batch(api, factory):
    shelf, bench = factory.location("Shelf"), factory.location("Bench")
    bolt = factory.item(quantity=10, location=shelf)
    flour = factory.item(quantity=5, location=shelf, decimals=2, unit="kg")
    body = {
        "mode": "move",
        "from_location_id": shelf.id,
        "to_location_id": bench.id,
        "lines": [
            {"item_id": bolt.id, "quantity": 2},
            {"item_id": flour.id, "quantity": 1.25},
            {"item_id": bolt.id, "quantity": 1},
        ],
    }
    response = api.post("/api/v1/scan/batches", json=body, role="staff")
    assert response.status_code == 200, response.get_json()
    lines = response.get_json()["lines"]
    assert [(line["sku"], line["quantity"]) for line in lines] == [(bolt.sku, 3), (flour.sku, 1.25)]
    assert _levels(api, bolt.id) == {shelf.id: 7, bench.id: 3}
    assert _levels(api, flour.id) == {shelf.id: 3.75, bench.id: 1.25}


def test_a_short_line_refuses_the_whole_batch_naming_each_short_line(api, factory):
    shelf = factory.location("Shelf")
    plenty, few, none = (factory.item(quantity=q, location=shelf) for q in (10, 1, 0))
    body = {
        "mode": "withdraw",
        "lines": [{"item_id": i.id, "quantity": 2} for i in (plenty, few, none)],
    }
    response = api.post("/api/v1/scan/batches", json=body, role="staff")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "insufficient_stock"
    assert [(s["sku"], s["available"]) for s in error["shortages"]] == [(few.sku, 1), (none.sku, 0)]
    assert _levels(api, plenty.id) == {shelf.id: 10}


def test_restock_at_a_scanned_location_or_each_items_home(api, factory):
    home, other = factory.location("Home"), factory.location("Other")
    item = factory.item(quantity=1, location=home)
    assert (
        api.post(
            "/api/v1/scan/batches", json={"mode": "restock", "lines": [{"item_id": item.id, "quantity": 4}]}
        ).status_code
        == 200
    )
    body = {"mode": "restock", "location_id": other.id, "lines": [{"item_id": item.id, "quantity": 2}]}
    assert api.post("/api/v1/scan/batches", json=body).status_code == 200
    assert _levels(api, item.id) == {home.id: 5, other.id: 2}


def test_a_retry_with_the_same_key_moves_stock_once(api, factory, app):
    from app.models import InventoryLog

    shelf, bench = factory.location("Shelf"), factory.location("Bench")
    item = factory.item(quantity=10, location=shelf)
    body = {
        "mode": "move",
        "from_location_id": shelf.id,
        "to_location_id": bench.id,
        "lines": [{"item_id": item.id, "quantity": 4}],
    }
    first = api.post("/api/v1/scan/batches", json=body, role="staff", headers={"Idempotency-Key": "batch-1"})
    again = api.post("/api/v1/scan/batches", json=body, role="staff", headers={"Idempotency-Key": "batch-1"})
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()
    assert _levels(api, item.id) == {shelf.id: 6, bench.id: 4}
    moved = db_scalar(
        app, sa.select(sa.func.count()).select_from(InventoryLog).where(InventoryLog.action == "transfer")
    )
    assert moved == 2  # one transfer: its two ledger rows
    other = api.post(
        "/api/v1/scan/batches",
        json={**body, "lines": [{"item_id": item.id, "quantity": 1}]},
        role="staff",
        headers={"Idempotency-Key": "batch-1"},
    )
    assert other.status_code == 422 and "Idempotency-Key" in error_of(other)["fields"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"mode": "tally"}, "mode"),
        ({"lines": []}, "lines"),
        ({"to_location_id": None}, "to_location_id"),
        ({"from_location_id": None}, "from_location_id"),
        ({"lines": [{"item_id": 1, "quantity": 0}]}, "lines"),
    ],
)
def test_a_bad_batch_is_422_naming_the_field(api, factory, change, field):
    shelf, bench = factory.location(), factory.location()
    item = factory.item(quantity=3, location=shelf)
    body = {
        "mode": "move",
        "from_location_id": shelf.id,
        "to_location_id": bench.id,
        "lines": [{"item_id": item.id, "quantity": 1}],
        **change,
    }
    response = api.post("/api/v1/scan/batches", json=body, role="staff")
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"]


def test_a_count_sets_each_scanned_items_quantity_at_the_location(api, factory):
    shelf, other = factory.location("Shelf"), factory.location("Other")
    bolt = factory.item(quantity=10, location=shelf)
    flour = factory.item(quantity=2, location=shelf, decimals=3, unit="kg")
    body = {
        "mode": "count",
        "location_id": shelf.id,
        "lines": [{"item_id": bolt.id, "quantity": 7}, {"item_id": flour.id, "quantity": 2.125}],
    }
    response = api.post("/api/v1/scan/batches", json=body, role="manager")
    assert response.status_code == 200, response.get_json()
    assert _levels(api, bolt.id) == {shelf.id: 7}
    assert _levels(api, flour.id) == {shelf.id: 2.125}
    logs = api.get(f"/api/v1/logs/item/{bolt.id}").get_json()["items"]
    assert (logs[0]["action"], logs[0]["note"]) == ("adjust", "Counted by scanning")
    assert api.post("/api/v1/scan/batches", json={**body, "location_id": other.id}).status_code == 200
    assert _levels(api, bolt.id) == {shelf.id: 7, other.id: 7}


def test_staff_cannot_set_quantities_where_no_count_is_open(api, factory):
    shelf = factory.location()
    item = factory.item(quantity=3, location=shelf)
    body = {"mode": "count", "location_id": shelf.id, "lines": [{"item_id": item.id, "quantity": 1}]}
    response = api.post("/api/v1/scan/batches", json=body, role="staff")
    assert response.status_code == 403
    assert error_of(response)["fields"] == {"mode": ["Managers only, unless a count is open here."]}
    assert "ask a manager to open one" in error_of(response)["message"]
    assert _levels(api, item.id) == {shelf.id: 3}


def test_count_mode_records_into_the_open_count_covering_the_location(api, factory):
    site = factory.location("Hall", is_structural=True)
    shelf = factory.location("Shelf", parent_id=site.id)
    bolt = factory.item(quantity=10, location=shelf)
    count = api.post("/api/v1/counts", {"location_id": site.id, "blind": True}).get_json()
    body = {"mode": "count", "location_id": shelf.id, "lines": [{"item_id": bolt.id, "quantity": 4}] * 2}
    response = api.post("/api/v1/scan/batches", json=body, role="staff")
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["count_id"] == count["id"]
    assert [(line["counted"], line["item_quantity"]) for line in answer["lines"]] == [(8, None)]  # nothing of 10
    assert _levels(api, bolt.id) == {shelf.id: 10}  # nothing moves until a manager approves
    again = api.post("/api/v1/scan/batches", json=body, role="staff")
    assert again.status_code == 409 and error_of(again)["code"] == "already_counted"
    added = api.post("/api/v1/scan/batches", json={**body, "count_mode": "add"}, role="staff")
    assert added.get_json()["lines"][0]["counted"] == 16
    detail = api.get(f"/api/v1/counts/{count['id']}").get_json()
    assert [(line["counted"], line["variance"]) for line in detail["lines"]] == [(16, 6)]


def test_a_count_needs_its_location(api, factory):
    item = factory.item(quantity=3)
    body = {"mode": "count", "lines": [{"item_id": item.id, "quantity": 1}]}
    response = api.post("/api/v1/scan/batches", json=body, role="manager")
    assert response.status_code == 422 and "location_id" in error_of(response)["fields"]
