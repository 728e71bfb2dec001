"""Purchasing pages: suppliers, the item's Buying panel, suggestions to drafts, the order page and receiving."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.helpers import purchasing as buy

pytestmark = pytest.mark.core


def _item_state(app, item_id: int) -> tuple:
    from app.extensions import db
    from app.models import Item

    with app.app_context():
        try:
            item = db.session.get(Item, item_id)
            return item.quantity, item.on_order
        finally:
            db.session.remove()


def test_supplier_form_shows_errors_next_to_fields_and_saves(as_role):
    manager = as_role("manager")
    bad = manager.post("/purchasing/suppliers", {"name": "", "lead_time_days": "-3"})
    assert bad.status_code == 422 and "Enter a name." in bad.text
    # The address is checked once, by the suppliers service: the page says what the API says.
    mail = manager.post("/purchasing/suppliers", {"name": "Acme Parts", "email": "sales@acme..example"})
    assert mail.status_code == 422
    assert "Not a valid email address." in mail.text.split('name="email"')[1].split("</div>")[0]
    made = manager.post(
        "/purchasing/suppliers", {"name": "Acme Parts", "email": "sales@acme.example", "lead_time_days": "4"}
    )
    assert made.status_code == 302
    again = manager.post("/purchasing/suppliers", {"name": "ACME parts"})
    assert again.status_code == 409 and "Already in use." in again.text
    page = manager.get(made.headers["Location"])
    assert "Acme Parts" in page.text and 'value="sales@acme.example"' in page.text
    assert "Add a supplier" not in as_role("staff").get("/purchasing/suppliers").text


def test_low_item_to_draft_order_from_suggestions_then_sent_and_received_by_scanning(app, as_role, factory):
    manager = as_role("manager")
    supplier = buy.supplier(app, name="Acme Parts", email="sales@acme.example")
    item = factory.item(quantity=2, low_stock_threshold=5, name="Hex bolt M8", sku="HB-8")
    aisle = factory.location("Aisle B", is_structural=True)
    bin_ = factory.location("Bin B1", parent_id=aisle.id)

    page = manager.get(f"/items/{item.id}")
    assert "Buying" in page.text and "Add a supplier offer" in page.text
    offered = manager.post(
        f"/purchasing/items/{item.id}/offers",
        {"offer-supplier_id": supplier.id, "offer-pack_size": "10", "offer-unit_price": "0.35"},
    )
    assert offered.status_code == 302
    policy = manager.post(f"/purchasing/items/{item.id}/policy", {"policy-reorder_quantity": "12"})
    assert policy.status_code == 302
    page = manager.get(f"/items/{item.id}")
    assert "Acme Parts" in page.text and "Preferred" in page.text

    suggestions = manager.get("/purchasing/suggestions")
    assert "Hex bolt M8" in suggestions.text and re.search(
        r"<strong>20</strong>", suggestions.text
    )  # 12 in packs of 10
    none = manager.post("/purchasing/suggestions", {})
    assert "Tick the items to order first." in manager.get(none.headers["Location"]).text
    drafted = manager.post("/purchasing/suggestions", {"item_ids": str(item.id)})
    assert drafted.status_code == 302
    order_url = drafted.headers["Location"]
    order_id = int(re.search(r"/purchasing/orders/(\d+)", order_url).group(1))
    assert manager.post(f"/purchasing/orders/{order_id}/send").status_code == 302
    assert _item_state(app, item.id) == (2, 20)
    assert "+20 on order" in manager.get("/items").text

    staff = as_role("staff")
    order_page = staff.get(order_url)
    assert "Scan what arrived" in order_page.text and "send-form" not in order_page.text
    into_aisle = staff.post(
        f"/purchasing/orders/{order_id}/scan-receive", {"code": "HB-8", "bin": "Aisle B", "quantity": "5"}
    )
    assert into_aisle.status_code == 422 and "structural" in into_aisle.text
    first = staff.post(
        f"/purchasing/orders/{order_id}/scan-receive", {"code": f"I{item.id}", "bin": f"L{bin_.id}", "quantity": "8"}
    )
    assert first.status_code == 302, first.text[:400]
    too_many = staff.post(
        f"/purchasing/orders/{order_id}/scan-receive", {"code": "HB-8", "bin": "Aisle B / Bin B1", "quantity": "13"}
    )
    assert too_many.status_code == 409 and "At most 12 remain" in too_many.text
    lines = buy.line_ids(app, order_id)
    assert f'name="receipts-0-line_id" type="hidden" value="{lines[0]}"' in staff.get(order_url).text
    rest = staff.post(
        f"/purchasing/orders/{order_id}/receive",
        {"receipts-0-line_id": lines[0], "receipts-0-quantity": "12", "receipts-0-location_id": bin_.id},
    )
    assert rest.status_code == 302
    assert _item_state(app, item.id) == (22, 0)
    done = staff.get(order_url)
    assert "received" in done.text and "Scan what arrived" not in done.text


def test_draft_lines_are_edited_on_the_order_page_and_a_sent_order_is_not(app, as_role, factory):
    manager = as_role("manager")
    supplier = buy.supplier(app, name="Edit Co", email="e@example.com")
    item = factory.item(sku="ED-1")
    made = manager.post("/purchasing/orders", {"supplier_id": supplier.id})
    order_id = int(re.search(r"/purchasing/orders/(\d+)", made.headers["Location"]).group(1))
    refused = manager.post(f"/purchasing/orders/{order_id}/send")
    assert "no lines" in manager.get(refused.headers["Location"]).text
    unknown = manager.post(f"/purchasing/orders/{order_id}/lines", {"item": "999999", "quantity": "3"})
    assert unknown.status_code == 422
    assert 'id="item-error"' in unknown.text and "That item is deleted or does not exist" in unknown.text
    typed = manager.post(f"/purchasing/orders/{order_id}/lines", {"item": "ED-1", "quantity": "3"})
    assert typed.status_code == 422 and "Choose an item from the list." in typed.text  # a typed text is no choice
    fraction = manager.post(f"/purchasing/orders/{order_id}/lines", {"item": str(item.id), "quantity": "1.5"})
    assert fraction.status_code == 422 and "whole numbers" in fraction.text
    added = manager.post(f"/purchasing/orders/{order_id}/lines", {"item": str(item.id), "quantity": "3"})
    assert added.status_code == 302
    assert manager.post(f"/purchasing/orders/{order_id}/send").status_code == 302
    late_edit = manager.post(f"/purchasing/orders/{order_id}/lines", {"item": str(item.id), "quantity": "1"})
    assert late_edit.status_code == 409 and "only a draft can be edited" in late_edit.text
    assert item.sku in manager.get(f"/purchasing/orders/{order_id}").text


def test_receiving_table_names_each_bad_line_and_books_nothing(app, as_role, factory):
    manager = as_role("manager")
    supplier = buy.supplier(app, name="Table Co", email="t@example.com")
    bolt, nut = factory.item(sku="TB-1"), factory.item(sku="TB-2")
    order_id = buy.order(app, supplier.id, [(bolt.id, 5), (nut.id, 5)], actor_id=manager.user.id, send=True)
    first, second = buy.line_ids(app, order_id)
    staff = as_role("staff")
    url = f"/purchasing/orders/{order_id}/receive"
    back = f"/purchasing/orders/{order_id}#receive"

    bad = staff.post(
        url,
        {
            "receipts-0-line_id": first,
            "receipts-0-quantity": "lots",
            "receipts-1-line_id": second,
            "receipts-1-quantity": "-2",
        },
    )
    assert bad.status_code == 302 and bad.headers["Location"].endswith(back)
    shown = staff.get(back).text
    assert "TB-1: &#39;lots&#39; is not a quantity. TB-2: enter a quantity above 0." in shown
    empty = staff.post(url, {"receipts-0-line_id": first, "receipts-0-quantity": " "})
    assert "Enter what arrived on at least one line." in staff.get(empty.headers["Location"]).text
    assert _item_state(app, bolt.id)[0] == _item_state(app, nut.id)[0] == 0

    home = staff.post(url, {"receipts-0-line_id": second, "receipts-0-quantity": "2"})  # no bin: the item's home
    assert "Received: the stock is in its bins." in staff.get(home.headers["Location"]).text
    assert _item_state(app, nut.id) == (2, 3)


def test_reports_page_shows_open_late_orders_and_spend(app, as_role, factory):
    from datetime import date, timedelta

    manager = as_role("manager")
    supplier = buy.supplier(app, name="Report Co")
    item = factory.item()
    order_id = buy.order(
        app,
        supplier.id,
        [(item.id, 4)],
        actor_id=manager.user.id,
        send=True,
        expected_date=date.today() - timedelta(days=2),
    )
    page = manager.get("/reports")
    assert "Open purchase orders" in page.text and f"#{order_id}" in page.text
    assert "Late" in page.text
    assert "Spend per supplier" in page.text
    assert sa  # imported for helpers


def test_reports_page_counts_every_late_order_not_only_the_first_page(app, as_role, factory):
    """A business with many overdue orders sees their true number (the list shows the first 50)."""
    from datetime import date, timedelta

    manager = as_role("manager")
    supplier = buy.supplier(app, name="Slow Co")
    item = factory.item()
    overdue = date.today() - timedelta(days=3)
    for _ in range(60):
        buy.order(app, supplier.id, [(item.id, 1)], actor_id=manager.user.id, send=True, expected_date=overdue)
    buy.order(
        app,
        supplier.id,
        [(item.id, 1)],
        actor_id=manager.user.id,
        send=True,
        expected_date=date.today() + timedelta(days=9),
    )
    page = manager.get("/reports")
    assert "60 late (expected date passed)." in page.text
