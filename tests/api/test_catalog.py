"""Categories, locations, users, logs and the dashboard over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest

from tests.helpers.api import PASSWORD, error_of

pytestmark = pytest.mark.core

USER_FIELDS = {"id", "email", "full_name", "role", "is_active", "created_at", "updated_at"}


@pytest.mark.parametrize("kind", ["categories", "locations"])
def test_create_list_update_and_delete_catalog_entries(api, kind):
    created = api.post(f"/api/v1/{kind}", {"name": "  Tools  ", "description": "Hand tools"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["name"] == "Tools" and body["description"] == "Hand tools" and body["item_count"] == 0
    listed = api.get(f"/api/v1/{kind}", role="staff").get_json()
    assert [(entry["id"], entry["name"], entry["item_count"]) for entry in listed] == [(body["id"], "Tools", 0)]
    renamed = api.put(f"/api/v1/{kind}/{body['id']}", {"name": "Power tools"})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Power tools"
    assert api.delete(f"/api/v1/{kind}/{body['id']}").status_code == 204
    assert api.get(f"/api/v1/{kind}").get_json() == []
    assert api.delete(f"/api/v1/{kind}/{body['id']}").status_code == 404
    assert api.put(f"/api/v1/{kind}/{body['id']}", {"name": "Ghost"}).status_code == 404


def test_location_has_address(api):
    body = api.post("/api/v1/locations", {"name": "Depot", "address": "1 Ring Road"}).get_json()
    assert body["address"] == "1 Ring Road"
    assert api.get("/api/v1/locations").get_json()[0]["address"] == "1 Ring Road"


@pytest.mark.parametrize("kind", ["categories", "locations"])
def test_duplicate_catalog_name_is_409_case_insensitive(api, kind):
    api.post(f"/api/v1/{kind}", {"name": "Paint"})
    response = api.post(f"/api/v1/{kind}", {"name": "PAINT"})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "duplicate" and "name" in error["fields"]


def test_item_count_counts_active_items_only(api, factory):
    loc = factory.location()
    cat = factory.category()
    factory.item(location=loc, category_id=cat.id)
    gone = factory.item(location=loc, category_id=cat.id)
    api.delete(f"/api/v1/items/{gone.id}")
    categories = {c["id"]: c["item_count"] for c in api.get("/api/v1/categories", role="staff").get_json()}
    locations = {entry["id"]: entry["item_count"] for entry in api.get("/api/v1/locations", role="staff").get_json()}
    assert categories[cat.id] == 1 and locations[loc.id] == 1


def test_location_count_includes_items_stocked_there_once_each(api, factory):
    home, shelf, empty = factory.location(), factory.location(), factory.location()
    moved = factory.item(quantity=5, location=home)
    factory.item(quantity=2, location=home)
    api.post(
        f"/api/v1/items/{moved.id}/transfer", {"from_location_id": home.id, "to_location_id": shelf.id, "quantity": 2}
    )
    api.post(
        f"/api/v1/items/{moved.id}/transfer", {"from_location_id": shelf.id, "to_location_id": home.id, "quantity": 2}
    )
    factory.item(quantity=1, location=shelf)  # homed and stocked on the shelf: counted once
    counts = {entry["id"]: entry["item_count"] for entry in api.get("/api/v1/locations", role="staff").get_json()}
    # `moved` went back home: an empty level at the shelf does not count it there.
    assert (counts[home.id], counts[shelf.id], counts[empty.id]) == (2, 1, 0)
    api.post(
        f"/api/v1/items/{moved.id}/transfer", {"from_location_id": home.id, "to_location_id": shelf.id, "quantity": 1}
    )
    counts = {entry["id"]: entry["item_count"] for entry in api.get("/api/v1/locations", role="staff").get_json()}
    assert (counts[home.id], counts[shelf.id]) == (2, 2)


def test_delete_category_holding_items_is_409_saying_how_many(api, factory):
    cat = factory.category("Fasteners")
    loc = factory.location()
    factory.item(category_id=cat.id, location=loc)
    factory.item(category_id=cat.id, location=loc)
    response = api.delete(f"/api/v1/categories/{cat.id}")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "in_use" and error["item_count"] == 2 and "2" in error["message"]
    assert len(api.get("/api/v1/categories").get_json()) == 1


def test_delete_location_holding_items_is_409_saying_how_many(api, factory):
    home, other = factory.location(), factory.location()
    item = factory.item(quantity=5, location=home)
    api.post(
        f"/api/v1/items/{item.id}/transfer", {"from_location_id": home.id, "to_location_id": other.id, "quantity": 1}
    )
    for location in (home, other):
        response = api.delete(f"/api/v1/locations/{location.id}")
        assert response.status_code == 409
        error = error_of(response)
        assert error["code"] == "in_use" and error["item_count"] == 1 and "1 active item" in error["message"]


def test_category_can_be_deleted_once_its_items_are_deleted(api, factory):
    cat = factory.category()
    item = factory.item(category_id=cat.id)
    api.delete(f"/api/v1/items/{item.id}")
    assert api.delete(f"/api/v1/categories/{cat.id}").status_code == 204
    assert api.get(f"/api/v1/logs/item/{item.id}").status_code == 200


def test_users_list_get_patch_and_activity(api, factory):
    person = factory.user("staff", email="pat@example.com")
    listed = api.get("/api/v1/users?role=staff").get_json()
    assert set(listed) == {"items", "total", "page", "per_page", "pages"}
    assert [u["email"] for u in listed["items"]] == ["pat@example.com"]
    assert set(listed["items"][0]) == USER_FIELDS
    got = api.get(f"/api/v1/users/{person.id}").get_json()
    assert got["email"] == "pat@example.com" and "password" not in got and "password_hash" not in got
    patched = api.patch(f"/api/v1/users/{person.id}", {"full_name": "Pat Jones", "role": "manager"})
    assert patched.status_code == 200
    assert (patched.get_json()["full_name"], patched.get_json()["role"]) == ("Pat Jones", "manager")

    item = factory.item(quantity=5)
    api.post(
        f"/api/v1/items/{item.id}/withdraw",
        {"quantity": 1},
        headers={"Authorization": f"Bearer {api.factory.token(person)}"},
    )
    activity = api.get(f"/api/v1/users/{person.id}/activity").get_json()
    assert activity["total"] == 1 and activity["items"][0]["action"] == "withdraw"
    assert api.get("/api/v1/users/99999").status_code == 404
    assert api.get("/api/v1/users/99999/activity").status_code == 404


def test_manager_cannot_promote_to_admin_nor_change_self(api, factory):
    person = factory.user("staff")
    assert api.patch(f"/api/v1/users/{person.id}", {"role": "admin"}).status_code == 403
    assert api.patch(f"/api/v1/users/{person.id}", {"role": "admin"}, role="admin").status_code == 200
    api.as_("manager")
    me = api.users["manager"]
    assert api.patch(f"/api/v1/users/{me.id}", {"is_active": False}).status_code == 403


def test_deactivated_user_is_hidden_from_active_filter(api, factory):
    person = factory.user("staff")
    api.patch(f"/api/v1/users/{person.id}", {"is_active": False})
    emails = [u["email"] for u in api.get("/api/v1/users?is_active=true").get_json()["items"]]
    assert person.email not in emails


def test_logs_filter_by_item_user_action_and_time(api, factory):
    item = factory.item(quantity=10)
    other = factory.item(quantity=10)
    api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 1}, role="staff")
    api.post(f"/api/v1/items/{item.id}/restock", {"quantity": 2}, role="staff")

    def fetch(query):
        response = api.get(f"/api/v1/logs?{query}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    everything = fetch("")
    assert everything["total"] == 4
    assert {entry["item_id"] for entry in fetch(f"item_id={item.id}")["items"]} == {item.id}
    assert fetch(f"item_id={other.id}")["total"] == 1
    staff_id = api.users["staff"].id
    assert [entry["action"] for entry in fetch(f"user_id={staff_id}")["items"]] == ["restock", "withdraw"]
    assert fetch("action=withdraw")["total"] == 1
    past = quote((datetime.now(UTC) - timedelta(hours=1)).isoformat())
    future = quote((datetime.now(UTC) + timedelta(hours=1)).isoformat())
    assert fetch(f"since={past}&until={future}")["total"] == 4
    assert fetch(f"since={future}")["total"] == 0


def test_dashboard_summary_and_breakdown_match_created_data(api, factory):
    loc = factory.location()
    tools, paint = factory.category("Tools"), factory.category("Paint")
    factory.item(quantity=10, price=Decimal("2.50"), category_id=tools.id, location=loc)
    low = factory.item(quantity=1, price=Decimal("4.00"), low_stock_threshold=5, category_id=tools.id, location=loc)
    factory.item(quantity=3, price=Decimal("10.00"), category_id=paint.id, location=loc)
    factory.item(quantity=2, price=Decimal("1.25"), location=loc)
    gone = factory.item(quantity=100, price=Decimal("1.00"), category_id=paint.id, location=loc)
    api.delete(f"/api/v1/items/{gone.id}")

    summary = api.get("/api/v1/dashboard/summary", role="staff").get_json()
    assert summary == {
        "total_items": 4,
        "total_units": 16,
        "units_by_unit": [{"unit": "pcs", "quantity": 16}],
        "low_stock_items": 1,
        "open_alerts": 1,  # `low` was created below its threshold: open alerts count low items
        "unacknowledged_alerts": 1,
        "total_value": 25.0 + 4.0 + 30.0 + 2.5,
    }
    breakdown = api.get("/api/v1/dashboard/category-breakdown", role="staff").get_json()
    rows = {row["name"]: row for row in breakdown}
    assert rows["Tools"] == {
        "category_id": tools.id,
        "name": "Tools",
        "item_count": 2,
        "total_units": 11,
        "total_value": 29.0,
    }
    assert rows["Paint"] == {
        "category_id": paint.id,
        "name": "Paint",
        "item_count": 1,
        "total_units": 3,
        "total_value": 30.0,
    }
    assert rows["Uncategorised"]["category_id"] is None and rows["Uncategorised"]["total_units"] == 2
    assert low.id


def test_register_creates_staff_and_the_account_can_log_in(api):
    response = api.post(
        "/api/v1/auth/register",
        {"email": "New@Example.com", "password": PASSWORD, "full_name": "New Person", "role": "staff"},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == USER_FIELDS and body["email"] == "new@example.com" and body["role"] == "staff"
    login = api.post("/api/v1/auth/login", {"email": "new@example.com", "password": PASSWORD}, role=None)
    assert login.status_code == 200
