"""GS1 codes in Chromium: a supplier's GS1 DataMatrix in front of the fake camera opens its item
with the lot and expiry it carries, a keyboard-wedge GS1-128 (group separators typed as Ctrl+])
adds a line that names its lot, and a form's lot, expiry and serial fields are filled in."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.launch import CHROMIUM, CHROMIUM_ARGS, log_in, watch_csp

pytestmark = pytest.mark.browser

GTIN = "09506000134352"


def _item_with_gtin(app, factory, name: str):
    return factory.item(name=name, barcodes=["9506000134352"])  # its EAN-13; the codes carry the GTIN-14


def _write_datamatrix_y4m(path: str, element_string: str, frames: int = 20) -> None:
    """A 640x480 video of a GS1 DataMatrix on white: what Chromium's fake camera shows."""
    from PIL import Image

    from app.services.scanning.gs1 import datamatrix_modules

    modules = datamatrix_modules(element_string, quiet_zone=4)
    scale = 10
    code = Image.new("L", (len(modules) * scale, len(modules) * scale), 255)
    pixels = code.load()
    for row, cells in enumerate(modules):
        for col, dark in enumerate(cells):
            if dark:
                for dy in range(scale):
                    for dx in range(scale):
                        pixels[col * scale + dx, row * scale + dy] = 0
    frame = Image.new("RGB", (640, 480), "white")
    frame.paste(code.convert("RGB"), ((640 - code.width) // 2, (480 - code.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (320, 240)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)


@pytest.fixture()
def camera_on_a_lot(live_server, tmp_path, factory, app) -> Iterator[tuple]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make install-system` installs Debian's chromium package")
    item = _item_with_gtin(app, factory, "Olive oil 1 l")
    video = str(tmp_path / "camera.y4m")
    _write_datamatrix_y4m(video, f"01{GTIN}17271231" + "10AB-12")
    fake_camera = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + fake_camera)
        context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, has_touch=True)
        context.grant_permissions(["camera"])
        context.set_default_timeout(20_000)
        violations = watch_csp(context)
        yield context.new_page(), item
        context.close()
        assert violations == [], "a page broke its Content-Security-Policy"
        browser.close()


def test_a_gs1_datamatrix_in_front_of_the_camera_opens_its_item_with_lot_and_expiry(camera_on_a_lot, factory):
    page, item = camera_on_a_lot
    log_in(page, factory.user("staff"))
    page.goto("/scan")
    page.get_by_role("button", name="Start camera").click()
    page.wait_for_url(f"**/items/{item.id}?lot=AB-12&expires_on=2027-12-31", timeout=30_000)
    expect(page.locator("h1")).to_contain_text("Olive oil 1 l")


def _wedge_gs1(page, *fields: str) -> None:
    """A USB scanner sending a GS1-128: the fields with Ctrl+] (the group separator) between them."""
    page.wait_for_load_state("load")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for index, text in enumerate(fields):
        if index:
            page.keyboard.press("Control+BracketRight")
        page.keyboard.type(text)
    page.keyboard.press("Enter")


def test_a_wedge_gs1_scan_adds_a_line_naming_its_lot_and_restocks(page, factory, app):
    from app.extensions import db
    from app.models import Item

    item = _item_with_gtin(app, factory, "Olive oil 1 l")
    log_in(page, factory.user("staff"))
    page.goto("/scan")
    page.get_by_text("Restock", exact=True).click()
    _wedge_gs1(page, f"01{GTIN}10AB-12", "17271231")  # the lot ends with a separator, then the expiry
    expect(page.locator("#scan-last")).to_contain_text("+1 Olive oil 1 l")
    expect(page.locator("#scan-lines .scan-lot")).to_have_text("Lot AB-12 · expires 2027-12-31")
    _wedge_gs1(page, f"01{GTIN}10AB-13")  # another lot: its own line
    expect(page.locator("#scan-lines tr")).to_have_count(2)
    page.get_by_role("button", name="Restock 2 items").click()
    expect(page.locator("#scan-message")).to_contain_text("Restocked:")
    with app.app_context():
        assert float(db.session.get(Item, item.id).quantity) == 2.0
        db.session.remove()


def test_a_wrong_check_digit_says_so_and_offers_nothing_to_attach(page, factory, app):
    _item_with_gtin(app, factory, "Olive oil 1 l")
    log_in(page, factory.user("manager"))
    page.goto("/scan")
    _wedge_gs1(page, "0109506000134353")
    expect(page.locator("#scan-last")).to_contain_text("check digit")
    expect(page.locator("#scan-unknown")).to_be_hidden()


def test_lot_expiry_and_serial_fields_of_a_form_are_filled_from_the_address_and_from_a_scan(page, factory, app):
    item = _item_with_gtin(app, factory, "Olive oil 1 l")
    log_in(page, factory.user("staff"))
    page.goto(f"/items/{item.id}?lot=AB-12&expires_on=2027-12-31&serial=SN-1")
    # The lot fields arrive with lot tracking; a form that has them is filled in by name.
    page.evaluate(
        """() => {
          const form = document.getElementById("restock-form");
          for (const [name, tag] of [["lot", "input"], ["expires_on", "input"], ["serials", "textarea"]]) {
            const el = document.createElement(tag);
            el.name = name;
            el.id = "test-" + name;
            form.appendChild(el);
          }
          const code = document.createElement("input");
          code.name = "code";
          code.id = "test-code";
          form.appendChild(code);
          return window.inventoryGs1.fromAddress();
        }"""
    )
    expect(page.locator("#test-lot")).to_have_value("AB-12")
    expect(page.locator("#test-expires_on")).to_have_value("2027-12-31")
    expect(page.locator("#test-serials")).to_have_value("SN-1")
    # A GS1 code typed or scanned into a field of that form fills the rest in.
    page.locator("#test-code").fill(f"(01){GTIN}(17)280200(10)CD-9(21)SN-2")
    page.locator("#test-code").dispatch_event("change")
    expect(page.locator("#test-lot")).to_have_value("CD-9")
    expect(page.locator("#test-expires_on")).to_have_value("2028-02-29")
    expect(page.locator("#test-serials")).to_have_value("SN-1\nSN-2")
    # Typed by a scanner into that field: the group separator (Ctrl+]) ends the lot.
    code = page.locator("#test-code")
    code.fill("")
    code.focus()
    page.keyboard.type(f"01{GTIN}10EF-1")
    page.keyboard.press("Control+BracketRight")
    page.keyboard.type("17290131")
    code.blur()
    expect(page.locator("#test-lot")).to_have_value("EF-1")
    expect(page.locator("#test-expires_on")).to_have_value("2029-01-31")
