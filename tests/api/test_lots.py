"""Lots over HTTP (issue 27): tracking per item, receipts naming their lot, FEFO withdrawals and
transfers split over lots, blocked and expired lots skipped, a lot's edit, the ledger's lot_id."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers.api import db_scalar, error_of

TODAY = date.today()


def _day(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


def _restock(api, item, lot, quantity, expires_on=None, role="staff", **extra):
    body = {"quantity": quantity, "lot": lot, **extra}
    if expires_on is not None:
        body["expires_on"] = expires_on
    return api.post(f"/api/v1/items/{item.id}/restock", body, role=role)


@pytest.fixture()
def lot_item(factory):
    return factory.item(tracking="lot", location=factory.location("Cold room"))


def _sums_agree(app, item_id):
    """The item's lot levels sum to its stock levels at every place, and those to its total."""
    from app.models import Item, LotLevel, StockLevel

    lots = dict(
        db_scalar(
            app,
            sa.select(sa.func.json_object_agg(sa.text("location_id"), sa.text("q"))).select_from(
                sa.select(LotLevel.location_id, sa.func.sum(LotLevel.quantity).label("q"))
                .where(LotLevel.item_id == item_id)
                .group_by(LotLevel.location_id)
                .subquery()
            ),
        )
        or {}
    )
    levels = dict(
        db_scalar(
            app,
            sa.select(sa.func.json_object_agg(StockLevel.location_id, StockLevel.quantity)).where(
                StockLevel.item_id == item_id, StockLevel.quantity != 0
            ),
        )
        or {}
    )
    total = db_scalar(app, sa.select(Item.quantity).where(Item.id == item_id))
    assert {k: v for k, v in lots.items() if v} == levels
    assert sum(levels.values()) == total


def test_item_takes_tracking_shelf_life_and_expiry_required(api, factory):
    location = factory.location()
    body = api.post(
        "/api/v1/items",
        {"sku": "MILK-1", "name": "Milk", "location_id": location.id, "tracking": "lot", "shelf_life_days": 10},
    ).get_json()
    assert (body["tracking"], body["shelf_life_days"], body["expiry_required"]) == ("lot", 10, False)
    plain = factory.item()
    assert api.get(f"/api/v1/items/{plain.id}").get_json()["tracking"] == "none"


def test_changing_tracking_while_the_item_holds_stock_is_409(api, factory):
    item = factory.item(quantity=3)
    response = api.patch(f"/api/v1/items/{item.id}", {"tracking": "lot", "version": 1})
    assert response.status_code == 409 and error_of(response)["code"] == "item_has_stock"
    assert api.get(f"/api/v1/items/{item.id}").get_json()["tracking"] == "none"
    empty = factory.item()
    changed = api.patch(f"/api/v1/items/{empty.id}", {"tracking": "serial", "version": 1})
    assert changed.status_code == 200 and changed.get_json()["tracking"] == "serial"


def test_restock_of_a_lot_item_needs_the_lot(api, lot_item, app):
    response = api.post(f"/api/v1/items/{lot_item.id}/restock", {"quantity": 5}, role="staff")
    assert response.status_code == 422 and "lot" in error_of(response)["fields"]
    assert api.get(f"/api/v1/items/{lot_item.id}").get_json()["quantity"] == 0


def test_a_new_code_creates_the_lot_and_a_known_code_adds_to_it(api, lot_item, app):
    first = _restock(api, lot_item, "L-1", 5, _day(30)).get_json()
    assert first["lots"] == [
        {"lot": "L-1", "lot_id": first["lots"][0]["lot_id"], "quantity": 5, "expires_on": _day(30)}
    ]
    assert first["movements"][0]["lot_id"] == first["lots"][0]["lot_id"]
    again = _restock(api, lot_item, "L-1", 2).get_json()
    assert again["quantity"] == 7
    assert again["stock"] == [
        {
            "location_id": lot_item.location_id,
            "location_name": "Cold room",
            "quantity": 7,
            "lot_id": first["lots"][0]["lot_id"],
            "lot": "L-1",
            "expires_on": _day(30),
        }
    ]
    _sums_agree(app, lot_item.id)


