"""Items over HTTP: JSON shapes, listing, editing with versions, soft delete."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.helpers.api import error_of

pytestmark = pytest.mark.core

ITEM_FIELDS = {
    "id",
    "sku",
    "name",
    "description",
    "decimals",
    "reorder_point",
    "reorder_quantity",
    "max_stock",
    "on_order",
    "category_id",
    "location_id",
    "unit",
    "price",
    "low_stock_threshold",
    "quantity",
    "is_low_stock",
    "tracking",
    "shelf_life_days",
    "expiry_required",
    "version",
    "created_at",
    "updated_at",
}
LOG_FIELDS = {
    "id",
    "item_id",
    "location_id",
    "user_id",
    "action",
    "quantity_before",
    "quantity_after",
    "delta",
    "note",
    "created_at",
}
PAGE_FIELDS = {"items", "total", "page", "per_page", "pages"}


def _create(api, location_id, **fields):
    body = {"sku": "BOLT-M8", "name": "Hex bolt M8", "location_id": location_id, **fields}
    response = api.post("/api/v1/items", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_item_returns_detail_with_stock_and_logs_initial_quantity(api, factory):
    loc = factory.location("Main Warehouse")
    cat = factory.category("Fasteners")
    body = _create(
        api,
        loc.id,
        description="Zinc plated",
        category_id=cat.id,
        unit="box",
        price="12.50",
        low_stock_threshold=5,
        quantity=40,
    )
    assert set(body) >= ITEM_FIELDS | {"stock"}
    assert body["sku"] == "BOLT-M8" and body["name"] == "Hex bolt M8" and body["description"] == "Zinc plated"
    assert body["category_id"] == cat.id and body["location_id"] == loc.id and body["unit"] == "box"
    assert body["price"] == 12.5 and body["low_stock_threshold"] == 5 and body["quantity"] == 40
    assert body["is_low_stock"] is False and body["version"] == 1
    assert body["created_at"] and body["updated_at"]
    assert body["stock"] == [{"location_id": loc.id, "location_name": "Main Warehouse", "quantity": 40}]

    history = api.get(f"/api/v1/logs/item/{body['id']}", role="staff").get_json()
    assert set(history) == PAGE_FIELDS and history["total"] == 1
    (entry,) = history["items"]
    assert set(entry) >= LOG_FIELDS
    assert (entry["action"], entry["quantity_before"], entry["quantity_after"], entry["delta"]) == ("create", 0, 40, 40)
    assert entry["location_id"] == loc.id and entry["user_id"] == api.users["manager"].id


def test_create_item_defaults_unit_price_threshold_and_quantity(api, factory):
    body = _create(api, factory.location().id)
    assert (body["unit"], body["price"], body["low_stock_threshold"], body["quantity"]) == ("pcs", 0.0, 0, 0)


def test_create_item_with_taken_sku_is_409_duplicate(api, factory):
    loc = factory.location()
    _create(api, loc.id)
    response = api.post("/api/v1/items", {"sku": "BOLT-M8", "name": "Other", "location_id": loc.id})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "duplicate" and "sku" in error["fields"]


def test_create_item_with_unknown_location_or_category_is_422_naming_them(api, factory):
    response = api.post("/api/v1/items", {"sku": "X-1", "name": "X", "location_id": 999999, "category_id": 999999})
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"location_id", "category_id"}


def test_get_item_detail_lists_stock_per_location(api, factory):
    a, b = factory.location("A-store"), factory.location("B-store")
    item = factory.item(quantity=9, location=a)
    api.post(f"/api/v1/items/{item.id}/transfer", {"from_location_id": a.id, "to_location_id": b.id, "quantity": 4})
    body = api.get(f"/api/v1/items/{item.id}", role="staff").get_json()
    assert set(body) >= ITEM_FIELDS | {"stock"}
    assert body["quantity"] == 9
    assert body["stock"] == [
        {"location_id": a.id, "location_name": "A-store", "quantity": 5},
        {"location_id": b.id, "location_name": "B-store", "quantity": 4},
    ]


def test_get_missing_item_is_404_json(api):
    response = api.get("/api/v1/items/424242", role="staff")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_list_items_returns_page_envelope_of_items(api, factory):
    loc = factory.location()
    for _ in range(3):
        factory.item(quantity=1, location=loc)
    body = api.get("/api/v1/items?per_page=2&page=2", role="staff").get_json()
    assert set(body) == PAGE_FIELDS | {"next_cursor"}
    assert (body["total"], body["page"], body["per_page"], body["pages"]) == (3, 2, 2, 2)
    assert len(body["items"]) == 1 and set(body["items"][0]) == ITEM_FIELDS


def test_list_items_filters_search_category_location_quantity_and_threshold(api, factory):
    a, b = factory.location(), factory.location()
    cat = factory.category()
    bolt = factory.item(quantity=5, location=a, name="Hex Bolt", sku="BOLT-1", category_id=cat.id)
    nut = factory.item(quantity=50, location=b, name="Nut", sku="NUT-1")
    low = factory.item(quantity=2, location=b, name="Washer", sku="WASH-1", low_stock_threshold=3)

    def ids(query):
        response = api.get(f"/api/v1/items?{query}", role="staff")
        assert response.status_code == 200, response.get_json()
        return {entry["id"] for entry in response.get_json()["items"]}

    assert ids("search=hex") == {bolt.id}
    assert ids("search=nut-") == {nut.id}  # SKU, case-insensitive, partial
    assert ids("search=%25") == set()  # a literal percent sign, not a wildcard
    assert ids(f"category_id={cat.id}") == {bolt.id}
    assert ids(f"location_id={b.id}") == {nut.id, low.id}
    assert ids("min_quantity=5&max_quantity=10") == {bolt.id}
    assert ids("below_threshold=true") == {low.id}


@pytest.mark.parametrize(
    ("sort_by", "order", "expected"),
    [
        ("name", "asc", ["Alpha", "Bravo", "Charlie"]),
        ("name", "desc", ["Charlie", "Bravo", "Alpha"]),
        ("quantity", "asc", ["Bravo", "Charlie", "Alpha"]),
        ("price", "desc", ["Charlie", "Alpha", "Bravo"]),
        ("sku", "asc", ["Charlie", "Alpha", "Bravo"]),
    ],
)
def test_list_items_sorts_by_each_column(api, factory, sort_by, order, expected):
    loc = factory.location()
    factory.item(name="Alpha", sku="S-2", quantity=30, price=Decimal("2.00"), location=loc)
    factory.item(name="Bravo", sku="S-3", quantity=10, price=Decimal("1.00"), location=loc)
    factory.item(name="Charlie", sku="S-1", quantity=20, price=Decimal("3.00"), location=loc)
    body = api.get(f"/api/v1/items?sort_by={sort_by}&order={order}", role="staff").get_json()
    assert [entry["name"] for entry in body["items"]] == expected


def test_put_replaces_fields_bumps_version_and_logs_update(api, factory):
    loc = factory.location()
    item = factory.item(quantity=6, location=loc)
    body = {"sku": "NEW-SKU", "name": "Renamed", "location_id": loc.id, "price": "9.99", "version": 1}
    response = api.put(f"/api/v1/items/{item.id}", body)
    assert response.status_code == 200, response.get_json()
    updated = response.get_json()
    assert (updated["sku"], updated["name"], updated["price"], updated["version"]) == (
        "NEW-SKU",
        "Renamed",
        Decimal("9.99"),
        2,
    )
    assert updated["quantity"] == 6
    history = api.get(f"/api/v1/logs/item/{item.id}", role="staff").get_json()["items"]
    assert history[0]["action"] == "update" and history[0]["delta"] == 0


def test_put_with_stale_version_in_body_is_409_version_conflict(api, factory):
    item = factory.item(quantity=1)
    api.patch(f"/api/v1/items/{item.id}", {"description": "first", "version": 1})
    response = api.put(
        f"/api/v1/items/{item.id}", {"sku": item.sku, "name": "Late", "location_id": item.location_id, "version": 1}
    )
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "version_conflict" and error["current_version"] == 2
    assert api.get(f"/api/v1/items/{item.id}").get_json()["name"] == item.name


def test_patch_with_stale_if_match_header_is_409_and_current_one_works(api, factory):
    item = factory.item(quantity=1)
    api.patch(f"/api/v1/items/{item.id}", {"unit": "box", "version": 1})
    stale = api.patch(f"/api/v1/items/{item.id}", {"unit": "kg"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409 and error_of(stale)["code"] == "version_conflict"
    fresh = api.patch(f"/api/v1/items/{item.id}", {"unit": "kg"}, headers={"If-Match": '"2"'})
    assert fresh.status_code == 200 and fresh.get_json()["unit"] == "kg" and fresh.get_json()["version"] == 3


def test_patch_without_version_is_422_naming_version(api, factory):
    item = factory.item()
    response = api.patch(f"/api/v1/items/{item.id}", {"unit": "box"})
    assert response.status_code == 422 and "version" in error_of(response)["fields"]


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_put_and_patch_refuse_quantity_as_unknown_field(api, factory, method):
    item = factory.item(quantity=4)
    body = {"sku": item.sku, "name": item.name, "location_id": item.location_id, "version": 1, "quantity": 99}
    response = api.call(method, f"/api/v1/items/{item.id}", "manager", json=body)
    assert response.status_code == 422 and "quantity" in error_of(response)["fields"]
    after = api.get(f"/api/v1/items/{item.id}").get_json()
    assert (after["quantity"], after["version"]) == (4, 1)


def test_staff_patch_of_allowed_fields_works(api, factory):
    loc2 = factory.location()
    item = factory.item(quantity=1)
    body = {"description": "Shelf 4", "location_id": loc2.id, "unit": "box", "low_stock_threshold": 3, "version": 1}
    response = api.patch(f"/api/v1/items/{item.id}", body, role="staff")
    assert response.status_code == 200, response.get_json()
    got = response.get_json()
    assert (got["description"], got["location_id"], got["unit"], got["low_stock_threshold"]) == (
        "Shelf 4",
        loc2.id,
        "box",
        3,
    )
    assert got["quantity"] == 1  # a new home location moves no stock


@pytest.mark.parametrize("field,value", [("name", "New name"), ("sku", "NEW-1"), ("price", "1.00")])
def test_staff_patch_of_manager_fields_is_403_and_changes_nothing(api, factory, field, value):
    item = factory.item()
    response = api.patch(f"/api/v1/items/{item.id}", {field: value, "version": 1}, role="staff")
    assert response.status_code == 403
    assert field in error_of(response)["fields"]
    assert api.get(f"/api/v1/items/{item.id}").get_json()["version"] == 1


def test_deleted_item_is_gone_from_get_and_list_but_history_stays(api, factory):
    item = factory.item(quantity=3)
    assert api.delete(f"/api/v1/items/{item.id}").status_code == 204
    assert api.get(f"/api/v1/items/{item.id}").status_code == 404
    assert api.get("/api/v1/items").get_json()["total"] == 0
    history = api.get(f"/api/v1/logs/item/{item.id}", role="staff").get_json()
    assert [entry["action"] for entry in history["items"]] == ["delete", "create"]
    assert api.post(f"/api/v1/items/{item.id}/restock", {"quantity": 1}).status_code == 404
    assert api.delete(f"/api/v1/items/{item.id}").status_code == 404


def test_sku_of_deleted_item_can_be_reused(api, factory):
    item = factory.item(sku="REUSE-1")
    api.delete(f"/api/v1/items/{item.id}")
    body = _create(api, item.location_id, sku="REUSE-1")
    assert body["id"] != item.id and body["sku"] == "REUSE-1"


def test_logs_of_unknown_item_are_404(api):
    assert api.get("/api/v1/logs/item/31337", role="staff").status_code == 404


def test_every_response_echoes_a_request_id(api, app, factory):
    from app.models import InventoryLog
    from tests.helpers.api import db_scalar

    item = factory.item(quantity=5)
    response = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 1}, headers={"X-Request-ID": "trace-123"})
    assert response.headers["X-Request-ID"] == "trace-123"
    stored = db_scalar(app, sa.select(InventoryLog.request_id).where(InventoryLog.action == "withdraw"))
    assert stored == "trace-123"
