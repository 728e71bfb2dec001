"""Barcodes on items, and GET /api/v1/scan resolving every kind of code to an item or a location."""

from __future__ import annotations

import pytest

from tests.helpers.api import error_of

pytestmark = pytest.mark.core

EAN = "4006381333931"  # a real EAN-13 (check digit 1)
UPC = "036000291452"  # a real UPC-A (check digit 2)


def _set_barcodes(api, item_id, codes, role="manager", method="patch"):
    version = api.get(f"/api/v1/items/{item_id}").get_json()["version"]
    return getattr(api, method)(f"/api/v1/items/{item_id}", json={"barcodes": codes, "version": version}, role=role)


def test_barcodes_are_set_with_patch_and_shown_on_the_item(api, factory):
    item = factory.item()
    response = _set_barcodes(api, item.id, [EAN, " ACME-77/x ", UPC])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["barcodes"] == [EAN, "ACME-77/x", UPC]
    assert api.get(f"/api/v1/items/{item.id}").get_json()["barcodes"] == [EAN, "ACME-77/x", UPC]
    assert _set_barcodes(api, item.id, [UPC]).get_json()["barcodes"] == [UPC]


def test_put_sets_barcodes_with_the_other_fields(api, factory):
    item = factory.item()
    body = {"sku": item.sku, "name": "Renamed", "location_id": item.location_id, "version": 1, "barcodes": [EAN]}
    response = api.put(f"/api/v1/items/{item.id}", json=body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["barcodes"] == [EAN]


@pytest.mark.parametrize("bad", ["4006381333932", "036000291453", "has space", ""])
def test_a_wrong_check_digit_or_unprintable_code_is_422_naming_barcodes(api, factory, bad):
    item = factory.item()
    response = _set_barcodes(api, item.id, [bad])
    assert response.status_code == 422
    error = error_of(response)
    assert "barcodes" in error["fields"]
    assert api.get(f"/api/v1/items/{item.id}").get_json()["barcodes"] == []


def test_a_barcode_on_another_active_item_is_409_naming_barcodes(api, factory):
    first, second = factory.item(), factory.item()
    assert _set_barcodes(api, first.id, [EAN]).status_code == 200
    response = _set_barcodes(api, second.id, ["OTHER", EAN])
    assert response.status_code == 409
    assert error_of(response)["fields"]["barcodes"] == [f"{EAN} is already on {first.sku}."]
    # Once the first item is deleted, its barcode is free again.
    assert api.delete(f"/api/v1/items/{first.id}").status_code == 204
    assert _set_barcodes(api, second.id, [EAN]).status_code == 200


def test_staff_cannot_change_barcodes(api, factory):
    item = factory.item()
    response = _set_barcodes(api, item.id, [EAN], role="staff")
    assert response.status_code == 403
    assert error_of(response)["fields"] == {"barcodes": ["Managers only."]}


def test_scan_resolves_links_short_codes_skus_and_barcodes(api, factory, app):
    shelf = factory.location("Shelf 1")
    item = factory.item(location=shelf, sku="Bolt-M8", name="Bolt M8")
    _set_barcodes(api, item.id, [EAN])
    base = app.config["APP_BASE_URL"].rstrip("/")
    for code in (f"{base}/s/I{item.id}", f"I{item.id}", f"i{item.id}", "bolt-m8", "BOLT-M8", EAN, f" {EAN}\n"):
        response = api.get("/api/v1/scan", query_string={"code": code}, role="staff")
        assert response.status_code == 200, (code, response.get_json())
        body = response.get_json()
        assert (body["type"], body["id"]) == ("item", item.id), code
        assert body["item"]["name"] == "Bolt M8" and body["item"]["location_path"] == "Shelf 1"
    for code in (f"{base}/s/L{shelf.id}", f"L{shelf.id}"):
        body = api.get("/api/v1/scan", query_string={"code": code}, role="staff").get_json()
        assert body == {
            "type": "location",
            "id": shelf.id,
            "location": {
                "id": shelf.id,
                "name": "Shelf 1",
                "path": "Shelf 1",
                "is_structural": False,
                "link": f"{base}/s/L{shelf.id}",
            },
        }


@pytest.mark.parametrize("code", ["NOPE-1", "I999999", "L999999", "https://elsewhere.example/s/I1", "9" * 3000])
def test_an_unknown_code_is_404_unknown_code(api, factory, code):
    factory.item()
    response = api.get("/api/v1/scan", query_string={"code": code}, role="staff")
    assert response.status_code in (404, 422)
    if response.status_code == 404:
        assert error_of(response)["code"] == "unknown_code"


def test_a_deleted_items_codes_are_unknown(api, factory):
    item = factory.item(sku="GONE-1")
    _set_barcodes(api, item.id, [EAN])
    api.delete(f"/api/v1/items/{item.id}")
    for code in (f"I{item.id}", "GONE-1", EAN):
        response = api.get("/api/v1/scan", query_string={"code": code}, role="staff")
        assert response.status_code == 404 and error_of(response)["code"] == "unknown_code"
