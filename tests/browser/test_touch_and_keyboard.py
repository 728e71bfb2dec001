"""Using the pages as floor staff do: with a thumb on a phone or tablet, and from the keyboard."""

from __future__ import annotations

import re
import struct

import pytest
from playwright.sync_api import expect

from tests.browser.audit import SIZES, TOUCH_MIN, audit
from tests.browser.launch import log_in

pytestmark = pytest.mark.browser


def box(locator):
    return locator.bounding_box()


def test_inventory_on_a_phone_is_cards_with_in_out_and_cart_in_reach(page, factory, tools):
    page.set_viewport_size(SIZES["phone"])
    log_in(page, factory.user("staff"))
    page.goto("/items")
    card = page.locator(f"#item-row-{tools['hammer'].id}")
    expect(card).to_be_visible()
    card_box = box(card)
    assert card_box["width"] > SIZES["phone"]["width"] * 0.85, "one card fills the phone's width"
    # Every action of the card is inside it, on screen and big enough for a thumb.
    for name in ("+ In", "− Out", "Add to cart"):
        button = card.get_by_role("button", name=name)
        b = box(button)
        assert b["height"] >= TOUCH_MIN and b["width"] >= TOUCH_MIN, name
        assert card_box["x"] <= b["x"] and b["x"] + b["width"] <= card_box["x"] + card_box["width"], name
        assert b["x"] + b["width"] <= SIZES["phone"]["width"], name
    # The name, quantity, SKU and location are all shown on the card, labelled.
    expect(card).to_contain_text("Claw Hammer")
    expect(card.locator("[data-field=quantity]")).to_have_text("10")
    expect(card.locator("[data-label=SKU]")).to_be_visible()
    card.get_by_label("Quantity for Claw Hammer").fill("3")
    card.get_by_role("button", name="− Out").click()
    expect(page.locator(f"#item-row-{tools['hammer'].id} [data-field=quantity]")).to_have_text("7")
    card.get_by_label("Quantity for Claw Hammer").fill("99")
    card.get_by_role("button", name="− Out").click()  # more than there is: the card says so
    expect(card.locator(".field-error")).to_contain_text("Only 7")
    expect(card.get_by_label("Quantity for Claw Hammer")).to_have_attribute("aria-invalid", "true")
    assert audit(page, "phone") == []
    page.locator(f"#item-row-{tools['mallet'].id}").get_by_role("button", name="Add to cart").click()
    expect(page.locator(".flash-success")).to_contain_text("Rubber Mallet")
    # The column headings are still there to sort by, as a row of buttons.
    page.get_by_role("link", name="Qty").click()
    expect(page.locator("th[aria-sort]")).to_contain_text("Qty")


def test_inventory_on_a_tablet_shows_two_cards_side_by_side(page, factory, tools):
    page.set_viewport_size(SIZES["tablet"])
    log_in(page, factory.user("manager"))
    page.goto("/items")
    first, second = (box(page.locator(f"#item-row-{tools[name].id}")) for name in ("hammer", "mallet"))
    assert abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"] + first["width"] - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["tablet"]["width"]


def test_inventory_table_fits_a_desktop_window_with_its_actions_in_view(page, factory, tools):
    log_in(page, factory.user("staff"))
    page.goto("/items")
    row = page.locator(f"#item-row-{tools['hammer'].id}")
    expect(row).to_be_visible()
    expect(page.locator(".inventory-wrap")).not_to_have_attribute("data-scroll", re.compile(".*"))
    for name in ("+ In", "− Out", "Add to cart"):
        b = box(row.get_by_role("button", name=name))
        assert b["x"] + b["width"] <= SIZES["desktop"]["width"], name


