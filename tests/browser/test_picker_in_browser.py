"""The bounded location picker with a 10,000-bin tree, on a phone: type any part of a path and
pick, scan a location's code into it, and the server's refusal of a place that cannot hold stock."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.launch import log_in, watch_csp
from tests.helpers.big_tree import big_tree, bin_id

pytestmark = pytest.mark.browser


@pytest.fixture()
def warehouse(app, factory):
    if "sqlite" in app.config["SQLALCHEMY_DATABASE_URI"]:
        pytest.skip("the big tree is made by PostgreSQL's generate_series")
    tree = big_tree(factory)
    home = bin_id(app, 1, 1)
    from app.models import Location

    with app.app_context():
        from app.extensions import db

        place = db.session.get(Location, home)
        db.session.expunge(place)
    item = factory.item(name="Hex Bolt", quantity=30, location=place)
    bins = {(42, 7): bin_id(app, 42, 7), (99, 100): bin_id(app, 99, 100)}
    return {**tree, "item": item, "home": home, "bins": bins}


@pytest.fixture()
def phone(chromium, live_server):
    context = chromium.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, has_touch=True)
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    yield context.new_page()
    context.close()
    assert violations == []


def test_transfer_to_a_bin_picked_by_typing_among_ten_thousand(phone, factory, warehouse):
    page = phone
    log_in(page, factory.user("staff"))
    response = page.goto(f"/items/{warehouse['item'].id}")
    assert len(response.body()) < 150_000  # no page lists every bin
    to = page.locator("#transfer-to_location_id")
    expect(to).to_have_value("")  # no destination is chosen for the person
    to.fill("shelf 042 bin 07")
    options = page.locator("#transfer-to_location_id-list [role=option]")
    expect(options.first).to_be_visible()
    assert options.count() <= 50
    expect(options.filter(has_text="Shelf 042 / Bin 070")).to_have_count(1)
    assert page.locator('input[name="transfer-to_location_id"]').input_value() == ""  # typing chose nothing
    to.press("ArrowDown")  # the keyboard reaches every option: the first is highlighted, not chosen
    expect(options.first).to_have_attribute("aria-selected", "true")
    assert page.locator('input[name="transfer-to_location_id"]').input_value() == ""
    options.filter(has_text="Shelf 042 / Bin 007").tap()
    expect(to).to_have_value("Big Site / Aisle Z / Shelf 042 / Bin 007")
    assert page.locator('input[name="transfer-to_location_id"]').input_value() == str(warehouse["bins"][(42, 7)])
    page.locator("#transfer-quantity").fill("4")
    page.get_by_role("button", name="Transfer").click()
    expect(page.locator(f'tr[data-location-id="{warehouse["bins"][(42, 7)]}"]')).to_contain_text("4")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_scanned_location_code_is_chosen_and_typing_after_unchooses(phone, factory, warehouse):
    page = phone
    log_in(page, factory.user("staff"))
    page.goto(f"/items/{warehouse['item'].id}")
    box = page.locator("#restock-location_id")
    box.fill("")
    box.focus()
    page.keyboard.type(f"L{warehouse['bins'][(99, 100)]}")  # a keyboard-wedge scanner types fast and ends in Enter
    page.keyboard.press("Enter")
    expect(box).to_have_value("Big Site / Aisle Z / Shelf 099 / Bin 100")
    hidden = page.locator('input[name="restock-location_id"]')
    assert hidden.input_value() == str(warehouse["bins"][(99, 100)])
    box.press("End")
    box.type("x")
    assert hidden.input_value() == ""  # typing after a choice takes it back: nothing half-chosen is sent
    page.locator("#restock-quantity").fill("1")
    page.get_by_role("button", name="Restock").click()
    expect(page.locator("#restock-location_id").locator("xpath=..").locator("[data-picker-status]")).to_contain_text(
        "Choose from the list"
    )


def test_the_server_refuses_a_structural_place_next_to_the_field(phone, factory, warehouse):
    page = phone
    log_in(page, factory.user("staff"))
    page.goto(f"/items/{warehouse['item'].id}")
    aisle = warehouse["aisle"].id
    page.evaluate(f"document.querySelector('input[name=\"transfer-to_location_id\"]').value = '{aisle}'")
    page.locator("#transfer-quantity").fill("1")
    page.get_by_role("button", name="Transfer").click()
    expect(page.locator("#transfer-to_location_id-error")).to_be_visible()
    expect(page.locator(f'tr[data-location-id="{warehouse["home"]}"]')).to_contain_text("30")
