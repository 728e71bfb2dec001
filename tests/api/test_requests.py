"""Carts and stock requests over HTTP: the life of a request, JSON errors, roles, and races."""

from __future__ import annotations

import os

import pytest

from tests.helpers.api import error_of
from tests.helpers.concurrency import Post, post_together

pytestmark = pytest.mark.core
on_postgres = pytest.mark.skipif(os.environ.get("TEST_DB") == "sqlite", reason="row locks need PostgreSQL")

CART = "/api/v1/carts/current/lines"
SUBMIT = "/api/v1/carts/current/submit"


def _quantity(api, item_id: int, location_id: int | None = None) -> int:
    body = api.get(f"/api/v1/items/{item_id}").get_json()
    if location_id is None:
        return body["quantity"]
    return next((s["quantity"] for s in body["stock"] if s["location_id"] == location_id), 0)


def _request_ledger(api, item_id: int, request_id: int) -> list[tuple[str, int]]:
    rows = api.get(f"/api/v1/logs/item/{item_id}?per_page=100").get_json()["items"]
    return sorted((row["action"], row["delta"]) for row in rows if row["stock_request_id"] == request_id)


def _submitted(api, factory, role: str, lines: list[tuple[int, int]], **body) -> int:
    for item_id, quantity in lines:
        assert api.post(CART, {"item_id": item_id, "quantity": quantity}, role=role).status_code == 201
    response = api.post(SUBMIT, {"kind": "pick", **body}, role=role)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_pick_request_life_over_http_moves_stock_once_and_logs_the_request_id(api, factory):
    item = factory.item(quantity=10)
    added = api.post(CART, {"item_id": item.id, "quantity": 12}, role="staff")
    assert added.status_code == 201
    line = added.get_json()
    assert (line["quantity"], line["available"], line["short"], line["location_id"]) == (12, 10, True, item.location_id)

    changed = api.patch(f"{CART}/{line['id']}", {"quantity": 4}, role="staff").get_json()
    assert (changed["quantity"], changed["short"]) == (4, False)
    cart = api.get(CART, role="staff").get_json()
    assert (cart["line_count"], cart["total_quantity"], cart["has_short_lines"]) == (1, 4, False)

    submitted = api.post(SUBMIT, {"kind": "pick", "note": "Order 77", "needed_by": "2999-01-31"}, role="staff")
    assert submitted.status_code == 201
    request = submitted.get_json()
    assert (request["state"], request["kind"], request["note"], request["needed_by"]) == (
        "submitted",
        "pick",
        "Order 77",
        "2999-01-31",
    )
    assert api.get(CART, role="staff").get_json()["lines"] == []

    approved = api.post(f"/api/v1/requests/{request['id']}/approve")
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["state"] == "approved"
    assert approved.get_json()["decided_by_email"] == api.users["manager"].email
    assert _quantity(api, item.id) == 6
    assert _request_ledger(api, item.id, request["id"]) == [("withdraw", -4)]

    again = api.post(f"/api/v1/requests/{request['id']}/approve")
    assert again.status_code == 409 and error_of(again)["code"] == "invalid_state"
    assert _quantity(api, item.id) == 6

    fulfilled = api.post(f"/api/v1/requests/{request['id']}/fulfil", {}, role="staff")
    assert fulfilled.status_code == 200 and fulfilled.get_json()["state"] == "fulfilled"
    detail = api.get(f"/api/v1/requests/{request['id']}", role="staff").get_json()
    assert [h["state"] for h in detail["history"]] == ["submitted", "approved", "fulfilled"]
    assert detail["history"][1]["user_email"] == api.users["manager"].email


