"""Receiving a lot line of a purchase order on a phone (390 px) by holding the supplier's GS1
DataMatrix in front of the (fake) camera: the item, lot and expiry come from the code, and the
lot's stock shows on the item."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.launch import log_in
from tests.browser.test_gs1_in_browser import GTIN, camera_on_a_lot  # noqa: F401  (the fixture)
from tests.helpers import purchasing as buy

pytestmark = pytest.mark.browser


def test_a_lot_line_is_received_by_scanning_a_gs1_datamatrix_with_the_camera(camera_on_a_lot, app, factory):  # noqa: F811
    page, item = camera_on_a_lot  # the camera shows 01 GTIN, 17 271231, 10 AB-12
    from app.extensions import db
    from app.models import Item, User
    from app.services import items

    manager = factory.user("manager")
    with app.app_context():
        actor = db.session.get(User, manager.id)
        version = db.session.get(Item, item.id).version
        items.update_item(item.id, {"tracking": "lot"}, actor=actor, expected_version=version, partial=True)
        db.session.remove()
    factory.location("Cold room")
    supplier = buy.supplier(app, name="Olive Co", email="o@example.com")
    order_id = buy.order(app, supplier.id, [(item.id, 6)], actor_id=manager.id, send=True)

    log_in(page, factory.user("staff"))
    page.goto(f"/purchasing/orders/{order_id}")
    page.get_by_role("button", name="Scan with the camera").click()
    expect(page.locator("#lot")).to_have_value("AB-12", timeout=30_000)
    expect(page.locator("#expires_on")).to_have_value("2027-12-31")
    expect(page.locator("#code")).to_have_value(f"01{GTIN}17271231" + "10AB-12")
    page.locator("#bin").fill("Cold room")
    page.locator("#quantity").fill("6")
    page.get_by_role("button", name="Receive", exact=True).click()
    expect(page.locator(".flash, [role=status], [role=alert]").first).to_contain_text("(lot AB-12)")
    expect(page.locator("h1")).to_contain_text("received")

    page.goto(f"/items/{item.id}")
    expect(page.locator("[data-field=quantity]").first).to_have_text("6")
    lots = page.request.get(f"/api/v1/items/{item.id}/lots").json()
    assert [(lot["code"], lot["expires_on"], lot["quantity"]) for lot in lots] == [("AB-12", "2027-12-31", 6)]
