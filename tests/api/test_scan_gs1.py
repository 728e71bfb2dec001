"""GET /api/v1/scan with GS1 element strings: the item found by its GTIN, and the lot, expiry,
serial and count the code carries; wrong check digits and broken strings refused, never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.api import error_of
from tests.helpers.database import BACKEND

pytestmark = pytest.mark.core

GS = "\x1d"
GTIN = "09506000134352"  # the GS1 General Specifications' example GTIN (its GTIN-13: 9506000134352)


def _item_with_barcode(api, factory, code, **fields):
    item = factory.item(**fields)
    version = api.get(f"/api/v1/items/{item.id}").get_json()["version"]
    response = api.patch(f"/api/v1/items/{item.id}", json={"barcodes": [code], "version": version}, role="manager")
    assert response.status_code == 200, response.get_json()
    return item


def _scan(api, code, role="staff"):
    return api.get("/api/v1/scan", query_string={"code": code}, role=role)


@pytest.mark.parametrize(
    "code",
    [
        f"(01){GTIN}(17)271231(10)AB-12(21)SN-9",
        f"]d201{GTIN}17271231" + f"10AB-12{GS}21SN-9",
        f"]C101{GTIN}10AB-12{GS}17271231" + "21SN-9",
        f"]Q301{GTIN}21SN-9{GS}10AB-12{GS}17271231",
        f"01{GTIN}1727123110AB-12{GS}21SN-9",
        f"https://id.gs1.org/01/{GTIN}/10/AB-12/21/SN-9?17=271231",  # a GS1 Digital Link QR
    ],
)
def test_a_gs1_scan_finds_the_item_by_its_gtin_and_answers_lot_expiry_and_serial(api, factory, code):
    item = _item_with_barcode(api, factory, "9506000134352", name="Olive oil 1 l")  # stored as its EAN-13
    response = _scan(api, code)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["type"], body["id"], body["item"]["name"]) == ("item", item.id, "Olive oil 1 l")
    assert body["gs1"] == {
        "gtin": GTIN,
        "lot": "AB-12",
        "expires_on": "2027-12-31",
        "serial": "SN-9",
        "quantity": None,
    }


@pytest.mark.parametrize(
    ("stored", "scanned"),
    [
        ("95012346", "(01)00000095012346"),  # GTIN-8 on the item
        ("036000291452", "(01)00036000291452(30)12"),  # UPC-A
        ("00036000291452", "036000291452"),  # a plain UPC-A scan of an item whose barcode is its GTIN-14
        ("0036000291452", "036000291452"),  # EAN-13 written with the UPC's leading zero
        (GTIN, "9506000134352"),
    ],
)
def test_a_gtin_matches_any_writing_of_it_on_the_item(api, factory, stored, scanned):
    item = _item_with_barcode(api, factory, stored)
    response = _scan(api, scanned)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["id"] == item.id


def test_day_00_is_the_last_day_of_the_month_and_a_count_is_the_quantity(api, factory):
    _item_with_barcode(api, factory, GTIN)
    body = _scan(api, f"]d201{GTIN}17280200" + f"3000000012{GS}10L1").get_json()
    assert body["gs1"] == {"gtin": GTIN, "lot": "L1", "expires_on": "2028-02-29", "serial": None, "quantity": 12}


def test_plain_scans_have_no_gs1_part(api, factory):
    item = _item_with_barcode(api, factory, GTIN, sku="OIL-1")
    for code in ("OIL-1", GTIN, f"I{item.id}"):
        assert "gs1" not in _scan(api, code).get_json()


@pytest.mark.parametrize(
    "code",
    [
        "(01)09506000134353(17)271231(10)AB",
        "0109506000134353",
        "]d20109506000134350",
        "09506000134353",  # a plain GTIN-14, EAN-13 or UPC-A with a wrong check digit
        "9506000134353",
        "036000291453",
    ],
)
def test_a_gtin_with_a_wrong_check_digit_is_422_invalid_gtin(api, factory, code):
    _item_with_barcode(api, factory, GTIN)
    response = _scan(api, code)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_gtin" and "check digit" in error["message"]


def test_an_unknown_8_digit_code_stays_unknown(api, factory):
    factory.item()
    response = _scan(api, "12345678")  # internal codes of 8 digits are common: not checked as GTIN-8
    assert response.status_code == 404 and error_of(response)["code"] == "unknown_code"


@pytest.mark.parametrize("code", ["(23)123", f"(01){GTIN}(17)2712", f"]C101{GTIN}1", f"]d201{GTIN}17271332"])
def test_an_unknown_or_truncated_ai_is_422_invalid_gs1(api, factory, code):
    _item_with_barcode(api, factory, GTIN)
    response = _scan(api, code)
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_gs1"


def test_an_unknown_gtin_is_404_unknown_code_offering_the_gtin_to_attach(api, factory):
    factory.item()
    response = _scan(api, f"(01){GTIN}(10)AB-12")
    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "unknown_code" and GTIN in error["message"]
    assert error["scanned"] == GTIN and error["gs1"]["lot"] == "AB-12"
    response = _scan(api, "(00)106141411234567897")  # a pallet's SSCC: no product in it
    assert response.status_code == 404 and error_of(response)["code"] == "unknown_code"


def test_an_exact_sku_or_barcode_wins_over_reading_it_as_gs1(api, factory):
    """An SKU that happens to be a valid element string ("10" + lot) still finds its item."""
    item = factory.item(sku="1012")
    body = _scan(api, "1012").get_json()
    assert (body["type"], body["id"]) == ("item", item.id) and "gs1" not in body


def test_a_deleted_items_gtin_is_unknown(api, factory):
    item = _item_with_barcode(api, factory, GTIN)
    api.delete(f"/api/v1/items/{item.id}", role="manager")
    response = _scan(api, f"(01){GTIN}")
    assert response.status_code == 404 and error_of(response)["code"] == "unknown_code"


_GS1_PIECES = st.sampled_from(
    ["]d2", "]C1", "]Q3", GS, "(", ")", "01", "10", "17", "21", "30", "37", "00", "02", "99", "23", GTIN, "2712", "00"]
)
_NOISE = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.lists(st.one_of(_GS1_PIECES, _NOISE), min_size=1, max_size=8).map("".join))
def test_random_and_broken_gs1_strings_never_answer_500(api, factory, code):
    response = _scan(api, code)
    assert response.status_code in (200, 404, 422), (code, response.get_data(as_text=True)[:300])
    if response.status_code != 200:
        assert error_of(response)["code"] in ("unknown_code", "invalid_gtin", "invalid_gs1", "validation_error")


@pytest.mark.parametrize("code", ["\x00", f"(01){GTIN}(10)A\x00B", f"]d201{GTIN}10\x00", "(01)", "]d2", GS, "(10)é"])
def test_control_characters_and_empty_gs1_strings_are_refused_plainly(api, factory, code):
    response = _scan(api, code)
    assert response.status_code in (404, 422), response.get_data(as_text=True)[:300]


@pytest.mark.skipif(BACKEND == "sqlite", reason="PostgreSQL's plan (and generate_series)")
def test_a_gs1_scan_costs_two_probes_of_the_barcode_index(api, factory, app):
    """The exact text, then the GTIN's spellings: both answerable from item_barcodes.code's index."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.services.scanning import codes, gs1
    from tests.helpers.queries import counted_queries

    item = _item_with_barcode(api, factory, "9506000134352")
    with counted_queries(app) as statements:
        assert _scan(api, f"(01){GTIN}(10)AB-12").get_json()["id"] == item.id
    assert len([s for s in statements if "item_barcodes" in s]) == 2
    with app.app_context():
        # A table of realistic size with its statistics, so the plan is the one a shop gets (on a
        # few rows the planner may scan a whole index and filter, which says nothing).
        db.session.execute(
            sa.text(
                "INSERT INTO item_barcodes (item_id, code, created_at)"
                " SELECT :item, 'FILL-' || n, now() FROM generate_series(1, 5000) AS n"
            ),
            {"item": item.id},
        )
        db.session.execute(sa.text("ANALYZE item_barcodes"))
        statement = codes._ITEM_BY_GTIN.params(forms=gs1.gtin_forms(GTIN))
        sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
        plan = [row[0] for row in db.session.execute(sa.text("EXPLAIN " + sql))]
        db.session.rollback()
    probes = [line for line in plan if "Index Cond" in line and "(code)::text = ANY" in line]
    filtered = [line for line in plan if "Filter" in line and "(code)::text" in line]
    assert probes and not filtered, "\n".join(plan)


def test_an_items_gtin_for_its_lot_labels_is_its_first_barcode_that_is_a_gtin(api, factory, app):
    from app.services.scanning.codes import item_gtin

    item = factory.item(barcodes=["ACME-1", "12345678", "036000291452", "9506000134352"])
    plain = factory.item(barcodes=["ACME-2"])
    with app.app_context():
        assert item_gtin(item.id) == "00036000291452"  # 12345678 is no GTIN-8 (check digit 0 expected)
        assert item_gtin(plain.id) is None