def test_transfer_request_needs_a_destination_then_moves_units_there(api, factory):
    a, b = factory.location("A"), factory.location("B")
    item = factory.item(quantity=9, location=a)
    api.post(CART, {"item_id": item.id, "quantity": 5, "location_id": a.id}, role="staff")

    missing = api.post(SUBMIT, {"kind": "transfer"}, role="staff")
    assert missing.status_code == 422
    assert "destination_location_id" in error_of(missing)["fields"]

    request = api.post(SUBMIT, {"kind": "transfer", "destination_location_id": b.id}, role="staff").get_json()
    assert request["destination_location_name"] == "B"
    assert api.post(f"/api/v1/requests/{request['id']}/approve").status_code == 200
    assert (_quantity(api, item.id, a.id), _quantity(api, item.id, b.id), _quantity(api, item.id)) == (4, 5, 9)
    assert _request_ledger(api, item.id, request["id"]) == [("transfer", -5), ("transfer", 5)]


def test_approve_short_request_is_409_naming_every_short_line_and_moves_nothing(api, factory):
    ok, short1, short2 = factory.item(quantity=20), factory.item(quantity=1), factory.item(quantity=0)
    request_id = _submitted(api, factory, "staff", [(ok.id, 5), (short1.id, 2), (short2.id, 3)])

    preview = api.get(f"/api/v1/requests/{request_id}").get_json()
    assert sorted(line["item_id"] for line in preview["short_lines"]) == sorted([short1.id, short2.id])

    response = api.post(f"/api/v1/requests/{request_id}/approve")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "insufficient_stock"
    assert sorted((s["item_id"], s["requested"], s["available"]) for s in error["shortages"]) == sorted(
        [(short1.id, 2, 1), (short2.id, 3, 0)]
    )
    assert all(s["name"] and s["location_name"] for s in error["shortages"])
    assert (_quantity(api, ok.id), _quantity(api, short1.id)) == (20, 1)
    assert api.get(f"/api/v1/requests/{request_id}").get_json()["state"] == "submitted"


def test_reject_needs_a_reason_and_moves_nothing(api, factory):
    item = factory.item(quantity=5)
    request_id = _submitted(api, factory, "staff", [(item.id, 2)])
    blank = api.post(f"/api/v1/requests/{request_id}/reject", {"reason": " "})
    assert blank.status_code == 422 and "reason" in error_of(blank)["fields"]
    rejected = api.post(f"/api/v1/requests/{request_id}/reject", {"reason": "Not this week"})
    assert rejected.status_code == 200
    assert (rejected.get_json()["state"], rejected.get_json()["reason"]) == ("rejected", "Not this week")
    assert _quantity(api, item.id) == 5
    late = api.post(f"/api/v1/requests/{request_id}/cancel", {}, role="staff")
    assert late.status_code == 409 and error_of(late)["code"] == "invalid_state"


def test_staff_sees_and_cancels_only_their_own_requests(api, factory):
    item = factory.item(quantity=5)
    other_staff = factory.user("staff")
    other_headers = factory.headers(user=other_staff)
    mine = _submitted(api, factory, "staff", [(item.id, 1)])
    theirs_line = api.call("POST", CART, None, json={"item_id": item.id, "quantity": 1}, headers=other_headers)
    assert theirs_line.status_code == 201
    theirs = api.call("POST", SUBMIT, None, json={"kind": "pick"}, headers=other_headers).get_json()["id"]

    listed = api.get("/api/v1/requests", role="staff").get_json()
    assert [r["id"] for r in listed["items"]] == [mine] and listed["total"] == 1
    assert api.get(f"/api/v1/requests/{theirs}", role="staff").status_code == 403
    refused = api.post(f"/api/v1/requests/{theirs}/cancel", {}, role="staff")
    assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"
    assert api.post(f"/api/v1/requests/{mine}/cancel", {"note": "Changed my mind"}, role="staff").status_code == 200

    everyone = api.get("/api/v1/requests?per_page=1").get_json()
    assert (everyone["total"], everyone["pages"], len(everyone["items"])) == (2, 2, 1)
    waiting = api.get("/api/v1/requests?state=submitted").get_json()
    assert [r["id"] for r in waiting["items"]] == [theirs]
    assert api.get("/api/v1/requests?state=lost").status_code == 422


