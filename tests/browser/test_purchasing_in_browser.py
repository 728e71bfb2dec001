"""From a low-stock item to a sent purchase order and its receipt in two parts into a bin, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.launch import log_in
from tests.helpers import purchasing as buy

pytestmark = pytest.mark.browser


def test_low_item_suggested_ordered_sent_and_received_in_two_parts_into_a_bin(page, app, factory):
    manager = factory.user("manager")
    buy.supplier(app, name="Harbour Tool Supply", email="orders@harbour.example", lead_time_days=5)
    aisle = factory.location("Aisle C", is_structural=True)
    bin_ = factory.location("Bin C4", parent_id=aisle.id)
    tape = factory.item(
        name="Tape Measure 8 m", sku="TM-8", quantity=3, low_stock_threshold=10, location=bin_, actor=manager
    )
    log_in(page, manager)

    # The reorder policy and the supplier's offer, on the item's page.
    page.goto(f"/items/{tape.id}")
    page.locator("#policy-max_stock").fill("30")
    page.get_by_role("button", name="Save policy").click()
    expect(page.locator("#purchasing")).to_contain_text("30")
    page.locator("#offer-supplier_id").fill("harbour")  # the supplier picker: type, then pick
    page.locator("#offer-supplier_id-list [role=option]", has_text="Harbour Tool Supply").click()
    expect(page.locator("#offer-supplier_id")).to_have_value("Harbour Tool Supply")
    page.locator("#offer-pack_size").fill("12")
    page.locator("#offer-unit_price").fill("3.15")
    page.get_by_role("button", name="Add offer").click()
    expect(page.locator("#purchasing")).to_contain_text("Preferred")

    # Suggested: 30 - 3 = 27, in packs of 12 -> 36. Ticked, and turned into a draft.
    page.get_by_role("link", name="Purchasing").click()
    page.get_by_role("link", name="Reorder suggestions").click()
    row = page.locator(f"#suggestion-{tape.id}")
    expect(row).to_contain_text("36")
    expect(row.get_by_role("checkbox")).to_be_checked()
    page.get_by_role("button", name="Create draft orders").click()
    expect(page.locator("h1")).to_contain_text("Purchase order #")
    expect(page.locator(".po-lines")).to_contain_text("TM-8")
    page.get_by_role("button", name="Send to orders@harbour.example").click()
    expect(page.locator("h1")).to_contain_text("sent")
    page.wait_for_load_state()  # the page's own script (Enter moves between the scan fields) has run

    # The first part arrives: scanned item, typed bin path, quantity.
    page.locator("#code").fill("TM-8")
    page.locator("#code").press("Enter")  # a scanner's Enter moves on to the bin, it does not submit
    expect(page.locator("#bin")).to_be_focused()
    page.locator("#bin").fill("Aisle C / Bin C4")
    page.locator("#bin").press("Enter")
    page.locator("#quantity").fill("20")
    page.locator("#quantity").press("Enter")
    expect(page.locator("h1")).to_contain_text("partially received")
    expect(page.locator(".po-lines [data-field=remaining]")).to_have_text("16")

    # More than remains is refused next to the quantity, naming what remains.
    page.locator("#code").fill("TM-8")
    page.locator("#bin").fill("Aisle C / Bin C4")
    page.locator("#quantity").fill("17")
    page.get_by_role("button", name="Receive", exact=True).click()
    expect(page.locator("#quantity-error")).to_contain_text("At most 16 remain")

    # The rest, from the table form.
    page.locator(".po-receive input[name$=-quantity]").fill("16")
    page.get_by_role("button", name="Receive these").click()
    expect(page.locator("h1")).to_contain_text("received")
    page.goto(f"/items/{tape.id}")
    expect(page.locator("[data-field=quantity]").first).to_have_text("39")
    expect(page.locator("[data-field=on-order]")).to_contain_text("0")
