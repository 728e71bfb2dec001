"""Every page with a form row on a 390 px phone, with a 120-character location path in its
selectors and cells: the page never scrolls sideways (a long path wraps, a select shrinks)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.launch import log_in, watch_csp
from tests.helpers import purchasing as buy

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LEVELS = ["Walk Site", "Building North East", "Zone Alpha Receiving", "Cold Room 2", "Aisle 17 Frozen Goods", "Rack 3"]


@pytest.fixture()
def deep(factory):
    """A bin at the end of a 120-character path, holding an item."""
    parent = None
    for name in LEVELS + ["Shelf 12"]:
        parent = factory.location(name, is_structural=True, **({"parent_id": parent.id} if parent else {}))
    bin_ = factory.location("Bin Z9", parent_id=parent.id)
    path = " / ".join([*LEVELS, "Shelf 12", "Bin Z9"])
    assert len(path) >= 120
    item = factory.item(name="Frozen Pea Sacks", quantity=40, location=bin_)
    return {"bin": bin_, "item": item, "path": path}


@pytest.fixture()
def phone(chromium, live_server):
    context = chromium.new_context(base_url=live_server, viewport=PHONE, has_touch=True)
    context.set_default_timeout(10_000)
    violations = watch_csp(context)
    yield context.new_page()
    context.close()
    assert violations == []


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)


def test_the_cart_with_a_line_from_a_long_path_fits_a_phone(phone, app, factory, deep):
    from app.extensions import db
    from app.models import User
    from app.services.requests import carts

    staff = factory.user("staff")
    with app.app_context():
        carts.add_line(db.session.get(User, staff.id), deep["item"].id, 2, deep["bin"].id)
    log_in(phone, staff)
    phone.goto("/cart")
    expect(phone.locator(".cart-lines")).to_contain_text("Bin Z9")
    _fits(phone)
    update = phone.get_by_role("button", name="Update")
    box = update.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]


def test_the_item_receiving_count_and_request_pages_fit_a_phone_with_a_long_path(phone, app, factory, deep):
    from app.extensions import db
    from app.models import User
    from app.services.counts import counting
    from app.services.requests import carts, workflow

    manager = factory.user("manager")
    supplier = buy.supplier(app, name="Harbour Tool Supply")
    sent = buy.order(app, supplier.id, [(deep["item"].id, 5)], actor_id=manager.id, send=True)
    draft = buy.order(app, supplier.id, [(deep["item"].id, 5)], actor_id=manager.id)
    with app.app_context():
        actor = db.session.get(User, manager.id)
        count_id = counting.open_count(location_id=deep["bin"].id, actor=actor).id
        carts.add_line(actor, deep["item"].id, 2, deep["bin"].id)
        request_id = workflow.submit(actor, kind="pick").id
        db.session.remove()
    log_in(phone, manager)
    pages = [
        f"/items/{deep['item'].id}",
        f"/purchasing/orders/{sent}",
        f"/purchasing/orders/{draft}",
        f"/counts/{count_id}",
        "/counts",
        f"/requests/{request_id}",
        f"/locations/{deep['bin'].id}",
        f"/items?location={deep['bin'].id}",
        "/scan",
    ]
    for url in pages:
        phone.goto(url)
        expect(phone.locator("main")).to_be_visible()
        _fits(phone)