def test_a_known_lot_with_another_expiry_is_409(api, lot_item):
    _restock(api, lot_item, "L-1", 5, _day(30))
    response = _restock(api, lot_item, "L-1", 5, _day(31))
    assert response.status_code == 409 and error_of(response)["code"] == "lot_expiry_mismatch"
    assert api.get(f"/api/v1/items/{lot_item.id}").get_json()["quantity"] == 5


def test_shelf_life_dates_a_lot_received_without_a_date_and_expiry_required_refuses_none(api, factory):
    fresh = factory.item(tracking="lot", shelf_life_days=14)
    body = _restock(api, fresh, "B-1", 1).get_json()
    assert body["lots"][0]["expires_on"] == _day(14)
    strict = factory.item(tracking="lot", expiry_required=True)
    response = _restock(api, strict, "B-1", 1)
    assert response.status_code == 422 and "expires_on" in error_of(response)["fields"]
    assert _restock(api, strict, "B-1", 1, _day(-3)).status_code == 200  # found already expired


def test_fefo_takes_the_earliest_expiry_first_and_splits_over_lots(api, lot_item, app):
    _restock(api, lot_item, "LATE", 5, _day(60))
    _restock(api, lot_item, "NODATE", 5)
    _restock(api, lot_item, "SOON", 3, _day(10))
    body = api.post(f"/api/v1/items/{lot_item.id}/withdraw", {"quantity": 6}, role="staff").get_json()
    assert [(e["lot"], e["quantity"]) for e in body["lots"]] == [("SOON", 3), ("LATE", 3)]
    assert [m["delta"] for m in body["movements"]] == [-3, -3]
    assert len({m["lot_id"] for m in body["movements"]}) == 2
    assert body["quantity"] == 7
    assert {s["lot"]: s["quantity"] for s in body["stock"]} == {"LATE": 2, "NODATE": 5}
    _sums_agree(app, lot_item.id)


def test_fefo_takes_lots_without_a_date_last_then_the_oldest(api, lot_item):
    _restock(api, lot_item, "OLD", 2)
    _restock(api, lot_item, "NEW", 2)
    body = api.post(f"/api/v1/items/{lot_item.id}/withdraw", {"quantity": 3}, role="staff").get_json()
    assert [(e["lot"], e["quantity"]) for e in body["lots"]] == [("OLD", 2), ("NEW", 1)]


def test_fefo_skips_blocked_and_expired_lots(api, lot_item):
    _restock(api, lot_item, "GONE", 4, _day(-1))
    blocked = _restock(api, lot_item, "HELD", 4, _day(1)).get_json()["lots"][0]["lot_id"]
    _restock(api, lot_item, "GOOD", 4, _day(90))
    assert api.patch(f"/api/v1/lots/{blocked}", {"status": "blocked"}).status_code == 200
    body = api.post(f"/api/v1/items/{lot_item.id}/withdraw", {"quantity": 4}, role="staff").get_json()
    assert [(e["lot"], e["quantity"]) for e in body["lots"]] == [("GOOD", 4)]


def test_only_expired_stock_is_409_unless_a_manager_allows_it(api, lot_item, app):
    _restock(api, lot_item, "GONE", 4, _day(-1))
    _restock(api, lot_item, "GOOD", 1, _day(90))
    refused = api.post(f"/api/v1/items/{lot_item.id}/withdraw", {"quantity": 3}, role="staff")
    assert refused.status_code == 409 and error_of(refused)["code"] == "only_expired_stock"
    staff = api.post(f"/api/v1/items/{lot_item.id}/withdraw", {"quantity": 3, "allow_expired": True}, role="staff")
    assert staff.status_code == 403
    assert api.get(f"/api/v1/items/{lot_item.id}").get_json()["quantity"] == 5
    allowed = api.post(f"/api/v1/items/{lot_item.id}/withdraw", {"quantity": 3, "allow_expired": True})
    assert allowed.status_code == 200
    assert [(e["lot"], e["quantity"]) for e in allowed.get_json()["lots"]] == [("GOOD", 1), ("GONE", 2)]
    _sums_agree(app, lot_item.id)