def test_staff_cannot_approve_or_reject_and_anonymous_gets_401(api, factory):
    item = factory.item(quantity=5)
    request_id = _submitted(api, factory, "staff", [(item.id, 1)])
    for verb, body in (("approve", None), ("reject", {"reason": "no"})):
        response = api.post(f"/api/v1/requests/{request_id}/{verb}", body, role="staff")
        assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    for method, path in (("GET", CART), ("POST", SUBMIT), ("GET", "/api/v1/requests")):
        assert api.call(method, path, None, json={}).status_code == 401
    assert _quantity(api, item.id) == 5


def test_cart_errors_name_fields_and_unknown_ids_are_404(api, factory):
    item = factory.item(quantity=5)
    bad = api.post(CART, {"item_id": item.id, "quantity": 0}, role="staff")
    assert bad.status_code == 422 and "quantity" in error_of(bad)["fields"]
    unknown = api.post(CART, {"item_id": 424242, "quantity": 1}, role="staff")
    assert unknown.status_code == 422 and "item_id" in error_of(unknown)["fields"]
    assert api.patch(f"{CART}/999", {"quantity": 1}, role="staff").status_code == 404
    assert api.delete(f"{CART}/999", role="staff").status_code == 404
    assert api.get("/api/v1/requests/999").status_code == 404
    assert api.post("/api/v1/requests/999/approve").status_code == 404
    empty = api.post(SUBMIT, {"kind": "pick"}, role="staff")
    assert empty.status_code == 409
    line = api.post(CART, {"item_id": item.id, "quantity": 1}, role="staff").get_json()
    assert api.delete(f"{CART}/{line['id']}", role="staff").status_code == 204
    api.post(CART, {"item_id": item.id, "quantity": 1}, role="staff")
    assert api.delete(CART, role="staff").status_code == 204
    assert api.get(CART, role="staff").get_json()["line_count"] == 0


@on_postgres
def test_two_managers_approving_competing_requests_over_http_at_once(api, factory, live_server):
    scarce = factory.item(quantity=6)
    first = _submitted(api, factory, "staff", [(scarce.id, 4)])
    second = _submitted(api, factory, "admin", [(scarce.id, 5)])
    tokens = [factory.token(factory.user("manager")) for _ in range(2)]

    answers = post_together(
        live_server,
        [
            Post(f"/api/v1/requests/{first}/approve", {}, tokens[0]),
            Post(f"/api/v1/requests/{second}/approve", {}, tokens[1]),
        ],
    )

    assert sorted(a.status_code for a in answers) == [200, 409]
    winner = next(i for i, a in enumerate(answers) if a.status_code == 200)
    loser = answers[1 - winner].json()["error"]
    asked = {0: 4, 1: 5}
    assert loser["code"] == "insufficient_stock"
    assert [(s["item_id"], s["requested"], s["available"]) for s in loser["shortages"]] == [
        (scarce.id, asked[1 - winner], 6 - asked[winner])
    ]
    assert _quantity(api, scarce.id) == 6 - asked[winner]
    assert _request_ledger(api, scarce.id, (first, second)[1 - winner]) == []


@on_postgres
def test_same_request_approved_twice_over_http_at_once_moves_stock_once(api, factory, live_server):
    item = factory.item(quantity=10)
    request_id = _submitted(api, factory, "staff", [(item.id, 3)])
    tokens = [factory.token(factory.user("manager")) for _ in range(2)]

    answers = post_together(live_server, [Post(f"/api/v1/requests/{request_id}/approve", {}, t) for t in tokens])

    assert sorted(a.status_code for a in answers) == [200, 409]
    assert next(a for a in answers if a.status_code == 409).json()["error"]["code"] == "invalid_state"
    assert _quantity(api, item.id) == 7
    assert _request_ledger(api, item.id, request_id) == [("withdraw", -3)]
