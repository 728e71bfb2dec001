"""Decimal quantities: exact arithmetic, places per item, JSON numbers in and out, and the
concurrency guarantee with fractions (PostgreSQL)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.helpers.api import db_scalar, error_of
from tests.helpers.concurrency import Post, post_together
from tests.helpers.database import BACKEND


@pytest.fixture()
def cable(factory):
    return factory.item(quantity=0, decimals=2, unit="m", name="Cable")


def _raw(response) -> dict:
    """The body as the text says, floats kept as text-exact Decimals."""
    return json.loads(response.get_data(as_text=True), parse_float=Decimal)


@pytest.mark.core
def test_point_three_minus_point_one_minus_point_two_is_exactly_zero(api, cable):
    url = f"/api/v1/items/{cable.id}"
    assert api.post(url + "/restock", {"quantity": 0.3}).status_code == 200
    assert api.post(url + "/withdraw", {"quantity": 0.1}).status_code == 200
    last = api.post(url + "/withdraw", {"quantity": "0.2"})  # a numeric string is accepted too
    assert last.status_code == 200, last.get_json()
    assert '"quantity":0,' in last.get_data(as_text=True).replace(" ", "")
    assert _raw(last)["quantity"] == 0 and _raw(last)["stock"][0]["quantity"] == 0
    deltas = [m["delta"] for m in _raw(api.get(f"/api/v1/logs/item/{cable.id}"))["items"]]
    assert sorted(deltas) == [Decimal("-0.2"), Decimal("-0.1"), 0, Decimal("0.3")]


@pytest.mark.core
def test_answers_are_json_numbers_and_integers_for_pieces(api, factory, cable):
    response = api.post(f"/api/v1/items/{cable.id}/restock", {"quantity": 2.25})
    text = response.get_data(as_text=True).replace(" ", "")
    assert '"quantity":2.25' in text and '"delta":2.25' in text
    pieces = factory.item(quantity=5)
    text = api.get(f"/api/v1/items/{pieces.id}").get_data(as_text=True).replace(" ", "")
    assert '"quantity":5,' in text and '"decimals":0' in text


@pytest.mark.core
@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("restock", {"quantity": 1.005}, "quantity"),
        ("withdraw", {"quantity": "0.125"}, "quantity"),
        ("adjust", {"counted_quantity": 3.141, "note": "count"}, "counted_quantity"),
    ],
)
def test_too_many_places_refused_naming_the_field_never_rounded(api, app, cable, action, body, field):
    api.post(f"/api/v1/items/{cable.id}/restock", {"quantity": 5})
    if action == "adjust":
        body = {**body, "location_id": cable.location_id}
    response = api.post(f"/api/v1/items/{cable.id}/{action}", body)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    from app.models import Item

    assert db_scalar(app, sa.select(Item.quantity).where(Item.id == cable.id)) == 5


@pytest.mark.core
def test_idempotent_retry_replays_the_same_exact_numbers(api, cable):
    api.post(f"/api/v1/items/{cable.id}/restock", {"quantity": 2.5})
    headers = {"Idempotency-Key": "cut-7"}
    first = api.post(f"/api/v1/items/{cable.id}/withdraw", {"quantity": 0.25}, headers=headers)
    again = api.post(f"/api/v1/items/{cable.id}/withdraw", {"quantity": 0.25}, headers=headers)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert _raw(again) == _raw(first) and _raw(again)["quantity"] == Decimal("2.25")
    assert '"quantity":2.25' in again.get_data(as_text=True).replace(" ", "")


@pytest.mark.core
def test_four_places_refused_by_the_schema_and_pieces_refuse_fractions(api, factory):
    item = factory.item(quantity=3)
    assert "quantity" in error_of(api.post(f"/api/v1/items/{item.id}/restock", {"quantity": 0.0001}))["fields"]
    refused = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 0.5})
    assert refused.status_code == 422 and "whole numbers" in error_of(refused)["fields"]["quantity"][0]


@pytest.mark.core
def test_fewer_decimal_places_refused_while_stock_needs_them(api, cable):
    api.post(f"/api/v1/items/{cable.id}/restock", {"quantity": 1.5})
    version = api.get(f"/api/v1/items/{cable.id}").get_json()["version"]
    refused = api.patch(f"/api/v1/items/{cable.id}", {"decimals": 0, "version": version})
    assert refused.status_code == 422 and "decimals" in error_of(refused)["fields"]
    assert api.patch(f"/api/v1/items/{cable.id}", {"decimals": 1, "version": version}).status_code == 200


@pytest.mark.core
def test_low_stock_alert_with_decimal_threshold(api, factory):
    paint = factory.item(quantity=Decimal("5"), decimals=1, unit="l", low_stock_threshold=Decimal("2.5"))
    response = api.post(f"/api/v1/items/{paint.id}/withdraw", {"quantity": 2.6})
    assert response.status_code == 200 and response.get_json()["alert_id"]
    alert = _raw(api.get("/api/v1/alerts"))["items"][0]
    assert (alert["quantity"], alert["threshold"]) == (Decimal("2.4"), Decimal("2.5"))
    assert "2.4 l left" in alert["message"]


@pytest.mark.skipif(BACKEND == "sqlite", reason="row locking needs PostgreSQL; SQLite serialises writers")
def test_fifty_concurrent_withdrawals_of_a_quarter_from_two_and_a_half(app, factory, live_server):
    item = factory.item(quantity=Decimal("2.5"), decimals=2, unit="kg")
    quarter = Post(
        f"/api/v1/items/{item.id}/withdraw", token=factory.token(factory.user("staff")), data='{"quantity": 0.25}'
    )

    statuses = [r.status_code for r in post_together(live_server, [quarter] * 50)]

    assert statuses.count(200) == 10, statuses
    assert statuses.count(409) == 40, statuses
    from app.models import InventoryLog, Item, StockLevel

    assert db_scalar(app, sa.select(Item.quantity).where(Item.id == item.id)) == 0
    assert db_scalar(app, sa.select(sa.func.sum(StockLevel.quantity)).where(StockLevel.item_id == item.id)) == 0
    withdrawn = sa.select(sa.func.sum(InventoryLog.delta)).where(
        InventoryLog.item_id == item.id, InventoryLog.action == "withdraw"
    )
    assert db_scalar(app, withdrawn) == Decimal("-2.5")
