"""Serial numbers over HTTP (issue 27): movements name their units, one ledger row per unit, the
409s of a unit in the wrong place, whole quantities, the list and one unit's history."""

from __future__ import annotations

import pytest

from tests.helpers.api import error_of


@pytest.fixture()
def unit_item(factory):
    return factory.item(tracking="serial", location=factory.location("Cage"))


def _post(api, item, verb, body, role="staff"):
    return api.post(f"/api/v1/items/{item.id}/{verb}", body, role=role)


def test_restock_names_the_units_and_writes_one_row_each(api, unit_item):
    body = _post(api, unit_item, "restock", {"serials": ["SN-1", "SN-2"]}).get_json()
    assert body["quantity"] == 2 and body["serials"] == ["SN-1", "SN-2"]
    assert [(m["serial"], m["delta"]) for m in body["movements"]] == [("SN-1", 1), ("SN-2", 1)]
    listed = api.get(f"/api/v1/items/{unit_item.id}/serials?state=in_stock", role="staff").get_json()
    assert [(u["serial"], u["state"], u["path"]) for u in listed] == [
        ("SN-1", "in_stock", "Cage"),
        ("SN-2", "in_stock", "Cage"),
    ]


def test_restocking_a_serial_in_stock_is_409_naming_it(api, unit_item):
    _post(api, unit_item, "restock", {"serials": ["SN-1"]})
    response = _post(api, unit_item, "restock", {"serials": ["SN-3", "SN-1"]})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "serial_in_stock" and error["serial"] == "SN-1"
    assert api.get(f"/api/v1/items/{unit_item.id}").get_json()["quantity"] == 1


def test_withdrawing_a_unit_not_here_is_409_and_a_withdrawn_one_may_come_back(api, factory, unit_item):
    _post(api, unit_item, "restock", {"serials": ["SN-1", "SN-2"]})
    elsewhere = factory.location()
    response = _post(api, unit_item, "withdraw", {"serials": ["SN-1"], "location_id": elsewhere.id})
    assert response.status_code == 409 and error_of(response)["code"] == "serial_not_here"
    assert error_of(response)["serial"] == "SN-1"
    done = _post(api, unit_item, "withdraw", {"serials": ["SN-1"], "quantity": 1}).get_json()
    assert done["quantity"] == 1
    again = _post(api, unit_item, "withdraw", {"serials": ["SN-1"]})
    assert again.status_code == 409 and error_of(again)["code"] == "serial_not_here"
    assert _post(api, unit_item, "restock", {"serials": ["SN-1"]}).status_code == 200  # returned


def test_transfer_moves_named_units(api, factory, unit_item):
    other = factory.location("Shelf 2")
    _post(api, unit_item, "restock", {"serials": ["SN-1", "SN-2"]})
    body = _post(
        api,
        unit_item,
        "transfer",
        {"from_location_id": unit_item.location_id, "to_location_id": other.id, "serials": ["SN-2"]},
    ).get_json()
    assert {s["location_name"]: s["quantity"] for s in body["stock"]} == {"Cage": 1, "Shelf 2": 1}
    unit = api.get(f"/api/v1/items/{unit_item.id}/serials/SN-2", role="staff").get_json()
    assert (unit["state"], unit["path"]) == ("in_stock", "Shelf 2")
    assert [m["action"] for m in unit["movements"]] == ["restock", "transfer", "transfer"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"serials": ["SN-1", "SN-1"]}, "serials"),
        ({"serials": ["SN-1"], "quantity": 2}, "quantity"),
        ({"quantity": 1.5, "serials": ["SN-1"]}, "quantity"),
        ({"quantity": 1}, "serials"),
        ({"serials": [""]}, "serials"),
        ({"serials": ["SN-1"], "lot": "A"}, "lot"),
    ],
)
def test_bad_serial_input_is_422_and_changes_nothing(api, unit_item, body, field):
    response = _post(api, unit_item, "restock", body)
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"]
    assert api.get(f"/api/v1/items/{unit_item.id}/serials").get_json() == []


def test_an_unknown_serial_is_404(api, unit_item):
    assert api.get(f"/api/v1/items/{unit_item.id}/serials/NOPE").status_code == 404


def test_a_serial_item_takes_whole_units_only(api, factory):
    location = factory.location()
    response = api.post(
        "/api/v1/items",
        {"sku": "PHONE-1", "name": "Phone", "location_id": location.id, "tracking": "serial", "decimals": 2},
    )
    assert response.status_code == 422 and "decimals" in error_of(response)["fields"]


def test_a_stock_take_of_units_writes_off_the_missing_and_moves_the_misplaced_here(api, factory, unit_item):
    other = factory.location("Back room")
    _post(api, unit_item, "restock", {"serials": ["SN-1", "SN-2"]})
    _post(api, unit_item, "restock", {"serials": ["SN-9"], "location_id": other.id})
    body = api.post(
        f"/api/v1/items/{unit_item.id}/adjust",
        {"location_id": unit_item.location_id, "serials": ["SN-1", "SN-9"], "note": "Count"},
    ).get_json()
    assert sorted(body["serials"]) == ["SN-2", "SN-9"]
    assert {s["location_name"]: s["quantity"] for s in body["stock"] if s["quantity"]} == {"Cage": 2}
    units = {u["serial"]: (u["state"], u["path"]) for u in api.get(f"/api/v1/items/{unit_item.id}/serials").get_json()}
    assert units == {"SN-1": ("in_stock", "Cage"), "SN-2": ("withdrawn", None), "SN-9": ("in_stock", "Cage")}


def test_a_stock_take_whose_count_disagrees_with_the_units_is_422(api, unit_item):
    response = api.post(
        f"/api/v1/items/{unit_item.id}/adjust",
        {"location_id": unit_item.location_id, "serials": ["SN-1"], "counted_quantity": 2, "note": "Count"},
    )
    assert response.status_code == 422 and "counted_quantity" in error_of(response)["fields"]


def test_logs_filter_by_serial_and_events_name_the_unit(api, app, unit_item):
    from tests.helpers.events import collecting

    with collecting(app, "stock_changed") as seen:
        _post(api, unit_item, "restock", {"serials": ["SN-1", "SN-2"]})
    assert [payload["serial"] for _name, payload in seen] == ["SN-1", "SN-2"]
    _post(api, unit_item, "withdraw", {"serials": ["SN-2"]})
    rows = api.get("/api/v1/logs?serial=SN-2").get_json()["items"]
    assert [(r["action"], r["serial"], r["delta"]) for r in rows] == [("withdraw", "SN-2", -1), ("restock", "SN-2", 1)]