def test_more_than_every_lot_holds_is_insufficient_stock(api, lot_item):
    _restock(api, lot_item, "A", 2, _day(5))
    response = api.post(f"/api/v1/items/{lot_item.id}/withdraw", {"quantity": 3}, role="staff")
    assert response.status_code == 409 and error_of(response)["code"] == "insufficient_stock"
    assert error_of(response)["available"] == 2


def test_a_named_lot_is_the_only_one_used_and_a_blocked_one_is_409(api, lot_item):
    _restock(api, lot_item, "A", 2, _day(5))
    b = _restock(api, lot_item, "B", 5, _day(50)).get_json()["lots"][0]["lot_id"]
    body = api.post(f"/api/v1/items/{lot_item.id}/withdraw", {"quantity": 3, "lot": "B"}, role="staff").get_json()
    assert [(e["lot"], e["quantity"]) for e in body["lots"]] == [("B", 3)]
    api.patch(f"/api/v1/lots/{b}", {"status": "blocked"})
    response = api.post(f"/api/v1/items/{lot_item.id}/withdraw", {"quantity": 1, "lot": "B"}, role="staff")
    assert response.status_code == 409 and error_of(response)["code"] == "lot_blocked"
    short = api.post(f"/api/v1/items/{lot_item.id}/withdraw", {"quantity": 3, "lot": "A"}, role="staff")
    assert short.status_code == 409 and error_of(short)["code"] == "insufficient_stock"


def test_transfer_picks_fefo_and_keeps_each_lot_at_its_new_place(api, factory, app):
    a, b = factory.location("Aisle A"), factory.location("Aisle B")
    item = factory.item(tracking="lot", location=a)
    _restock(api, item, "X", 2, _day(3))
    _restock(api, item, "Y", 5, _day(30))
    body = api.post(
        f"/api/v1/items/{item.id}/transfer", {"from_location_id": a.id, "to_location_id": b.id, "quantity": 4}
    ).get_json()
    assert [(e["lot"], e["quantity"]) for e in body["lots"]] == [("X", 2), ("Y", 2)]
    assert sorted((s["location_name"], s["lot"], s["quantity"]) for s in body["stock"]) == [
        ("Aisle A", "Y", 3),
        ("Aisle B", "X", 2),
        ("Aisle B", "Y", 2),
    ]
    assert len(body["movements"]) == 4 and body["quantity"] == 7
    _sums_agree(app, item.id)


def test_item_lots_lists_each_lot_with_its_levels_and_logs_filter_by_lot(api, lot_item):
    lot_id = _restock(api, lot_item, "L-9", 5, _day(8)).get_json()["lots"][0]["lot_id"]
    _restock(api, lot_item, "L-10", 1)
    (first, second) = api.get(f"/api/v1/items/{lot_item.id}/lots", role="staff").get_json()
    assert {k: first[k] for k in ("id", "code", "expires_on", "status", "quantity")} == {
        "id": lot_id,
        "code": "L-9",
        "expires_on": _day(8),
        "status": "available",
        "quantity": 5,
    }
    assert first["levels"] == [{"location_id": lot_item.location_id, "path": "Cold room", "quantity": 5}]
    assert second["code"] == "L-10" and second["expires_on"] is None
    logs = api.get(f"/api/v1/logs?lot_id={lot_id}").get_json()["items"]
    assert [(e["action"], e["delta"], e["lot_id"]) for e in logs] == [("restock", 5, lot_id)]


