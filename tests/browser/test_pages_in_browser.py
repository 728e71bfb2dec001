"""The staff pages in a real browser: log in, filter, move stock, role-based actions."""

import pytest
from playwright.sync_api import expect

from tests.browser.launch import log_in

pytestmark = pytest.mark.browser


@pytest.fixture()
def tools(tools, factory):
    """The shared tools, and 6 paint rollers of another category in the same warehouse."""
    paint = factory.category("Paint")
    return {
        **tools,
        "roller": factory.item(name="Paint Roller", category_id=paint.id, location=tools["main"], quantity=6),
    }


def rows(page):
    return page.locator("#inventory-results tbody tr[data-item-id]")


def test_log_in_shows_dashboard_with_user_and_role(page, factory):
    user = factory.user("manager")
    log_in(page, user)
    expect(page.locator(".who")).to_contain_text(user.full_name)
    expect(page.locator(".who")).to_contain_text("manager")
    expect(page.locator('[data-stat="total_items"]')).to_be_visible()


def test_wrong_password_shows_message(page, factory):
    user = factory.user("staff")
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-error")).to_have_text("Wrong email or password.")


def test_filter_by_search_then_category_shows_only_matching_rows(page, factory, tools):
    log_in(page, factory.user("staff"))
    page.goto("/items")
    expect(rows(page)).to_have_count(3)
    page.get_by_label("Search").press_sequentially("mall")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Rubber Mallet")
    assert "q=mall" in page.url
    page.get_by_label("Search").fill("")
    page.get_by_label("Search").press("Backspace")
    expect(rows(page)).to_have_count(3)
    page.get_by_label("Category").select_option(label="Tools")
    expect(rows(page)).to_have_count(2)
    expect(page.locator("#inventory-results")).not_to_contain_text("Paint Roller")
    assert f"category={tools['category'].id}" in page.url
    page.reload()  # the filtered view is bookmarkable
    expect(rows(page)).to_have_count(2)
    expect(page.get_by_label("Category")).to_have_value(str(tools["category"].id))


def test_restock_from_row_shows_new_quantity(page, factory, tools):
    log_in(page, factory.user("staff"))
    page.goto("/items")
    row = page.locator(f"#item-row-{tools['hammer'].id}")
    row.get_by_label("Quantity for Claw Hammer").fill("5")
    row.get_by_role("button", name="+ In").click()
    expect(page.locator(f"#item-row-{tools['hammer'].id} [data-field=quantity]")).to_have_text("15")
    page.reload()
    expect(page.locator(f"#item-row-{tools['hammer'].id} [data-field=quantity]")).to_have_text("15")


def test_restock_on_item_page_shows_new_quantity(page, factory, tools):
    log_in(page, factory.user("staff"))
    page.goto(f"/items/{tools['roller'].id}")
    form = page.locator("#restock-form")
    form.get_by_label("Quantity").fill("4")
    form.get_by_role("button", name="Restock").click()
    expect(page.locator(".flash-success")).to_have_text("Restocked 4 pcs.")  # with its unit word
    expect(page.locator("main [data-field=quantity]")).to_have_text("10")


def test_withdrawal_larger_than_stock_shows_error_and_changes_nothing(page, factory, tools):
    log_in(page, factory.user("staff"))
    page.goto("/items")
    row = page.locator(f"#item-row-{tools['mallet'].id}")
    row.get_by_label("Quantity for Rubber Mallet").fill("9")
    row.get_by_role("button", name="− Out").click()
    row = page.locator(f"#item-row-{tools['mallet'].id}")
    expect(row.locator(".field-error")).to_contain_text("Only 4")
    expect(row.locator("[data-field=quantity]")).to_have_text("4")
    page.goto(f"/items/{tools['mallet'].id}")
    form = page.locator("#withdraw-form")
    form.get_by_label("Quantity").fill("9")
    form.get_by_role("button", name="Withdraw").click()
    expect(page.locator("#withdraw-quantity-error")).to_contain_text("Only 4")
    expect(page.locator("main [data-field=quantity]")).to_have_text("4")


def test_staff_sees_no_manager_actions(page, factory, tools):
    log_in(page, factory.user("staff"))
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Inventory")).to_be_visible()
    for label in ("Alerts", "Activity", "Users"):
        expect(nav.get_by_role("link", name=label)).to_have_count(0)
    page.goto("/items")
    expect(page.get_by_role("link", name="+ New item")).to_have_count(0)
    page.goto(f"/items/{tools['hammer'].id}")
    expect(page.get_by_role("button", name="Restock")).to_be_visible()
    expect(page.get_by_role("button", name="Delete…")).to_have_count(0)
    expect(page.get_by_role("link", name="Delete…")).to_have_count(0)
    expect(page.locator("#adjust-form")).to_have_count(0)
    # Staff may edit a few fields: the short form, without SKU, name, category or price.
    page.get_by_role("button", name="Edit").click()
    expect(page.get_by_label("Unit")).to_be_visible()
    for manager_only in ("SKU", "Name", "Category", "Unit price"):
        expect(page.get_by_label(manager_only, exact=True)).to_have_count(0)
    page.get_by_label("Unit").fill("box")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    page.goto(f"/items/{tools['hammer'].id}/delete")
    expect(page.get_by_role("heading", level=1)).to_have_text("You can't do that here")
