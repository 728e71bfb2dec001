"""Imports with a barcode column.

Codes are checked in the dry run by the item API's rules; a code carried by another active
item or written on two rows is the row's error; an update changes codes only when the set
differs, so a re-import (or an export imported back) changes nothing.
"""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from tests.api.test_imports import imported, item_by_sku, run_now, upload
from tests.helpers.api import db_scalar

pytestmark = pytest.mark.core

EAN = "4006381333931"  # a real EAN-13 (check digit 1)
UPC = "036000291452"  # a real UPC-A (check digit 2)
HEADER = "SKU,Name,Location,Barcode\n"


@pytest.fixture()
def store(factory):
    return factory.location("Store")


def errors_of(api, import_id: int) -> dict[str, str]:
    text = api.get(f"/api/v1/imports/{import_id}/errors.csv").data.decode("utf-8-sig")
    return {row[0]: row[-1] for row in csv.reader(io.StringIO(text))}


def codes(api, sku: str) -> list[str]:
    return api.get(f"/api/v1/items/{item_by_sku(api, sku)['id']}").get_json()["barcodes"]


def test_the_barcode_column_is_proposed_from_its_header(api, store):
    body = upload(api, "Code,Title,Where,EAN\nP-1,Pliers,Store,4006381333931\n").get_json()
    assert body["mapping"] == {"Code": "sku", "Title": "name", "Where": "location", "EAN": "barcode"}
    assert body["fields"]["barcode"] == "Barcode"
    for header in ("Barcode", "Barcodes", "GTIN", "UPC", "Code 128"):
        assert upload(api, f"SKU,Name,{header}\nX-1,X,\n").get_json()["mapping"][header] == "barcode"


def test_dry_run_names_each_bad_barcode_and_changes_nothing(api, app, factory, store):
    factory.item(sku="OWNER-1", name="Has the EAN", location=store, barcodes=[EAN])
    rows = [
        "B-1,Bad check digit,Store,4006381333932",
        f"B-2,Taken,Store,{EAN}",
        "B-3,Twice one,Store,ACME-9",
        "B-4,Twice two,Store,ACME-9",
        f"B-5,Fine,Store,{UPC}; ACME-10",
        "B-6,Not printable,Store,ok-1 crème",
    ]
    body = upload(api, HEADER + "\n".join(rows) + "\n").get_json()
    assert body["state"] == "validated"
    assert body["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "errors": 5}
    errors = errors_of(api, body["id"])
    assert "Barcode: 4006381333932: not a valid EAN-13 (the check digit should be 1)." in errors["2"]
    assert f"Barcode: {EAN} is already on OWNER-1." in errors["3"]
    assert "Barcode ACME-9 appears on more than one row (rows 4, 5)" in errors["4"]
    assert "rows 4, 5" in errors["5"]
    assert "printable characters" in errors["7"]
    assert "6" not in errors
    refused = api.post(f"/api/v1/imports/{body['id']}/run", {"on_error": "stop"})
    assert refused.status_code == 409
    assert db_scalar(app, sa.text("SELECT count(*) FROM item_barcodes")) == 1


@pytest.mark.parametrize("on_error", ["stop", "skip"])  # a batch at once, or row by row
def test_new_items_get_their_codes_and_updates_change_only_differing_sets(api, app, factory, store, on_error):
    kept = factory.item(sku="KEEP-1", name="Kept", location=store, barcodes=[UPC, "K-1"])
    blank = factory.item(sku="BLANK-1", name="Blank cell", location=store, barcodes=["BL-1"])
    moved = factory.item(sku="MOVE-1", name="New code", location=store, barcodes=["OLD-1"])
    text = HEADER + (
        f"NEW-1,Brand new,Store,{EAN} ACME-1\n"
        f"KEEP-1,Kept,Store,K-1;{UPC}\n"  # the same set in another order: unchanged
        "BLANK-1,Blank cell,Store,\n"  # an empty cell leaves the codes alone
        'MOVE-1,New code,Store,"OLD-1, NEW-2"\n'
    )
    body = upload(api, text).get_json()
    assert body["counts"] == {"created": 1, "updated": 1, "unchanged": 2, "errors": 0}
    assert api.post(f"/api/v1/imports/{body['id']}/run", {"on_error": on_error}).status_code == 202
    run_now(app, body["id"])
    result = api.get(f"/api/v1/imports/{body['id']}").get_json()
    assert result["state"] == "done" and result["applied"]["created"] == 1 and result["applied"]["updated"] == 1
    assert codes(api, "NEW-1") == [EAN, "ACME-1"]
    assert codes(api, "MOVE-1") == ["OLD-1", "NEW-2"]
    assert codes(api, "KEEP-1") == [UPC, "K-1"] and codes(api, "BLANK-1") == ["BL-1"]
    assert [api.get(f"/api/v1/items/{i.id}").get_json()["version"] for i in (kept, blank, moved)] == [1, 1, 2]
    history = api.get(f"/api/v1/logs/item/{moved.id}").get_json()["items"]
    assert [h["action"] for h in history] == ["update", "create"] and "barcodes=OLD-1 NEW-2" in history[0]["note"]

    ledger = db_scalar(app, sa.text("SELECT count(*) FROM inventory_logs"))
    again = imported(api, app, text)
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 4, "errors": 0}
    assert db_scalar(app, sa.text("SELECT count(*) FROM inventory_logs")) == ledger


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_list_imports_back_unchanged_with_its_codes(api, app, factory, store, fmt):
    factory.item(sku="EX-1", name="Two codes", location=store, quantity=3, barcodes=[EAN, "ACME-5"])
    factory.item(sku="EX-2", name="No codes", location=store, quantity=1)
    exported = api.get(f"/api/v1/items/export?format={fmt}")
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
        assert rows[0][9] == "Barcodes"
        assert {row[0]: row[9] for row in rows[1:]} == {"EX-1": f"{EAN} ACME-5", "EX-2": ""}
    result = imported(api, app, exported.data, name=f"items.{fmt}")
    assert result["mapping"]["Barcodes"] == "barcode"
    assert result["counts"] == {"created": 0, "updated": 0, "unchanged": 2, "errors": 0}
    assert codes(api, "EX-1") == [EAN, "ACME-5"]
