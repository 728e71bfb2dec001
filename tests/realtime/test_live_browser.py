"""Two people in two browsers on two web processes: one restocks, the other sees it live."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.launch import CHROMIUM, launch, watch_csp

pytestmark = pytest.mark.browser

PASSWORD = "password123"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (`make install-system` installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def logged_in_page(browser, base_url: str, email: str):
    context = browser.new_context(base_url=base_url)
    violations = watch_csp(context)
    page = context.new_page()
    page.csp_violations = violations
    page.set_default_timeout(20_000)
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login)"))
    return page


def test_restock_in_one_browser_shows_toast_and_quantity_in_the_other(cluster, factory, browser):
    from playwright.sync_api import expect

    item = factory.item(quantity=10, name="Widget A", low_stock_threshold=0)
    factory.user("manager", email="john@example.com", password=PASSWORD)
    factory.user("staff", email="watcher@example.com", password=PASSWORD)

    watcher = logged_in_page(browser, cluster.b.url, "watcher@example.com")
    watcher.goto(f"/items?q={item.sku}")
    expect(watcher.locator("#live-indicator")).to_have_attribute("data-state", "connected")
    row_quantity = watcher.locator(f"#item-row-{item.id} [data-field=quantity]")
    expect(row_quantity).to_have_text("10")
    watcher.evaluate("window.stillTheSamePage = true")

    john = logged_in_page(browser, cluster.a.url, "john@example.com")
    john.goto(f"/items/{item.id}")
    john.fill("#restock-form input[name='restock-quantity']", "90")
    john.click("#restock-form button[type=submit]")
    expect(john.locator("main [data-field=quantity]").first).to_have_text("100")

    expect(watcher.locator("#toasts .toast")).to_have_text(
        "Widget A restocked: 10 → 100 pcs by john@example.com"
    )  # the unit word
    expect(row_quantity).to_have_text("100")
    assert watcher.evaluate("window.stillTheSamePage === true")  # updated in place, not reloaded
    # The live pages ran under the app's Content-Security-Policy and broke none of it.
    assert "frame-ancestors 'none'" in john.evaluate(
        "() => fetch('/items').then(r => r.headers.get('content-security-policy'))"
    )
    assert watcher.csp_violations == [] and john.csp_violations == []
    watcher.context.close()
    john.context.close()


def test_item_created_by_someone_else_appears_in_the_other_users_list(cluster, factory, browser):
    from playwright.sync_api import expect

    shelf = factory.location("Shelf A")
    factory.item(quantity=3, name="Already here", location=shelf)
    factory.user("manager", email="creator@example.com", password=PASSWORD)
    factory.user("staff", email="lister@example.com", password=PASSWORD)

    lister = logged_in_page(browser, cluster.b.url, "lister@example.com")
    lister.goto("/items")
    expect(lister.locator("#live-indicator")).to_have_attribute("data-state", "connected")
    expect(lister.locator("#inventory-results")).to_contain_text("Already here")
    lister.evaluate("window.stillTheSamePage = true")

    creator = logged_in_page(browser, cluster.a.url, "creator@example.com")
    creator.goto("/items/new")
    creator.fill("#sku", "NEW-LIVE-1")
    creator.fill("#name", "Freshly made widget")
    creator.fill("#location_id", shelf.name)  # the home, through the location picker
    creator.locator("#location_id-list [role=option]").first.click()
    expect(creator.locator('input[name="location_id"]')).to_have_value(str(shelf.id))
    creator.click("form.item-form button[type=submit]")
    creator.wait_for_url(re.compile(r"/items/\d+$"))

    # Its row appears in the other person's list (whose cart boxes hold their default "1"), in place.
    expect(lister.locator("#inventory-results")).to_contain_text("Freshly made widget")
    expect(lister.locator("#toasts .toast").last).to_have_text(
        "New item Freshly made widget (NEW-LIVE-1) by creator@example.com"
    )
    assert lister.evaluate("window.stillTheSamePage === true")
    assert lister.csp_violations == [] and creator.csp_violations == []
    lister.context.close()
    creator.context.close()
