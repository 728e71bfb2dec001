"""The pages and the API docs run under the app's strict Content-Security-Policy and break none
of it (the `page` fixture fails a test that sees a violation)."""

import pytest
from playwright.sync_api import expect

from tests.browser.launch import log_in

pytestmark = pytest.mark.browser

PAGES = (
    "/dashboard",
    "/items",
    "/items/new",
    "/requests",
    "/cart",
    "/alerts",
    "/activity",
    "/users",
    "/reports",
    "/categories",
    "/locations",
    "/backups",
    "/outbox",
)


def test_every_page_loads_under_the_csp_without_violations(page, factory):
    item = factory.item(name="Claw Hammer", quantity=3)
    log_in(page, factory.user("admin"))
    for path in (*PAGES, f"/items/{item.id}"):
        response = page.goto(path)
        assert response.ok, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    # The pages' own behaviour still works with no inline handlers: htmx search, the add-to-cart form.
    page.goto("/items")
    page.get_by_label("Search").press_sequentially("claw")
    expect(page.locator("#inventory-results tbody tr[data-item-id]")).to_have_count(1)
    page.goto(f"/items/{item.id}")
    expect(page.locator("form.add-to-cart")).to_have_css("display", "inline-flex")


def test_state_filter_submits_on_change_without_an_inline_handler(page, factory):
    log_in(page, factory.user("manager"))
    page.goto("/requests?view=all")
    page.locator("#state-filter").select_option("approved")
    page.wait_for_url("**state=approved**")


def test_swagger_ui_renders_the_api_under_the_csp(page):
    response = page.goto("/docs")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.get_by_text("Inventory API")).to_be_visible()


def test_an_inline_style_is_refused_and_reported(page):
    """The watcher itself works: a style attribute set from script is a violation it sees."""
    page.goto("/login")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_timeout(200)
    assert any("style-src" in line for line in page.csp_violations)
    page.csp_violations.clear()
