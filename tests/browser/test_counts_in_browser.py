"""A stock count in Chromium at tablet size (820 px): a manager opens it, staff count a shelf with
keyboard-wedge scans (a duplicate asks add or replace), the manager reviews and approves."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.launch import log_in, watch_csp, wedge

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}


@pytest.fixture()
def tablet(chromium, live_server):
    """A fresh tablet-sized page per person (each its own cookies)."""
    contexts = []

    def make():
        context = chromium.new_context(base_url=live_server, viewport=TABLET, has_touch=True)
        context.set_default_timeout(15_000)
        context.violations = watch_csp(context)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        violations = context.violations
        context.close()
        assert violations == [], "a count page broke its Content-Security-Policy"


def _levels(app, item_id: int) -> dict[int, float]:
    from app.extensions import db
    from app.services import stock

    with app.app_context():
        try:
            return {s["location_id"]: float(s["quantity"]) for s in stock.stock_by_location(item_id)}
        finally:
            db.session.remove()


def test_staff_count_a_shelf_by_scanning_on_a_tablet_and_a_manager_approves(tablet, factory, app):
    site = factory.location("Back store", is_structural=True)
    shelf = factory.location("Shelf C3", parent_id=site.id)
    bolt = factory.item(name="Carriage bolt", quantity=10, location=shelf)
    nut = factory.item(name="Lock nut", quantity=6, location=shelf)
    washer = factory.item(name="Washer", quantity=0, location=factory.location("Elsewhere"))

    boss = tablet()
    log_in(boss, factory.user("manager"))
    boss.goto("/counts")
    boss.get_by_role("combobox", name="Location (with everything inside it)").fill("shelf c3")
    boss.locator("#location_id-list [role=option]", has_text="Back store / Shelf C3").click()
    boss.get_by_label("Blind count (staff do not see the expected quantities)").check()
    boss.get_by_role("button", name="Open count").click()
    expect(boss.locator("h1")).to_contain_text("Shelf C3")
    count_id = int(re.search(r"/counts/(\d+)", boss.url).group(1))

    counter = tablet()
    log_in(counter, factory.user("staff"))
    counter.goto(f"/counts/{count_id}")
    expect(counter.locator("#count-lines")).not_to_contain_text("Expected")  # blind

    wedge(counter, f"L{shelf.id}")
    expect(counter.locator("#count-hint")).to_contain_text("Counting at Back store / Shelf C3")
    for code, seen in ((f"I{bolt.id}", "8"), (f"I{nut.id}", "6"), (f"I{washer.id}", "2")):
        wedge(counter, code)
        expect(counter.locator("#count-hint")).to_contain_text("how many do you see")
        expect(counter.locator("#counted")).to_be_focused()
        counter.keyboard.type(seen)
        counter.keyboard.press("Enter")
        expect(counter.locator(".flash-success")).to_contain_text("Counted:")
    expect(counter.locator("#count-lines")).to_contain_text("Found here")  # the washer was not expected

    wedge(counter, f"I{bolt.id}")  # the same bolts scanned again: asked, never added silently
    expect(counter.locator("#counted")).to_be_focused()
    counter.keyboard.type("1")
    counter.keyboard.press("Enter")
    expect(counter.get_by_role("alert")).to_contain_text("already counted")
    counter.get_by_role("button", name="Add 1 to it").click()
    expect(counter.locator(f"#count-lines tr:has-text('{bolt.sku}')")).to_contain_text("9 pcs")
    counter.get_by_role("button", name="Submit for review").click()
    expect(counter.locator("h1")).to_contain_text("Waiting for review")

    boss.goto(f"/counts/{count_id}/review")
    variances = boss.locator("section[aria-labelledby='variances-heading']")
    expect(variances).to_contain_text("Carriage bolt")
    expect(variances).to_contain_text("Washer")
    expect(boss.locator(".review-totals")).to_contain_text("$2.50")  # -1 bolt, +2 washers at 2.50
    boss.get_by_role("button", name="Approve and adjust stock").click()
    expect(boss.locator(".flash-success")).to_contain_text("approved")
    assert _levels(app, bolt.id) == {shelf.id: 9.0}
    assert _levels(app, nut.id) == {shelf.id: 6.0}
    assert _levels(app, washer.id)[shelf.id] == 2.0


def _changed(page, actor_email: str, count_id: int, at: str | None = None) -> None:
    """A count_updated event as live.js hands it to the page (the Socket.IO payload); now, unless `at`."""
    page.evaluate(
        "([id, email, at]) => document.dispatchEvent(new CustomEvent('live:count_updated', {detail: {count_id: id,"
        " state: 'approved', actor_email: email, timestamp: at || new Date().toISOString()}}))",
        [count_id, actor_email, at],
    )


def test_the_review_ignores_the_managers_own_approval_and_shows_anothers_change(tablet, factory, app):
    from app.extensions import db
    from app.models import User
    from app.services.counts import counting

    shelf = factory.location("Shelf D1")
    bolt = factory.item(name="Hex bolt", quantity=10, location=shelf)
    manager, staff = factory.user("manager"), factory.user("staff")
    with app.app_context():
        count_id = counting.open_count(location_id=shelf.id, actor=db.session.get(User, manager.id)).id
        counting.record_line(
            count_id, item_id=bolt.id, location_id=shelf.id, counted=9, actor=db.session.get(User, staff.id)
        )
        counting.submit(count_id, actor=db.session.get(User, staff.id))
        db.session.remove()

    boss = tablet()
    log_in(boss, manager)
    boss.goto(f"/counts/{count_id}/review")
    boss.get_by_role("button", name="Approve and adjust stock").click()
    expect(boss.locator(".flash-success")).to_contain_text("approved")
    notice = boss.locator("#count-changed")
    _changed(boss, manager.email, count_id)  # the approval's own event, arriving after the redirect
    _changed(boss, staff.email, count_id, at="2000-01-01T00:00:00+00:00")  # older than the page: shown in it
    expect(notice).to_be_hidden()
    _changed(boss, staff.email, count_id)  # someone else, after the page opened
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("This count changed since the page opened")
