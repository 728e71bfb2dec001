"""The Scan page in Chromium: a real QR code in front of a fake camera, a keyboard-wedge Move of
several items in one batch, and a batch retried after a lost answer that moves stock once."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

import pytest
import segno
from playwright.sync_api import expect

from tests.browser.launch import CHROMIUM, CHROMIUM_ARGS, log_in, watch_csp, wedge

pytestmark = pytest.mark.browser


def write_y4m(path: str, text: str, frames: int = 20) -> None:
    """A 640x480 video of `text` as a QR code on white: what Chromium's fake camera shows."""
    from PIL import Image

    buffer = io.BytesIO()
    segno.make_qr(text, error="m").save(buffer, kind="png", scale=8, border=4)
    frame = Image.new("RGB", (640, 480), "white")
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (320, 240)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)


@pytest.fixture()
def camera_page(request, live_server, tmp_path, factory) -> Iterator[tuple]:
    """A phone-sized page whose camera films the QR code of a new item's link."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make install-system` installs Debian's chromium package")
    item = factory.item(name="Camera Widget")
    video = str(tmp_path / "camera.y4m")
    write_y4m(video, f"{request.getfixturevalue('app').config['APP_BASE_URL'].rstrip('/')}/s/I{item.id}")
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
        assert violations == [], "the Scan page broke its Content-Security-Policy"
        browser.close()


def test_a_qr_code_in_front_of_the_camera_opens_its_item(camera_page, factory):
    page, item = camera_page
    log_in(page, factory.user("staff"))
    page.goto("/scan")
    page.get_by_role("button", name="Start camera").click()
    page.wait_for_url(f"**/items/{item.id}", timeout=30_000)
    expect(page.locator("h1")).to_contain_text("Camera Widget")


@pytest.fixture()
def shelves(factory):
    shelf, bench = factory.location("Shelf S1"), factory.location("Bench B1")
    bolt = factory.item(name="Bolt", quantity=10, location=shelf)
    nut = factory.item(name="Nut", quantity=10, location=shelf)
    flour = factory.item(name="Flour", quantity=5, location=shelf, unit="kg", decimals=2)
    return shelf, bench, bolt, nut, flour


def _stock(app, item_id: int) -> dict[int, float]:
    from app.extensions import db
    from app.services import stock

    with app.app_context():
        try:
            return {s["location_id"]: float(s["quantity"]) for s in stock.stock_by_location(item_id)}
        finally:
            db.session.remove()


def _scan_a_move(page, shelf, bench, bolt, nut, flour) -> None:
    page.goto("/scan")
    page.get_by_text("Move", exact=True).click()
    wedge(page, f"L{shelf.id}")
    expect(page.locator("#scan-from")).to_have_text("Shelf S1")
    for code in (f"I{bolt.id}", bolt.sku.lower(), f"I{nut.id}", f"I{flour.id}"):
        wedge(page, code)
        expect(page.locator("#scan-last")).to_contain_text("+1")
    expect(page.locator("#scan-lines tr")).to_have_count(3)
    page.get_by_label("Quantity of Flour").fill("1.25")
    page.get_by_label("Quantity of Flour").dispatch_event("change")
    wedge(page, f"L{bench.id}")
    expect(page.locator("#scan-to")).to_have_text("Bench B1")


def test_a_keyboard_wedge_move_of_several_items_is_one_batch(page, factory, app, shelves):
    shelf, bench, bolt, nut, flour = shelves
    log_in(page, factory.user("staff"))
    _scan_a_move(page, *shelves)
    page.get_by_role("button", name="Move 3 items").click()
    expect(page.locator("#scan-message")).to_contain_text("Moved:")
    assert _stock(app, bolt.id) == {bench.id: 2.0, shelf.id: 8.0}
    assert _stock(app, nut.id) == {bench.id: 1.0, shelf.id: 9.0}
    assert _stock(app, flour.id) == {bench.id: 1.25, shelf.id: 3.75}


def test_a_batch_retried_after_a_lost_answer_moves_stock_once(page, factory, app, shelves):
    shelf, bench, bolt, nut, flour = shelves
    log_in(page, factory.user("staff"))
    _scan_a_move(page, *shelves)
    lost = []

    def lose_the_answer(route):
        if not lost:
            route.fetch()  # the server applies the batch ...
            lost.append(True)
            route.abort("connectionreset")  # ... and the answer never arrives
        else:
            route.continue_()

    page.route("**/api/v1/scan/batches", lose_the_answer)
    submit = page.get_by_role("button", name="Move 3 items")
    submit.click()
    expect(page.locator("#scan-message")).to_contain_text("never applied twice")
    assert _stock(app, bolt.id) == {bench.id: 2.0, shelf.id: 8.0}
    submit.click()  # the retry
    expect(page.locator("#scan-message")).to_contain_text("Moved:")
    assert _stock(app, bolt.id) == {bench.id: 2.0, shelf.id: 8.0}
    assert _stock(app, nut.id) == {bench.id: 1.0, shelf.id: 9.0}
    assert _stock(app, flour.id) == {bench.id: 1.25, shelf.id: 3.75}


def test_a_scan_into_a_location_field_chooses_that_location(page, factory, app, shelves):
    shelf, bench, bolt, _nut, _flour = shelves
    factory.location("Aisle Z")
    log_in(page, factory.user("staff"))
    page.goto(f"/items/{bolt.id}")
    destination = page.locator('input[name="transfer-to_location_id"]')
    expect(destination).to_have_value("")  # no destination until the person chooses one
    search = page.get_by_role("combobox", name="To")
    search.focus()
    page.keyboard.type(f"L{bench.id}")
    page.keyboard.press("Enter")  # refused as a form submit: it ends a scan
    expect(destination).to_have_value(str(bench.id))
    expect(search).to_have_value(bench.path)
    assert page.url.endswith(f"/items/{bolt.id}")
    assert _stock(app, bolt.id) == {shelf.id: 10.0}


def test_a_manager_counts_a_shelf_by_scanning_each_unit(page, factory, app, shelves):
    shelf, _bench, bolt, nut, _flour = shelves
    log_in(page, factory.user("manager"))
    page.goto("/scan")
    page.get_by_text("Count", exact=True).click()
    wedge(page, f"L{shelf.id}")
    expect(page.locator("#scan-at")).to_have_text("Shelf S1")
    for code in (f"I{bolt.id}", f"I{bolt.id}", f"I{nut.id}", f"I{bolt.id}"):
        wedge(page, code)
        expect(page.locator("#scan-last")).to_contain_text("+1")
    expect(page.get_by_label("Quantity of Bolt")).to_have_value("3")
    page.get_by_role("button", name="Record counts of 2 items").click()
    expect(page.locator("#scan-message")).to_contain_text("Counted:")
    assert _stock(app, bolt.id) == {shelf.id: 3.0}
    assert _stock(app, nut.id) == {shelf.id: 1.0}


def test_count_mode_warns_at_the_location_scan_when_no_count_is_open_there(page, factory, app, shelves):
    from app.extensions import db
    from app.models import User
    from app.services.counts import counting

    shelf, bench, bolt, _nut, _flour = shelves
    log_in(page, factory.user("staff"))
    page.goto("/scan")
    page.get_by_text("Count", exact=True).click()
    wedge(page, f"L{shelf.id}")  # the first scan: nothing counted yet, and already told
    warning = page.locator("#scan-count-status")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("No count is open at Shelf S1")
    expect(warning).to_contain_text("ask a manager to open one")

    manager = factory.user("manager")
    with app.app_context():
        count_id = counting.open_count(location_id=bench.id, actor=db.session.get(User, manager.id)).id
        db.session.remove()
    wedge(page, f"L{bench.id}")  # a location with an open count: said so, the warning gone
    expect(warning).to_contain_text(f"Counting into count #{count_id}")
    expect(warning).not_to_contain_text("No count is open")
    wedge(page, f"I{bolt.id}")
    expect(page.locator("#scan-last")).to_contain_text("+1")


def test_an_unknown_code_says_so_and_a_manager_attaches_it_to_an_item(page, factory, app, shelves):
    _shelf, _bench, bolt, _nut, _flour = shelves
    log_in(page, factory.user("manager"))
    page.goto("/scan")
    wedge(page, "4006381333931")
    expect(page.locator("#scan-unknown")).to_contain_text("Unknown code 4006381333931")
    page.get_by_label("Item to attach it to").fill(bolt.sku)
    page.get_by_role("button", name="Attach as barcode").click()
    expect(page.locator("#scan-attach-result")).to_contain_text(f"4006381333931 is now a barcode of Bolt ({bolt.sku})")
    wedge(page, "4006381333931")  # Look up: now it opens the item
    page.wait_for_url(f"**/items/{bolt.id}")


def test_a_wedge_scan_on_any_page_opens_what_it_names(page, factory, shelves):
    shelf, _bench, bolt, _nut, _flour = shelves
    log_in(page, factory.user("staff"))
    wedge(page, bolt.sku)  # on the dashboard, nothing focused
    page.wait_for_url(f"**/items/{bolt.id}")
    wedge(page, f"L{shelf.id}")
    page.wait_for_url(f"**/locations/{shelf.id}")
    wedge(page, "NO-SUCH-CODE")
    expect(page.locator("#toasts")).to_contain_text("Unknown code: NO-SUCH-CODE")