def test_patch_lot_is_for_managers_and_allows_a_past_date(api, lot_item):
    lot_id = _restock(api, lot_item, "L-1", 5, _day(8)).get_json()["lots"][0]["lot_id"]
    assert api.patch(f"/api/v1/lots/{lot_id}", {"status": "blocked"}, role="staff").status_code == 403
    body = api.patch(f"/api/v1/lots/{lot_id}", {"expires_on": _day(-2)}).get_json()
    assert body["expires_on"] == _day(-2) and body["quantity"] == 5
    assert api.patch(f"/api/v1/lots/{lot_id}", {"status": "gone"}).status_code == 422
    assert api.patch("/api/v1/lots/999999", {"status": "blocked"}).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": 1, "lot": ""}, "lot"),
        ({"quantity": 1, "lot": "x" * 65}, "lot"),
        ({"quantity": 1, "lot": "A\x07B"}, "lot"),
        ({"quantity": 1, "lot": "A", "expires_on": "31/12/2027"}, "expires_on"),
        ({"quantity": 1, "lot": "A", "expires_on": "2027-02-30"}, "expires_on"),
    ],
)
def test_bad_lot_input_is_422_naming_the_field_and_changes_nothing(api, lot_item, body, field):
    response = api.post(f"/api/v1/items/{lot_item.id}/restock", body, role="staff")
    assert response.status_code == 422 and field in error_of(response)["fields"]
    assert api.get(f"/api/v1/items/{lot_item.id}/lots").get_json() == []


def test_lot_or_serials_on_an_untracked_item_is_422(api, factory):
    item = factory.item(quantity=5)
    for body in ({"quantity": 1, "lot": "A"}, {"serials": ["SN-1"]}):
        response = api.post(f"/api/v1/items/{item.id}/withdraw", body, role="staff")
        assert response.status_code == 422, body
    assert api.get(f"/api/v1/items/{item.id}").get_json()["quantity"] == 5


def test_untracked_answers_keep_their_shape(api, factory):
    item = factory.item(quantity=5)
    body = api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 1}, role="staff").get_json()
    assert "lots" not in body and "serials" not in body
    assert set(body["stock"][0]) == {"location_id", "location_name", "quantity"}


def test_a_scan_batch_moves_a_lot_item_by_fefo_and_refuses_a_serial_item(api, app, factory, lot_item):
    _restock(api, lot_item, "LATE", 3, _day(30))
    _restock(api, lot_item, "SOON", 1, _day(3))
    other = factory.location("Bench")
    batch = {"mode": "move", "from_location_id": lot_item.location_id, "to_location_id": other.id}
    moved = api.post(
        "/api/v1/scan/batches", {**batch, "lines": [{"item_id": lot_item.id, "quantity": 2}]}, role="staff"
    )
    assert moved.status_code in (200, 201), moved.get_json()
    lots = {
        (s["location_name"], s["lot"]): s["quantity"]
        for s in api.get(f"/api/v1/items/{lot_item.id}").get_json()["stock"]
    }
    assert lots == {("Cold room", "LATE"): 2, ("Bench", "SOON"): 1, ("Bench", "LATE"): 1}
    _sums_agree(app, lot_item.id)
    units = factory.item(tracking="serial", location=factory.location())
    api.post(f"/api/v1/items/{units.id}/restock", {"serials": ["S-1"]})
    refused = api.post(
        "/api/v1/scan/batches",
        {**batch, "from_location_id": units.location_id, "lines": [{"item_id": units.id, "quantity": 1}]},
        role="staff",
    )
    assert refused.status_code == 422, refused.get_json()
    assert api.get(f"/api/v1/items/{units.id}").get_json()["quantity"] == 1


def test_approving_a_request_for_a_lot_item_picks_fefo_and_the_trace_names_the_request(api, app, factory, lot_item):
    from app.extensions import db
    from app.models import User
    from app.services.requests import carts
    from app.services.requests import workflow as requests

    _restock(api, lot_item, "LATE", 3, _day(30))
    soon = _restock(api, lot_item, "SOON", 1, _day(3)).get_json()["lots"][0]["lot_id"]
    manager = factory.user("manager")
    with app.test_request_context():
        actor = db.session.get(User, manager.id)
        carts.add_line(actor, lot_item.id, 2)
        request_id = requests.submit(actor, kind="pick").id
        requests.approve(request_id, actor=actor)
        db.session.remove()
    assert api.get(f"/api/v1/items/{lot_item.id}").get_json()["quantity"] == 2
    withdrawn = api.get(f"/api/v1/lots/{soon}/trace").get_json()["withdrawn"]
    assert [(w["quantity"], w["request_id"]) for w in withdrawn] == [(1, request_id)]
    _sums_agree(app, lot_item.id)
