"""Purchasing over HTTP: suppliers and offers, suggestions, the order's life, receipts and their races."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.helpers import purchasing as buy
from tests.helpers.api import error_of
from tests.helpers.concurrency import Post, post_together

pytestmark = pytest.mark.core
on_postgres = pytest.mark.skipif(os.environ.get("TEST_DB") == "sqlite", reason="row locks need PostgreSQL")

ORDERS = "/api/v1/purchase-orders"
SUGGESTIONS = "/api/v1/purchasing/suggestions"


@pytest.fixture()
def world_bin(factory) -> int:
    """A bin inside a structural aisle: where receipts go."""
    aisle = factory.location("Aisle R", is_structural=True)
    return factory.location("Bin R1", parent_id=aisle.id).id


def _supplier(api, **body) -> dict:
    answer = api.post(
        "/api/v1/suppliers", {"name": "Acme Parts", "email": "sales@acme.example", "lead_time_days": 5, **body}
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _policy(api, item_id: int, **fields) -> dict:
    version = api.get(f"/api/v1/items/{item_id}").get_json()["version"]
    answer = api.patch(f"/api/v1/items/{item_id}", {**fields, "version": version})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _ledger(api, item_id: int) -> list[dict]:
    return api.get(f"/api/v1/logs/item/{item_id}?per_page=100").get_json()["items"]


def _item(api, item_id: int) -> dict:
    return api.get(f"/api/v1/items/{item_id}").get_json()


def test_a_supplier_address_is_checked_by_the_service_for_the_api_too(api):
    api.as_("manager")
    refused = api.post("/api/v1/suppliers", {"name": "Acme Parts", "email": "sales@acme..example"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"]["email"] == ["Not a valid email address."]
    made = api.post("/api/v1/suppliers", {"name": "Acme Parts", "email": "sales@acme.example"})
    patched = api.patch(f"/api/v1/suppliers/{made.get_json()['id']}", {"email": "nobody"})
    assert patched.status_code == 422 and "email" in patched.get_json()["error"]["fields"]
    for address in ("0@0.a", "a" * 65 + "@acme.example"):  # a one-letter top level; over 64 before the @
        refused = api.post("/api/v1/suppliers", {"name": "Acme Tools", "email": address})
        assert refused.status_code == 422, address
        assert refused.get_json()["error"]["fields"]["email"] == ["Not a valid email address."]


def test_supplier_crud_and_offers_with_one_preferred(api, factory):
    supplier = _supplier(api, contact="Ann", phone="+1 555 0100", notes="Net 30")
    assert (supplier["name"], supplier["lead_time_days"], supplier["contact"]) == ("Acme Parts", 5, "Ann")
    assert error_of(api.post("/api/v1/suppliers", {"name": "acme parts"}))["code"] == "duplicate"
    other = _supplier(api, name="Bolt Brothers")
    assert [s["name"] for s in api.get("/api/v1/suppliers", role="staff").get_json()] == ["Acme Parts", "Bolt Brothers"]
    assert api.patch(f"/api/v1/suppliers/{other['id']}", {"lead_time_days": 3}).get_json()["lead_time_days"] == 3

    item = factory.item()
    first = api.post(
        f"/api/v1/items/{item.id}/suppliers", {"supplier_id": supplier["id"], "pack_size": 12, "unit_price": "0.4125"}
    )
    assert first.status_code == 201, first.get_json()
    assert (first.get_json()["preferred"], first.get_json()["unit_price"]) == (True, Decimal("0.4125"))
    second = api.post(f"/api/v1/items/{item.id}/suppliers", {"supplier_id": other["id"], "preferred": True})
    assert second.get_json()["preferred"] is True
    offers = api.get(f"/api/v1/items/{item.id}/suppliers", role="staff").get_json()
    assert [(o["supplier_name"], o["preferred"]) for o in offers] == [("Bolt Brothers", True), ("Acme Parts", False)]
    assert api.post(f"/api/v1/items/{item.id}/suppliers", {"supplier_id": other["id"]}).status_code == 409
    assert api.delete(f"/api/v1/items/{item.id}/suppliers/{other['id']}").status_code == 204
    assert api.delete(f"/api/v1/suppliers/{other['id']}").status_code == 204


def test_offer_and_price_input_out_of_range_or_too_precise_is_422(api, factory):
    supplier = _supplier(api)
    item = factory.item()
    path = f"/api/v1/items/{item.id}/suppliers"
    for body, field in (
        ({"supplier_id": supplier["id"], "unit_price": "0.00001"}, "unit_price"),
        ({"supplier_id": supplier["id"], "unit_price": -1}, "unit_price"),
        ({"supplier_id": supplier["id"], "pack_size": 0}, "pack_size"),
        ({"supplier_id": supplier["id"], "pack_size": "1.5"}, "pack_size"),  # the item is counted in pieces
    ):
        answer = api.post(path, body)
        assert answer.status_code == 422, (body, answer.get_json())
        assert field in error_of(answer)["fields"]
    bad_lead = api.post("/api/v1/suppliers", {"name": "Slow", "lead_time_days": 99999})
    assert "lead_time_days" in error_of(bad_lead)["fields"]


def test_suggestions_count_on_order_round_to_packs_and_minimum_and_use_real_withdrawals(api, factory, app):
    supplier = _supplier(api, lead_time_days=10)
    bolts = factory.item(quantity=100, low_stock_threshold=0)
    _policy(api, bolts.id, reorder_point=40, max_stock=200)
    api.post(
        f"/api/v1/items/{bolts.id}/suppliers",
        {"supplier_id": supplier["id"], "pack_size": 25, "min_order_quantity": 50},
    )
    # 90 units withdrawn within the last 90 days: one a day on average.
    assert api.post(f"/api/v1/items/{bolts.id}/withdraw", {"quantity": 90}).status_code == 200
    nuts = factory.item(quantity=1, low_stock_threshold=5)
    _policy(api, nuts.id, reorder_quantity=3)
    api.post(
        f"/api/v1/items/{nuts.id}/suppliers", {"supplier_id": supplier["id"], "pack_size": 1, "min_order_quantity": 20}
    )
    loose = factory.item(quantity=0, low_stock_threshold=2)
    _policy(api, loose.id, reorder_quantity=7)
    factory.item(quantity=0, low_stock_threshold=5)  # no reorder policy: never suggested

    body = api.get(SUGGESTIONS).get_json()
    assert [g["supplier"]["name"] if g["supplier"] else None for g in body["groups"]] == ["Acme Parts", None]
    lines = {line["item_id"]: line for line in body["groups"][0]["lines"]}
    assert set(lines[bolts.id]) == {
        "item_id",
        "sku",
        "name",
        "on_hand",
        "on_order",
        "reorder_point",
        "suggested_quantity",
        "days_of_cover",
        "expected_arrival",
    }
    # 200 - 10 = 190, rounded up to whole packs of 25 -> 200
    assert (lines[bolts.id]["on_hand"], lines[bolts.id]["suggested_quantity"]) == (10, 200)
    assert lines[bolts.id]["days_of_cover"] == 10.0
    assert lines[nuts.id]["suggested_quantity"] == 20  # the minimum order
    assert lines[nuts.id]["days_of_cover"] is None  # nothing withdrawn
    assert body["groups"][1]["lines"][0]["suggested_quantity"] == 7
    assert lines[bolts.id]["expected_arrival"] == (date.today() + timedelta(days=10)).isoformat()

    # An order sent for the bolts counts as on order: 10 + 200 is above the reorder point.
    created = api.post(f"{ORDERS}/from-suggestions", {"item_ids": [bolts.id]})
    assert created.status_code == 201, created.get_json()
    order = created.get_json()[0]
    assert [(line["item_id"], line["quantity"]) for line in order["lines"]] == [(bolts.id, 200)]
    assert api.post(f"{ORDERS}/{order['id']}/send").status_code == 200
    assert _item(api, bolts.id)["on_order"] == 200
    after = api.get(f"{SUGGESTIONS}?supplier_id={supplier['id']}").get_json()
    assert [line["item_id"] for g in after["groups"] for line in g["lines"]] == [nuts.id]
    assert api.get(f"{SUGGESTIONS}?item_id={loose.id}").get_json()["groups"][0]["supplier"] is None


def test_order_life_draft_sent_partially_received_received_with_ledger_pointing_at_the_order(api, factory, world_bin):
    supplier = _supplier(api)
    item = factory.item(quantity=0)
    created = api.post(
        ORDERS, {"supplier_id": supplier["id"], "lines": [{"item_id": item.id, "quantity": 10, "unit_price": "1.5"}]}
    )
    assert created.status_code == 201, created.get_json()
    order = created.get_json()
    assert (order["state"], order["total"], order["lines"][0]["remaining"]) == ("draft", 15, 10)
    edited = api.patch(f"{ORDERS}/{order['id']}", {"lines": [{"item_id": item.id, "quantity": 12}]}).get_json()
    assert edited["lines"][0]["quantity"] == 12
    line_id = edited["lines"][0]["id"]
    assert (
        error_of(
            api.post(
                f"{ORDERS}/{order['id']}/receive",
                {"lines": [{"line_id": line_id, "quantity": 1, "location_id": world_bin}]},
                role="staff",
            )
        )["code"]
        == "invalid_state"
    )

    sent = api.post(f"{ORDERS}/{order['id']}/send")
    assert sent.get_json()["state"] == "sent"
    assert error_of(api.patch(f"{ORDERS}/{order['id']}", {"note": "late edit"}))["code"] == "invalid_state"
    assert api.post(f"{ORDERS}/{order['id']}/send").status_code == 409
    assert _item(api, item.id)["on_order"] == 12

    part = api.post(
        f"{ORDERS}/{order['id']}/receive",
        {"lines": [{"line_id": line_id, "quantity": 5, "location_id": world_bin}]},
        role="staff",
    )
    assert part.status_code == 200, part.get_json()
    assert (
        part.get_json()["state"],
        part.get_json()["lines"][0]["received"],
        part.get_json()["lines"][0]["remaining"],
    ) == ("partially_received", 5, 7)
    over = api.post(
        f"{ORDERS}/{order['id']}/receive",
        {"lines": [{"line_id": line_id, "quantity": 8, "location_id": world_bin}]},
        role="staff",
    )
    assert over.status_code == 409
    assert (error_of(over)["line_id"], error_of(over)["remaining"]) == (line_id, 7)
    assert f"Line {line_id}" in error_of(over)["message"] and "7" in error_of(over)["message"]
    rest = api.post(
        f"{ORDERS}/{order['id']}/receive",
        {"lines": [{"line_id": line_id, "quantity": 7, "location_id": world_bin}]},
        role="staff",
    )
    assert rest.get_json()["state"] == "received"

    state = _item(api, item.id)
    assert (state["quantity"], state["on_order"]) == (12, 0)
    receipts = [row for row in _ledger(api, item.id) if row["purchase_order_id"] == order["id"]]
    assert sorted(
        (row["action"], row["delta"], row["purchase_order_line_id"], row["location_id"]) for row in receipts
    ) == [
        ("restock", 5, line_id, world_bin),
        ("restock", 7, line_id, world_bin),
    ]
    assert api.post(f"{ORDERS}/{order['id']}/cancel").status_code == 409
    pdf = api.get(f"{ORDERS}/{order['id']}.pdf", role="staff")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_over_receipt_allowed_by_a_manager_on_the_order(api, factory, world_bin):
    supplier = _supplier(api)
    item = factory.item()
    order = api.post(ORDERS, {"supplier_id": supplier["id"], "lines": [{"item_id": item.id, "quantity": 4}]}).get_json()
    api.post(f"{ORDERS}/{order['id']}/send")
    line_id = order["lines"][0]["id"]
    receipt = {"lines": [{"line_id": line_id, "quantity": 6, "location_id": world_bin}]}
    assert api.post(f"{ORDERS}/{order['id']}/receive", receipt, role="staff").status_code == 409
    assert api.patch(f"{ORDERS}/{order['id']}", {"allow_over_receipt": True}, role="staff").status_code == 403
    assert api.patch(f"{ORDERS}/{order['id']}", {"allow_over_receipt": True}).status_code == 200
    done = api.post(f"{ORDERS}/{order['id']}/receive", receipt, role="staff").get_json()
    assert (done["state"], done["lines"][0]["received"], done["lines"][0]["remaining"]) == ("received", 6, 0)
    assert (_item(api, item.id)["quantity"], _item(api, item.id)["on_order"]) == (6, 0)


def test_bad_orders_are_refused_with_clear_errors(api, factory, world):
    supplier = _supplier(api)
    no_email = _supplier(api, name="Phone Only", email=None)
    item = factory.item()
    gone = factory.item()
    empty = api.post(ORDERS, {"supplier_id": supplier["id"]}).get_json()
    refused = api.post(f"{ORDERS}/{empty['id']}/send")
    assert refused.status_code == 409 and "no lines" in error_of(refused)["message"]

    assert (
        "lines.0.item_id"
        in error_of(api.post(ORDERS, {"supplier_id": supplier["id"], "lines": [{"item_id": 999999, "quantity": 1}]}))[
            "fields"
        ]
    )
    for line, field in (
        ({"item_id": item.id, "quantity": 0}, "lines"),
        ({"item_id": item.id, "quantity": "1.5"}, "lines.0.quantity"),
        ({"item_id": item.id, "quantity": 1, "unit_price": "1e12"}, "lines"),
        ({"item_id": item.id, "quantity": 1, "unit_price": "0.123456"}, "lines"),
    ):
        answer = api.post(ORDERS, {"supplier_id": supplier["id"], "lines": [line]})
        assert answer.status_code == 422, (line, answer.get_json())
        assert any(name.startswith(field) for name in error_of(answer)["fields"]), error_of(answer)

    draft = api.post(ORDERS, {"supplier_id": supplier["id"], "lines": [{"item_id": gone.id, "quantity": 1}]}).get_json()
    assert api.delete(f"/api/v1/items/{gone.id}").status_code == 204
    deleted_line = api.post(f"{ORDERS}/{draft['id']}/send")
    assert deleted_line.status_code == 409 and gone.sku in error_of(deleted_line)["message"]

    phone = api.post(ORDERS, {"supplier_id": no_email["id"], "lines": [{"item_id": item.id, "quantity": 1}]}).get_json()
    assert "supplier_id" in error_of(api.post(f"{ORDERS}/{phone['id']}/send"))["fields"]

    sent = api.post(ORDERS, {"supplier_id": supplier["id"], "lines": [{"item_id": item.id, "quantity": 3}]}).get_json()
    api.post(f"{ORDERS}/{sent['id']}/send")
    line_id = sent["lines"][0]["id"]
    structural = factory.location("Site", is_structural=True)
    into_site = api.post(
        f"{ORDERS}/{sent['id']}/receive",
        {"lines": [{"line_id": line_id, "quantity": 1, "location_id": structural.id}]},
        role="staff",
    )
    assert into_site.status_code == 422 and "location_id" in error_of(into_site)["fields"]
    unknown = api.post(
        f"{ORDERS}/{sent['id']}/receive",
        {"lines": [{"line_id": empty["id"] + 10_000, "quantity": 1, "location_id": world.location_id}]},
        role="staff",
    )
    assert unknown.status_code == 422 and "lines.0.line_id" in error_of(unknown)["fields"]
    assert _item(api, item.id)["quantity"] == 0

    cancelled = api.post(f"{ORDERS}/{sent['id']}/cancel").get_json()
    assert cancelled["state"] == "cancelled" and _item(api, item.id)["on_order"] == 0
    listed = api.get(f"{ORDERS}?state=cancelled&supplier_id={supplier['id']}", role="staff").get_json()
    assert [o["id"] for o in listed["items"]] == [sent["id"]]


@on_postgres
def test_people_receiving_the_same_line_at_once_never_exceed_the_order(api, factory, live_server, world_bin, app):
    supplier = _supplier(api)
    item = factory.item(quantity=5)
    other = factory.item(quantity=5)
    order = api.post(
        ORDERS,
        {
            "supplier_id": supplier["id"],
            "lines": [{"item_id": item.id, "quantity": 10}, {"item_id": other.id, "quantity": 10}],
        },
    ).get_json()
    api.post(f"{ORDERS}/{order['id']}/send")
    first, second = (line["id"] for line in order["lines"])
    tokens = [factory.token(factory.user("staff")) for _ in range(6)]
    # Six people at once, 3 units each of the first line (10 ordered), lines in both orders.
    bodies = [
        {
            "lines": [
                {"line_id": first, "quantity": 3, "location_id": world_bin},
                {"line_id": second, "quantity": 1, "location_id": world_bin},
            ]
        }
        if i % 2
        else {
            "lines": [
                {"line_id": second, "quantity": 1, "location_id": world_bin},
                {"line_id": first, "quantity": 3, "location_id": world_bin},
            ]
        }
        for i in range(6)
    ]
    path = f"{ORDERS}/{order['id']}/receive"
    answers = post_together(live_server, [Post(path, body, token) for body, token in zip(bodies, tokens, strict=True)])

    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 200, 200, 409, 409, 409], [a.text[:200] for a in answers]
    final = api.get(f"{ORDERS}/{order['id']}").get_json()
    received = {line["id"]: line["received"] for line in final["lines"]}
    assert received == {first: 9, second: 3}
    for item_id, expected in ((item.id, 5 + 9), (other.id, 5 + 3)):
        body = _item(api, item_id)
        assert body["quantity"] == expected
        assert sum(level["quantity"] for level in body["stock"]) == expected
        assert sum(row["delta"] for row in _ledger(api, item_id)) == expected  # the ledger adds up to the levels
    assert (_item(api, item.id)["on_order"], _item(api, other.id)["on_order"]) == (1, 7)


def test_every_order_event_is_published_after_commit(api, factory, world_bin, app):
    from tests.helpers.events import collecting

    supplier = _supplier(api)
    item = factory.item()
    with collecting(app) as events:
        order = api.post(
            ORDERS, {"supplier_id": supplier["id"], "lines": [{"item_id": item.id, "quantity": 2}]}
        ).get_json()
        api.post(f"{ORDERS}/{order['id']}/send")
        api.post(
            f"{ORDERS}/{order['id']}/receive",
            {"lines": [{"line_id": order["lines"][0]["id"], "quantity": 2, "location_id": world_bin}]},
            role="staff",
        )
    names = [name for name, _payload in events]
    assert names.count("purchase_order_updated") == 3
    assert "stock_changed" in names
    assert [p["state"] for n, p in events if n == "purchase_order_updated"] == ["draft", "sent", "received"]


def test_staff_may_receive_but_not_buy(api, factory, world_bin):
    supplier = _supplier(api)
    item = factory.item()
    assert (
        api.post(
            ORDERS, {"supplier_id": supplier["id"], "lines": [{"item_id": item.id, "quantity": 1}]}, role="staff"
        ).status_code
        == 403
    )
    order = api.post(ORDERS, {"supplier_id": supplier["id"], "lines": [{"item_id": item.id, "quantity": 1}]}).get_json()
    for verb in ("send", "cancel"):
        assert api.post(f"{ORDERS}/{order['id']}/{verb}", role="staff").status_code == 403
    assert api.get(SUGGESTIONS, role="staff").status_code == 403
    assert api.post("/api/v1/suppliers", {"name": "X"}, role="staff").status_code == 403


def test_answer_dates_follow_the_lead_time(api, factory):
    supplier = _supplier(api, lead_time_days=12)
    item = factory.item()
    order = api.post(ORDERS, {"supplier_id": supplier["id"], "lines": [{"item_id": item.id, "quantity": 1}]}).get_json()
    assert order["expected_date"] == (date.today() + timedelta(days=12)).isoformat()
    assert buy  # the shared helpers are importable
