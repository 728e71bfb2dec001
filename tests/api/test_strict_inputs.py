"""Input that looks almost right is refused with a 422 naming the field (issue 35, finding 8):
an empty id list on the label PDFs, offsets with minutes over 59 or hours over 15, digits
that are not ASCII 0-9; a CSV that mixes encodings says it is an encoding problem."""

from __future__ import annotations

import pytest

from tests.helpers.api import error_of, multipart_csv
from tests.helpers.purchasing import supplier

pytestmark = pytest.mark.core

ARABIC_THREE = "\u0663"  # ٣
NON_ASCII_NUMBERS = [
    ARABIC_THREE,
    "1" + ARABIC_THREE,
    "\u0968",
    "\uff13",
    "3\u00b2",
]  # ٣, 1٣, Devanagari २, fullwidth ３


def assert_names(response, field: str) -> dict:
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert field in error.get("fields", {}), error
    return error


@pytest.mark.parametrize("path", ["/api/v1/labels/items.pdf", "/api/v1/labels/locations.pdf"])
@pytest.mark.parametrize("ids", [",,,", "", " , "])
def test_label_ids_that_name_no_id_are_422_naming_ids(api, factory, path, ids):
    factory.item(quantity=1)
    error = assert_names(api.get(path, query_string={"ids": ids}), "ids")
    assert "at least one id" in str(error["fields"]["ids"])


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/logs", "since"),
        ("/api/v1/logs", "until"),
        ("/api/v1/logs/export", "from"),
        ("/api/v1/logs/export", "to"),
    ],
)
@pytest.mark.parametrize("offset", ["+00:60", "-05:99", "+0075", "+16:00", "-23:59", "+99"])
def test_an_offset_that_is_no_clock_time_or_beyond_1559_is_422_naming_the_parameter(api, path, name, offset):
    error = assert_names(api.get(path, query_string={name: f"2026-01-01T00:00:00{offset}"}), name)
    assert "offset" in str(error["fields"][name])


@pytest.mark.parametrize("name", ["since", "until"])
def test_offsets_within_1559_are_accepted(api, name):
    for offset in ("+15:59", "-15:59", "+05:30", "Z", "+0100"):
        answer = api.get(
            "/api/v1/logs/export",
            query_string={name.replace("since", "from").replace("until", "to"): f"2026-01-01T00:00:00{offset}"},
        )
        assert answer.status_code == 200, (offset, answer.get_data(as_text=True)[:200])
        answer.close()  # a streamed export
        assert api.get("/api/v1/logs", query_string={name: f"2026-01-01T00:00:00{offset}"}).status_code == 200


@pytest.mark.parametrize("number", NON_ASCII_NUMBERS)
def test_a_quantity_in_other_digits_is_422_and_moves_nothing(api, factory, number):
    item = factory.item(quantity=5)
    for verb in ("restock", "withdraw"):
        assert_names(api.post(f"/api/v1/items/{item.id}/{verb}", {"quantity": number}), "quantity")
    assert api.get(f"/api/v1/items/{item.id}").get_json()["quantity"] == 5


@pytest.mark.parametrize("number", NON_ASCII_NUMBERS)
def test_a_price_or_threshold_in_other_digits_is_422(api, factory, app, number):
    item = factory.item(quantity=5)
    version = api.get(f"/api/v1/items/{item.id}").get_json()["version"]
    for field in ("price", "low_stock_threshold"):
        assert_names(api.patch(f"/api/v1/items/{item.id}", {field: number, "version": version}), field)
    location = factory.location()
    body = {"sku": "DIG-1", "name": "Digits", "location_id": location.id, "price": number}
    assert_names(api.post("/api/v1/items", body), "price")
    offered = supplier(app, n="digits")
    answer = api.post(f"/api/v1/items/{item.id}/suppliers", {"supplier_id": offered.id, "unit_price": number})
    assert_names(answer, "unit_price")


def test_plain_ascii_numbers_as_text_are_still_read(api, factory):
    item = factory.item(quantity=5)
    assert api.post(f"/api/v1/items/{item.id}/restock", {"quantity": " 3 "}).status_code == 200
    version = api.get(f"/api/v1/items/{item.id}").get_json()["version"]
    assert api.patch(f"/api/v1/items/{item.id}", {"price": "2.50", "version": version}).status_code == 200
    assert api.get(f"/api/v1/items/{item.id}").get_json()["quantity"] == 8


# "Árvíztűrő" is UTF-8 with a 0x81 byte (Á), which Windows-1252 cannot decode either;
# "café" below is Latin-1 (0xE9), which is not UTF-8.
MIXED = "SKU,Name,Location,Quantity\nA-1,Árvíztűrő,Main,1\n".encode() + "B-2,café,Main,2\n".encode("latin-1")


def test_a_csv_mixing_encodings_says_so_naming_the_row(api, factory):
    factory.location("Main")
    answer = api.call("POST", "/api/v1/imports", "manager", data=multipart_csv(MIXED, "mixed.csv"))
    assert answer.status_code == 422, answer.get_json()
    error = error_of(answer)
    text = error["message"] + " ".join(error["fields"]["file"])
    assert "not a CSV or XLSX" not in text
    assert "encoding" in text.lower() and "UTF-8" in text
    assert "row 3" in text