def test_a_wide_table_scrolls_in_its_own_box_with_a_cue_and_from_the_keyboard(page, factory):
    for n in range(3):
        factory.user("staff", email=f"a.rather.long.address.number{n}@warehouse.example.com")
    page.set_viewport_size(SIZES["phone"])
    log_in(page, factory.user("admin"))
    page.goto("/users")
    region = page.get_by_role("region", name="Users (scrolls sideways)")
    expect(region).to_have_attribute("data-scroll", "start")
    expect(page.get_by_text("More columns: swipe or scroll sideways")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"]["width"]
    region.focus()
    page.keyboard.press("ArrowRight")  # the keyboard scrolls a focused scroll box
    expect(region).to_have_attribute("data-scroll", "middle")
    for _ in range(40):
        if region.get_attribute("data-scroll") == "end":
            break
        page.keyboard.press("ArrowRight")
    expect(region).to_have_attribute("data-scroll", "end")
    page.goto("/categories")  # a table that fits: no cue, no extra tab stop
    expect(page.locator(".table-wrap")).not_to_have_attribute("data-scroll", re.compile(".*"))
    expect(page.locator(".table-wrap")).not_to_have_attribute("tabindex", "0")
    expect(page.get_by_text("More columns: swipe or scroll sideways")).to_have_count(0)


def test_sidebar_opens_moves_and_closes_from_the_keyboard(page, factory):
    page.set_viewport_size(SIZES["tablet"])
    log_in(page, factory.user("manager"))
    nav = page.get_by_role("navigation", name="Main navigation")
    toggle = page.get_by_role("button", name="Menu")
    expect(nav).to_be_hidden()  # folded away: not on screen and not in the tab order
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(nav).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Dashboard")).to_be_focused()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(nav.get_by_role("link", name="Dashboard")).to_be_focused()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Inventory")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/items")
    expect(nav).to_be_hidden()
    page.set_viewport_size(SIZES["desktop"])
    expect(nav).to_be_visible()
    expect(toggle).to_be_hidden()


def test_confirmation_dialog_works_from_the_keyboard(page, factory):
    factory.category("Old Stock")
    log_in(page, factory.user("manager"))
    page.goto("/categories")
    delete = page.locator("#category-1").get_by_role("button", name="Delete")
    answers = []

    def answer(dialog):
        answers.append(dialog.message)
        dialog.dismiss() if len(answers) == 1 else dialog.accept()

    page.on("dialog", answer)
    delete.focus()
    page.keyboard.press("Enter")  # the first time: "Cancel"
    expect(page.locator("#category-1")).to_be_visible()
    delete.focus()
    page.keyboard.press("Enter")  # then "OK"
    expect(page.locator("#category-1")).to_have_count(0)
    assert answers == ["Delete category Old Stock?"] * 2


def _focus_ring(page) -> tuple[str, float]:
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )


def test_keyboard_focus_is_always_visible(page, factory, tools):
    log_in(page, factory.user("manager"))
    page.goto(f"/items/{tools['hammer'].id}")
    seen = set()
    for _ in range(25):
        page.keyboard.press("Tab")
        name = page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)")
        style, width = _focus_ring(page)
        assert style != "none" and width >= 2, f"no visible focus ring on {name}"
        seen.add(page.evaluate("() => document.activeElement.tagName"))
    assert {"A", "BUTTON", "INPUT"} <= seen


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_app_can_be_added_to_a_home_screen(page, factory):
    page.goto("/login")
    manifest_url = page.locator("link[rel=manifest]").get_attribute("href")
    response = page.request.get(manifest_url)
    assert response.ok and response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == "Inventory" and manifest["display"] == "standalone"
    assert page.request.get(manifest["start_url"]).ok
    sizes = set()
    for icon in manifest["icons"]:
        answer = page.request.get(icon["src"])
        assert answer.ok and answer.headers["content-type"].startswith(icon["type"]), icon["src"]
        if icon["type"] == "image/png":
            width, height = _png_size(answer.body())
            assert f"{width}x{height}" == icon["sizes"], icon["src"]
            sizes.add((width, icon.get("purpose", "any")))
    assert {(192, "any"), (512, "any"), (512, "maskable")} <= sizes
    for selector in ("link[rel=icon][type='image/svg+xml']", "link[rel=apple-touch-icon]"):
        assert page.request.get(page.locator(selector).get_attribute("href")).ok, selector
    favicon = page.request.get("/favicon.ico")
    assert favicon.ok and favicon.headers["content-type"] in ("image/vnd.microsoft.icon", "image/x-icon")
    expect(page.locator("meta[name=theme-color]")).to_have_attribute("content", "#14213d")
