"""Receiving a purchase order's tracked lines on its page (issue 27): a lot line asks for the lot and
its expiry (or reads them from the supplier's GS1 code), a serial line takes the serials scanned one
after another; refusals show next to the field and book nothing; untracked lines are unchanged."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.helpers import purchasing as buy
from tests.helpers.api import db_scalar

pytestmark = pytest.mark.core

GS = "\x1d"
GTIN = "09506000134352"


def _quantity(app, item_id):
    from app.models import Item

    return db_scalar(app, sa.select(Item.quantity).where(Item.id == item_id))


def _error(text: str, name: str) -> str:
    found = re.search(rf'<small class="field-error" id="{name}-error">([^<]*)</small>', text)
    return found.group(1) if found else ""


def _sent_order(app, as_role, factory, *items):
    manager = as_role("manager")
    supplier = buy.supplier(app, name="Trace Co", email="t@example.com")
    return buy.order(app, supplier.id, [(item.id, 10) for item in items], actor_id=manager.user.id, send=True)


def test_a_lot_line_asks_for_lot_and_expiry_and_reads_them_from_a_gs1_scan(app, as_role, factory):
    bin_ = factory.location("Cold room")
    oil = factory.item(tracking="lot", expiry_required=True, location=bin_, sku="OIL-1", barcodes=["9506000134352"])
    bolt = factory.item(sku="PLAIN-1", location=bin_)
    order_id = _sent_order(app, as_role, factory, oil, bolt)
    staff = as_role("staff")
    page = staff.get(f"/purchasing/orders/{order_id}").text
    assert 'name="lot"' in page and 'name="expires_on"' in page and 'name="serials"' not in page
    assert "Lot of OIL-1" in page and "Lot of PLAIN-1" not in page
    url = f"/purchasing/orders/{order_id}/scan-receive"

    no_lot = staff.post(url, {"code": "OIL-1", "bin": "Cold room", "quantity": "4"})
    assert no_lot.status_code == 422 and _error(no_lot.text, "lot") == "Give the lot code."
    no_date = staff.post(url, {"code": "OIL-1", "bin": "Cold room", "quantity": "4", "lot": "L-7"})
    assert no_date.status_code == 422 and _error(no_date.text, "expires_on") == "Give the expiry date."
    bad_date = staff.post(url, {"code": "OIL-1", "bin": "Cold room", "quantity": "4", "expires_on": "31.12.27"})
    assert bad_date.status_code == 422 and _error(bad_date.text, "expires_on")
    untracked = staff.post(url, {"code": "PLAIN-1", "bin": "Cold room", "quantity": "1", "lot": "X"})
    assert untracked.status_code == 422 and "not tracked" in _error(untracked.text, "lot")
    assert _quantity(app, oil.id) == _quantity(app, bolt.id) == 0

    typed = staff.post(
        url, {"code": "OIL-1", "bin": "Cold room", "quantity": "4", "lot": "L-7", "expires_on": "2027-06-30"}
    )
    assert typed.status_code == 302, typed.text[:500]
    assert "Received 4 pcs of OIL-1 (lot L-7)." in staff.get(typed.headers["Location"]).text
    # The supplier's GS1 DataMatrix alone: the item by its GTIN, the lot and expiry from the code.
    scanned = staff.post(url, {"code": f"]d201{GTIN}17271231" + f"10AB-12{GS}", "bin": "Cold room", "quantity": "3"})
    assert scanned.status_code == 302, scanned.text[:500]
    other_date = staff.post(
        url, {"code": "OIL-1", "bin": "Cold room", "quantity": "1", "lot": "AB-12", "expires_on": "2028-01-01"}
    )
    assert other_date.status_code == 409 and "2027-12-31" in _error(other_date.text, "expires_on")
    plain = staff.post(url, {"code": "PLAIN-1", "bin": "Cold room", "quantity": "2"})
    assert plain.status_code == 302

    lots = as_role("manager").get(f"/api/v1/items/{oil.id}/lots").get_json()
    assert {(lot["code"], lot["expires_on"], lot["quantity"]) for lot in lots} == {
        ("L-7", "2027-06-30", 4),
        ("AB-12", "2027-12-31", 3),
    }
    assert (_quantity(app, oil.id), _quantity(app, bolt.id)) == (7, 2)


def test_a_serial_line_takes_the_scanned_serials_and_counts_them(app, as_role, factory):
    cage = factory.location("Cage")
    drill = factory.item(tracking="serial", location=cage, sku="DRILL-1")
    order_id = _sent_order(app, as_role, factory, drill)
    staff = as_role("staff")
    page = staff.get(f"/purchasing/orders/{order_id}").text
    assert 'name="serials"' in page and 'name="lot"' not in page
    url = f"/purchasing/orders/{order_id}/scan-receive"

    nothing = staff.post(url, {"code": "DRILL-1", "bin": "Cage"})
    assert nothing.status_code == 422 and _error(nothing.text, "quantity") == "Enter a quantity."
    twice = staff.post(url, {"code": "DRILL-1", "bin": "Cage", "serials": "SN-1\nSN-1"})
    assert twice.status_code == 422 and _error(twice.text, "serials") == "SN-1 is given twice."
    wrong_count = staff.post(url, {"code": "DRILL-1", "bin": "Cage", "quantity": "3", "serials": "SN-1\nSN-2"})
    assert wrong_count.status_code == 422 and _error(wrong_count.text, "quantity")
    assert _quantity(app, drill.id) == 0

    done = staff.post(url, {"code": "DRILL-1", "bin": "Cage", "serials": "SN-1\nSN-2"})
    assert done.status_code == 302, done.text[:500]
    assert "Received 2 pcs of DRILL-1." in staff.get(done.headers["Location"]).text
    again = staff.post(url, {"code": "DRILL-1", "bin": "Cage", "serials": "SN-2 SN-3"})
    assert again.status_code == 409 and _error(again.text, "serials") == "SN-2 is already in stock."
    serials = as_role("manager").get(f"/api/v1/items/{drill.id}/serials").get_json()
    assert sorted(unit["serial"] for unit in serials) == ["SN-1", "SN-2"]
    assert _quantity(app, drill.id) == 2


def test_the_receiving_table_takes_a_lot_and_serials_per_tracked_line(app, as_role, factory):
    bin_ = factory.location("Dock")
    oil = factory.item(tracking="lot", location=bin_, sku="OIL-2")
    drill = factory.item(tracking="serial", location=bin_, sku="DRILL-2")
    order_id = _sent_order(app, as_role, factory, oil, drill)
    first, second = buy.line_ids(app, order_id)
    staff = as_role("staff")
    url = f"/purchasing/orders/{order_id}/receive"
    rows = {"receipts-0-line_id": first, "receipts-1-line_id": second}

    refused = staff.post(url, {**rows, "receipts-0-quantity": "5", "receipts-1-serials": "D-1"})
    shown = staff.get(refused.headers["Location"]).text
    assert "OIL-2 is tracked by lot: say which lot arrives." in shown
    assert _quantity(app, oil.id) == _quantity(app, drill.id) == 0
    done = staff.post(
        url,
        {
            **rows,
            "receipts-0-quantity": "5",
            "receipts-0-lot": "B-1",
            "receipts-0-expires_on": "2027-03-31",
            "receipts-1-serials": "D-1\nD-2",
        },
    )
    assert "Received: the stock is in its bins." in staff.get(done.headers["Location"]).text
    assert (_quantity(app, oil.id), _quantity(app, drill.id)) == (5, 2)
    lots = as_role("manager").get(f"/api/v1/items/{oil.id}/lots").get_json()
    assert [(lot["code"], lot["expires_on"]) for lot in lots] == [("B-1", "2027-03-31")]
