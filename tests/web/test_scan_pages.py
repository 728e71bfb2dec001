"""The links our QR codes carry, and the Scan page."""

from __future__ import annotations


def test_our_links_open_the_item_and_location_pages(as_role, factory):
    shelf = factory.location("Shelf 9")
    item = factory.item(location=shelf)
    client = as_role("staff")
    response = client.get(f"/s/I{item.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/items/{item.id}")
    response = client.get(f"/s/L{shelf.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/locations/{shelf.id}")
    assert client.get("/s/I99999").status_code == 404


def test_inventory_list_offers_labels_for_ticked_rows_or_the_filtered_list(as_role, factory):
    factory.item(name="Hammer")
    page = as_role("staff").get("/items?q=hamm").text
    assert 'action="/api/v1/labels/items.pdf"' in page
    assert '<input type="hidden" name="search" value="hamm">' in page
    assert 'name="ids"' in page and 'form="item-labels"' in page
    assert "Print labels" in page


def test_location_page_offers_labels_for_it_and_its_bins(as_role, factory):
    shelf = factory.location("Shelf Q")
    page = as_role("staff").get(f"/locations/{shelf.id}").text
    assert 'action="/api/v1/labels/locations.pdf"' in page
    assert f'<input type="hidden" name="ids" value="{shelf.id}">' in page
    assert "With everything inside Shelf Q" in page


def test_a_signed_in_page_user_downloads_labels_with_the_session(as_role, factory):
    item = factory.item(name="Hammer")
    response = as_role("staff").get(f"/api/v1/labels/items.pdf?ids={item.id}&layout=thermal-4x6")
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_scan_page_offers_the_modes_and_the_camera(as_role):
    page = as_role("staff").get("/scan").text
    for mode in ("Look up", "Restock", "Withdraw", "Move", "Count"):  # staff count into open counts
        assert f"> {mode}</label>" in page
    assert "Start camera" in page and 'data-scan="code"' in page
    assert "/vendor/barcode-detector/polyfill.js" in page
    assert "A manager can attach it to an item as a new barcode." in page
    assert ">Scan</a>" in page  # in the sidebar


def test_managers_may_attach_an_unknown_code(as_role):
    page = as_role("manager").get("/scan").text
    assert "Attach as barcode" in page
    assert "> Count</label>" in page


def test_the_polyfill_and_its_reader_are_served_from_npm(as_role):
    client = as_role("staff")
    assert client.get("/vendor/barcode-detector/polyfill.js").status_code == 200
    wasm = client.get("/vendor/zxing-wasm/zxing_reader.wasm")
    assert wasm.status_code == 200 and wasm.data[:4] == b"\0asm"


def test_an_items_page_shows_its_codes_and_a_label_link(as_role, factory):
    item = factory.item(name="Hammer")
    from app.extensions import db
    from app.services import barcodes, stock

    with factory.app.app_context():
        barcodes.replace_codes(stock.lock_item(item.id), ["4006381333931"])
        db.session.commit()
    page = as_role("staff").get(f"/items/{item.id}").text
    assert f'<span class="mono" title="Scan it, or type it on the Scan page">I{item.id}</span>' in page
    assert '<span class="mono">4006381333931</span>' in page
    assert f"/api/v1/labels/items.pdf?ids={item.id}&amp;layout=thermal-62x29" in page


def test_only_the_scan_page_lets_webassembly_compile(as_role):
    client = as_role("staff")
    scan_policy = client.get("/scan").headers["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in scan_policy and "unsafe-inline" not in scan_policy
    assert "wasm-unsafe-eval" not in client.get("/items").headers["Content-Security-Policy"]
