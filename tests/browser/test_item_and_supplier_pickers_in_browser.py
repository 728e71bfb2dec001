"""The item and supplier pickers, and the Locations tree's paging, in a real browser with a
10,000-bin tree: type, pick, submit; the server's refusal of a deleted item next to the field."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.launch import log_in, watch_csp
from tests.helpers import purchasing as buy
from tests.helpers.big_tree import big_tree, bin_id

pytestmark = pytest.mark.browser


@pytest.fixture()
def warehouse(app, factory):
    if "sqlite" in app.config["SQLALCHEMY_DATABASE_URI"]:
        pytest.skip("the big tree is made by PostgreSQL's generate_series")
    tree = big_tree(factory, shelves=40, bins_per_shelf=250)  # 10,000 bins, 250 a shelf
    from app.extensions import db
    from app.models import Location

    with app.app_context():
        place = db.session.get(Location, bin_id(app, 7, 1))
        db.session.expunge(place)
        shelf = db.session.scalar(sa.select(Location.id).where(Location.path == "Big Site / Aisle Z / Shelf 007"))
    bolt = factory.item(name="Hex Bolt M8", sku="HB-M8", quantity=30, location=place)
    washer = factory.item(name="Flat Washer M8", sku="FW-M8", quantity=30, location=place)
    return {**tree, "shelf": shelf, "bolt": bolt, "washer": washer, "place": place}


def _context(chromium, live_server, width: int):
    context = chromium.new_context(base_url=live_server, viewport={"width": width, "height": 844}, has_touch=True)
    context.set_default_timeout(15_000)
    return context, watch_csp(context)


@pytest.fixture()
def phone(chromium, live_server):
    context, violations = _context(chromium, live_server, 390)
    yield context.new_page()
    context.close()
    assert violations == []


@pytest.fixture()
def tablet(chromium, live_server):
    context, violations = _context(chromium, live_server, 820)
    yield context.new_page()
    context.close()
    assert violations == []


def _pick(page, box_id: str, typed: str, label: str) -> None:
    box = page.locator(f"#{box_id}")
    box.fill(typed)
    options = page.locator(f"#{box_id}-list [role=option]")
    expect(options.first).to_be_visible()
    assert options.count() <= 50
    options.filter(has_text=label).first.tap()
    expect(box).to_have_value(label)


def _delete_item(app, factory, item_id: int) -> None:
    from app.extensions import db
    from app.models import User
    from app.services import items

    manager = factory.user("manager")
    with app.app_context():
        items.delete_item(item_id, actor=db.session.get(User, manager.id))


def test_a_purchase_order_line_is_picked_by_typing_and_a_deleted_item_is_refused_next_to_it(
    phone, app, factory, warehouse
):
    page = phone
    buy.supplier(app, name="Harbour Tool Supply")
    log_in(page, factory.user("manager"))
    page.goto("/purchasing/orders")
    _pick(page, "supplier_id", "harbour", "Harbour Tool Supply")
    page.get_by_role("button", name="New draft order").click()
    expect(page.locator("h1")).to_contain_text("Purchase order #")
    response_size = len(page.content())
    box = page.locator("#item")
    box.fill("m8 hex")
    expect(page.locator("#item-list [role=option]")).to_have_count(1)
    assert page.locator('input[type=hidden][name="item"]').input_value() == ""  # typing chose nothing
    page.locator("#item-list [role=option]").first.tap()
    expect(box).to_have_value("HB-M8 · Hex Bolt M8")
    page.locator("#quantity").fill("12")
    page.get_by_role("button", name="Add line").click()
    expect(page.locator(".po-lines")).to_contain_text("HB-M8")

    _pick(page, "item", "washer", "FW-M8 · Flat Washer M8")
    _delete_item(app, factory, warehouse["washer"].id)  # deleted by someone else meanwhile
    page.locator("#quantity").fill("5")
    page.get_by_role("button", name="Add line").click()
    expect(page.locator("#item-error")).to_contain_text("That item is deleted or does not exist")
    expect(page.locator(".po-lines")).not_to_contain_text("FW-M8")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert response_size < 150_000


def test_the_cart_adds_a_line_picked_by_typing_and_refuses_a_deleted_item_next_to_it(phone, app, factory, warehouse):
    page = phone
    log_in(page, factory.user("staff"))
    page.goto("/cart")
    _pick(page, "add-item_id", "hb-m8", "HB-M8 · Hex Bolt M8")
    page.locator("#add-quantity").fill("3")
    _pick(page, "add-location_id", "shelf 007 bin 001", "Big Site / Aisle Z / Shelf 007 / Bin 001")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".cart-lines")).to_contain_text("Hex Bolt M8")

    _pick(page, "add-item_id", "flat washer", "FW-M8 · Flat Washer M8")
    _delete_item(app, factory, warehouse["washer"].id)
    page.locator("#add-quantity").fill("1")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#add-item_id-error")).to_contain_text("That item is deleted or does not exist")
    expect(page.locator(".cart-lines")).not_to_contain_text("Flat Washer")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert len(page.content()) < 150_000


def test_a_new_order_and_the_orders_filter_pick_the_supplier_on_a_tablet(tablet, app, factory):
    page = tablet
    buy.supplier(app, name="Tokyo Parts 東京部品")
    buy.supplier(app, name="Harbour Tool Supply")
    log_in(page, factory.user("manager"))
    page.goto("/purchasing/orders")
    _pick(page, "supplier_id", "東京", "Tokyo Parts 東京部品")
    page.get_by_role("button", name="New draft order").click()
    expect(page.locator("h1")).to_contain_text("Purchase order #")
    page.goto("/purchasing/orders")
    _pick(page, "supplier-filter", "tokyo", "Tokyo Parts 東京部品")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"supplier_id=\d+"))
    expect(page.locator("#orders-table tbody tr")).to_have_count(1)
    expect(page.locator("#supplier-filter")).to_have_value("Tokyo Parts 東京部品")
    assert page.evaluate("document.documentElement.scrollWidth") <= 820


def test_the_locations_tree_of_ten_thousand_bins_opens_a_shelf_100_bins_at_a_time(phone, factory, warehouse):
    page = phone
    log_in(page, factory.user("staff"))
    page.goto("/locations")
    assert len(page.content()) < 150_000
    site = page.locator(f"#location-{warehouse['site'].id}")
    site.locator("summary").first.tap()
    aisle = page.locator(f"#location-{warehouse['aisle'].id}")
    aisle.locator("summary").first.tap()
    shelf = page.locator(f"#location-{warehouse['shelf']}")
    shelf.locator("summary").first.tap()
    bins = shelf.locator(".tree-leaf")
    expect(bins).to_have_count(100)
    more = shelf.get_by_role("link", name=re.compile("Show more"))
    expect(more).to_have_text("Show more (100 of 250 shown)")
    height = more.bounding_box()["height"]
    assert height >= 44
    more.tap()
    expect(bins).to_have_count(200)
    shelf.get_by_role("link", name=re.compile("Show more")).tap()
    expect(bins).to_have_count(250)
    expect(shelf.get_by_role("link", name=re.compile("Show more"))).to_have_count(0)
    for link in shelf.locator("a.tree-link").all()[:5]:
        assert link.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#tree-q").fill("shelf 040 bin 250")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#locations-found li")).to_have_count(1)


def test_a_scanned_item_code_is_chosen_in_the_cart_picker_and_typing_after_unchooses(phone, factory, warehouse):
    page = phone
    log_in(page, factory.user("staff"))
    page.goto("/cart")
    box = page.locator("#add-item_id")
    box.focus()
    page.keyboard.type("HB-M8")  # a keyboard-wedge scanner types fast and ends in Enter
    page.keyboard.press("Enter")
    expect(box).to_have_value("HB-M8 · Hex Bolt M8")
    hidden = page.locator('input[type=hidden][name="add-item_id"]')
    assert hidden.input_value() == str(warehouse["bolt"].id)
    box.press("End")
    box.type("x")
    assert hidden.input_value() == ""  # typing after a choice takes it back
