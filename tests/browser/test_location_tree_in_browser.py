"""The location tree, a path selector and a decimal movement in a real browser."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.launch import log_in

pytestmark = pytest.mark.browser


@pytest.fixture()
def tree(factory):
    main = factory.location("Main Warehouse", is_structural=True)
    aisle = factory.location("Aisle A", parent_id=main.id, is_structural=True)
    shelf3 = factory.location("Shelf 03", parent_id=aisle.id, is_structural=True)
    shelf4 = factory.location("Shelf 04", parent_id=aisle.id, is_structural=True)
    b1 = factory.location("Bin B1", parent_id=shelf3.id)
    b2 = factory.location("Bin B2", parent_id=shelf3.id)
    other_b2 = factory.location("Bin B2", parent_id=shelf4.id)
    cable = factory.item(name="Copper Cable", unit="m", decimals=2, quantity=Decimal("2.5"), location=b1)
    return {"main": main, "aisle": aisle, "b1": b1, "b2": b2, "other_b2": other_b2, "cable": cable}


def test_tree_view_folds_and_shows_subtree_counts(page, factory, tree):
    log_in(page, factory.user("staff"))
    page.goto("/locations")
    main = page.locator(f"#location-{tree['main'].id}")
    expect(main.locator(".tree-counts").first).to_have_text("1 item · 2.5 units")
    bin_link = page.get_by_role("link", name="Bin B1")
    expect(bin_link).to_be_visible()
    main.locator("summary").first.click()  # fold the site
    expect(bin_link).to_be_hidden()
    main.locator("summary").first.click()
    bin_link.click()
    expect(page.locator(".crumbs")).to_contain_text("Main Warehouse")
    expect(page.locator(".crumbs")).to_contain_text("Shelf 03")
    expect(page.locator("#subtree-totals")).to_contain_text("2.5")


def test_path_picker_finds_a_bin_by_any_part_and_moves_a_decimal_quantity(page, factory, tree):
    log_in(page, factory.user("staff"))
    page.goto(f"/items/{tree['cable'].id}")
    to = page.get_by_role("combobox", name="To")
    to.fill("shelf 04 b2")
    options = page.locator("#transfer-to_location_id-list [role=option]")
    expect(options).to_have_count(1)
    expect(options.first).to_have_text("Main Warehouse / Aisle A / Shelf 04 / Bin B2")
    to.fill("aisle a / shelf 03")
    expect(options).to_have_count(2)  # the two bins; structural ones are not offered
    to.fill("shelf 04 b2")
    expect(options).to_have_count(1)
    to.press("ArrowDown")
    to.press("Enter")
    expect(page.locator('input[name="transfer-to_location_id"]')).to_have_value(str(tree["other_b2"].id))
    page.locator("#transfer-quantity").fill("0.75")
    page.get_by_role("button", name="Transfer").click()
    expect(page.locator(".flash, [role=status], .alert").first).to_be_visible()
    expect(page.locator(f'tr[data-location-id="{tree["other_b2"].id}"]')).to_contain_text("0.75")
    expect(page.locator(f'tr[data-location-id="{tree["b1"].id}"]')).to_contain_text("1.75")


def test_too_many_decimal_places_shows_message_next_to_the_field(page, factory, tree):
    log_in(page, factory.user("staff"))
    page.goto(f"/items/{tree['cable'].id}")
    page.locator("#withdraw-quantity").fill("0.125")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.locator("#withdraw-quantity-error")).to_contain_text("at most 2 decimal place")


@pytest.mark.parametrize("width", [390, 820])
def test_a_big_trees_list_filter_finds_a_bin_as_typed_at_phone_and_tablet_width(
    chromium, live_server, factory, tree, monkeypatch, width
):
    """Too many locations to list (here: more than 3): the filter lists sites and aisles, and a
    bin is found by typing, through GET /locations/options, on a phone and a tablet."""
    from app.services import locations
    from tests.browser.launch import watch_csp

    monkeypatch.setattr(locations, "INLINE_CHOICES", 3)
    factory.item(name="Deep Bolt", quantity=2, location=tree["other_b2"])
    context = chromium.new_context(base_url=live_server, viewport={"width": width, "height": 844}, has_touch=True)
    context.set_default_timeout(10_000)
    violations = watch_csp(context)
    page = context.new_page()
    try:
        log_in(page, factory.user("staff"))
        page.goto("/items")
        select = page.locator("#location")
        expect(select.locator("option").filter(has_text="Bin B2")).to_have_count(0)  # not listed: typed for
        search = select.locator("xpath=preceding-sibling::input[@type='search']")
        expect(search).to_be_visible()
        expect(search).to_have_attribute("placeholder", "Type to find a shelf or bin…")
        box = search.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        search.fill("shelf 04 b2")
        expect(select).to_have_value(str(tree["other_b2"].id))
        expect(page.get_by_role("link", name="Deep Bolt")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing sticks out sideways
    finally:
        context.close()
    assert violations == []


def test_a_big_tree_opens_level_by_level_on_a_phone_with_44px_targets(
    chromium, live_server, factory, tree, monkeypatch
):
    """Too many locations for one page (here: more than 3): the sites show folded, opening one
    fetches what is inside, each link and arrow is a 44 px touch target, nothing sticks out."""
    from app.services import location_tree
    from tests.browser.launch import watch_csp

    monkeypatch.setattr(location_tree, "INLINE_CHOICES", 3)
    context = chromium.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, has_touch=True)
    context.set_default_timeout(10_000)
    violations = watch_csp(context)
    page = context.new_page()
    try:
        log_in(page, factory.user("staff"))
        page.goto("/locations")
        main = page.locator(f"#location-{tree['main'].id}")
        expect(main.locator(".tree-counts").first).to_have_text("1 item · 2.5 units")
        aisle = page.get_by_role("link", name="Aisle A")
        expect(aisle).to_have_count(0)  # not loaded until the site is opened
        main.locator("summary").first.click(position={"x": 20, "y": 20})  # the arrow, not the link
        expect(aisle).to_be_visible()
        page.locator(f"#location-{tree['aisle'].id} summary").first.click(position={"x": 20, "y": 20})
        shelf = page.get_by_role("link", name="Shelf 03")
        expect(shelf).to_be_visible()
        for link in (page.get_by_role("link", name="Main Warehouse"), aisle, shelf):
            box = link.bounding_box()
            assert box is not None and box["height"] >= 44 and box["width"] >= 44
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator("#tree-q").fill("shelf 04 b2")
        page.get_by_role("button", name="Find").click()
        expect(page.locator("#locations-found")).to_contain_text("Main Warehouse / Aisle A / Shelf 04 / Bin B2")
    finally:
        context.close()
    assert violations == []
