"""Stock movements over HTTP: restock, withdraw, transfer, adjust, Idempotency-Key, alerts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers.api import db_scalar, error_of

pytestmark = pytest.mark.core

MOVEMENT_FIELDS = {"id", "sku", "quantity", "is_low_stock", "version", "stock", "movements", "alert_id"}


def _level(api, item_id):
    return api.get(f"/api/v1/items/{item_id}").get_json()["quantity"]


def _ledger_sum(app, item_id):
    from app.models import InventoryLog

    return db_scalar(
        app, sa.select(sa.func.coalesce(sa.func.sum(InventoryLog.delta), 0)).where(InventoryLog.item_id == item_id)
    )


def test_restock_adds_at_home_location_and_answers_with_the_ledger_rows(api, factory, app):
    item = factory.item(quantity=5)
    response = api.post(f"/api/v1/items/{item.id}/restock", {"quantity": 7, "note": "Delivery 42"}, role="staff")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) >= MOVEMENT_FIELDS
    assert body["quantity"] == 12 and body["stock"][0]["quantity"] == 12 and body["alert_id"] is None
    (entry,) = body["movements"]
    assert (entry["action"], entry["quantity_before"], entry["quantity_after"], entry["delta"], entry["note"]) == (
        "restock",
        5,
        12,
        7,
        "Delivery 42",
    )
    assert entry["location_id"] == item.location_id and entry["user_id"] == api.users["staff"].id
    assert _ledger_sum(app, item.id) == 12


def test_restock_at_another_location_creates_its_stock_row(api, factory):
    home, other = factory.location("Home shelf"), factory.location("Overflow")
    item = factory.item(quantity=1, location=home)
    body = api.post(f"/api/v1/items/{item.id}/restock", {"quantity": 3, "location_id": other.id}).get_json()
    assert {s["location_name"]: s["quantity"] for s in body["stock"]} == {"Home shelf": 1, "Overflow": 3}
    assert body["quantity"] == 4


def test_withdraw_takes_units_and_logs_negative_delta(api, factory, app):
    item = factory.item(quantity=10)
    body = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 4}, role="staff").get_json()
    assert body["quantity"] == 6 and body["movements"][0]["delta"] == -4
    assert _ledger_sum(app, item.id) == 6


def test_withdraw_more_than_available_is_409_with_available_and_changes_nothing(api, factory, app):
    item = factory.item(quantity=3)
    response = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 5}, role="staff")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "insufficient_stock" and error["available"] == 3 and error["requested"] == 5
    assert _level(api, item.id) == 3 and _ledger_sum(app, item.id) == 3


def test_transfer_moves_between_locations_keeping_total(api, factory, app):
    a, b = factory.location("Alpha"), factory.location("Beta")
    item = factory.item(quantity=10, location=a)
    body = api.post(
        f"/api/v1/items/{item.id}/transfer",
        {"from_location_id": a.id, "to_location_id": b.id, "quantity": 4},
        role="staff",
    ).get_json()
    assert body["quantity"] == 10
    assert {s["location_name"]: s["quantity"] for s in body["stock"]} == {"Alpha": 6, "Beta": 4}
    assert sorted(m["delta"] for m in body["movements"]) == [-4, 4]
    assert {m["action"] for m in body["movements"]} == {"transfer"}
    assert _ledger_sum(app, item.id) == 10


def test_transfer_to_same_location_is_422_and_short_source_is_409(api, factory):
    a, b = factory.location(), factory.location()
    item = factory.item(quantity=2, location=a)
    same = api.post(
        f"/api/v1/items/{item.id}/transfer", {"from_location_id": a.id, "to_location_id": a.id, "quantity": 1}
    )
    assert same.status_code == 422 and "to_location_id" in error_of(same)["fields"]
    short = api.post(
        f"/api/v1/items/{item.id}/transfer", {"from_location_id": a.id, "to_location_id": b.id, "quantity": 3}
    )
    assert short.status_code == 409 and error_of(short)["code"] == "insufficient_stock"


def test_movement_to_unknown_location_is_422(api, factory):
    item = factory.item(quantity=2)
    response = api.post(f"/api/v1/items/{item.id}/restock", {"quantity": 1, "location_id": 99999})
    assert response.status_code == 422 and "location_id" in error_of(response)["fields"]
    assert _level(api, item.id) == 2


def test_adjust_sets_counted_quantity_and_logs_the_difference(api, factory, app):
    item = factory.item(quantity=10)
    response = api.post(
        f"/api/v1/items/{item.id}/adjust",
        {"location_id": item.location_id, "counted_quantity": 7, "note": "Cycle count"},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["quantity"] == 7
    entry = body["movements"][0]
    assert (entry["action"], entry["quantity_before"], entry["quantity_after"], entry["delta"]) == ("adjust", 10, 7, -3)
    assert _ledger_sum(app, item.id) == 7


def test_adjust_needs_a_note(api, factory):
    item = factory.item(quantity=1)
    response = api.post(f"/api/v1/items/{item.id}/adjust", {"location_id": item.location_id, "counted_quantity": 0})
    assert response.status_code == 422 and "note" in error_of(response)["fields"]


def test_withdraw_crossing_threshold_creates_one_alert_listed_as_unacknowledged(api, factory):
    item = factory.item(quantity=12, low_stock_threshold=10)
    first = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 2}, role="staff").get_json()
    assert first["alert_id"] is None  # 10 is not below 10
    crossing = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 1}, role="staff").get_json()
    assert crossing["alert_id"] is not None and crossing["is_low_stock"] is True
    again = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 1}, role="staff").get_json()
    assert again["alert_id"] is None

    alerts = api.get("/api/v1/alerts?acknowledged=false").get_json()
    assert alerts["total"] == 1
    (alert,) = alerts["items"]
    assert alert["id"] == crossing["alert_id"] and alert["item_id"] == item.id
    assert alert["quantity"] == 9 and alert["threshold"] == 10 and alert["acknowledged"] is False
    assert item.sku in alert["message"]


def test_acknowledge_alert_works_once_then_409(api, factory):
    item = factory.item(quantity=1, low_stock_threshold=1)
    alert_id = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 1}).get_json()["alert_id"]
    first = api.patch(f"/api/v1/alerts/{alert_id}/acknowledge")
    assert first.status_code == 200
    body = first.get_json()
    assert (
        body["acknowledged"] is True
        and body["acknowledged_by_id"] == api.users["manager"].id
        and body["acknowledged_at"]
    )
    second = api.patch(f"/api/v1/alerts/{alert_id}/acknowledge")
    assert second.status_code == 409 and error_of(second)["code"] == "conflict"
    assert api.get("/api/v1/alerts?acknowledged=false").get_json()["total"] == 0
    assert api.get("/api/v1/alerts?acknowledged=true").get_json()["total"] == 1
    assert api.patch("/api/v1/alerts/99999/acknowledge").status_code == 404


def test_retried_withdrawal_with_same_idempotency_key_replays_first_answer(api, factory, app):
    from app.models import InventoryLog

    item = factory.item(quantity=10)
    headers = {"Idempotency-Key": "order-77-line-1"}
    first = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 3}, role="staff", headers=headers)
    assert first.status_code == 200 and "Idempotent-Replayed" not in first.headers
    retry = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 3}, role="staff", headers=headers)
    assert retry.status_code == 200
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json() == first.get_json()
    assert _level(api, item.id) == 7
    count = db_scalar(app, sa.select(sa.func.count(InventoryLog.id)).where(InventoryLog.action == "withdraw"))
    assert count == 1


def test_same_idempotency_key_with_different_body_is_422_and_moves_nothing(api, factory):
    item = factory.item(quantity=10)
    headers = {"Idempotency-Key": "k-1"}
    api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 3}, role="staff", headers=headers)
    other = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 4}, role="staff", headers=headers)
    assert other.status_code == 422 and "Idempotency-Key" in error_of(other)["fields"]
    assert _level(api, item.id) == 7


def test_refused_movement_with_idempotency_key_can_be_retried_after_restock(api, factory):
    item = factory.item(quantity=1)
    headers = {"Idempotency-Key": "k-refused"}
    refused = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 2}, headers=headers)
    assert refused.status_code == 409
    api.post(f"/api/v1/items/{item.id}/restock", {"quantity": 5})
    retried = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 2}, headers=headers)
    assert retried.status_code == 200 and retried.get_json()["quantity"] == 4


def test_idempotency_keys_are_per_user(api, factory):
    item = factory.item(quantity=10)
    headers = {"Idempotency-Key": "shared-key"}
    api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 1}, role="staff", headers=headers)
    other = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 1}, role="manager", headers=headers)
    assert other.status_code == 200 and "Idempotent-Replayed" not in other.headers
    assert _level(api, item.id) == 8


def test_blank_or_overlong_idempotency_key_is_422(api, factory):
    item = factory.item(quantity=10)
    for key in (" ", "k" * 256):
        response = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 1}, headers={"Idempotency-Key": key})
        assert response.status_code == 422 and "Idempotency-Key" in error_of(response)["fields"]
    assert _level(api, item.id) == 10
