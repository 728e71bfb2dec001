"""On a 390 px phone (issue 27): a withdrawal of a lot item with FEFO pre-selected takes the lot
that expires first, then a manager blocks that lot from its recall page; both pages pass axe and
fit the phone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.audit import audit
from tests.browser.launch import log_in, watch_csp

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture()
def phone(chromium, live_server):
    context = chromium.new_context(base_url=live_server, viewport=PHONE, has_touch=True)
    context.set_default_timeout(10_000)
    violations = watch_csp(context)
    yield context.new_page()
    context.close()
    assert violations == []


def test_withdraw_fefo_on_a_phone_then_block_the_lot_from_its_recall_page(phone, app, factory):
    from app.extensions import db
    from app.models import User
    from app.services import stock

    main = factory.location("Main")
    manager = factory.user("manager")
    oil = factory.item(name="Olive Oil 1 l", tracking="lot", location=main, actor=manager)
    soon, later = date.today() + timedelta(days=60), date.today() + timedelta(days=300)
    with app.app_context():
        user = db.session.get(User, manager.id)
        stock.restock(oil.id, 5, actor=user, lot="LATE-9", expires_on=later)
        early = stock.restock(oil.id, 4, actor=user, lot="EARLY-1", expires_on=soon).lots[0]["lot_id"]
        db.session.remove()

    log_in(phone, manager)
    phone.goto(f"/items/{oil.id}")
    lot = phone.locator("#withdraw-lot")
    expect(lot).to_have_value("")  # FEFO, pre-selected
    expect(lot.locator("option:checked")).to_contain_text("now EARLY-1")
    assert audit(phone, "phone") == []
    phone.locator("#withdraw-quantity").fill("3")
    phone.locator("#withdraw-form").get_by_role("button", name="Withdraw").click()
    expect(phone.get_by_text("Withdrew 3 pcs. Lots: EARLY-1 (3).")).to_be_visible()
    expect(phone.locator(f'tr[data-lot-id="{early}"] [data-field="lot-quantity"]')).to_have_text("1")

    phone.locator(f'tr[data-lot-id="{early}"] a').click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("EARLY-1")
    assert audit(phone, "phone") == []
    phone.get_by_text("Block lot…").click()
    phone.get_by_role("button", name="Yes, block lot EARLY-1").click()
    expect(phone.get_by_text("Lot EARLY-1 is blocked")).to_be_visible()
    expect(phone.locator('[data-field="lot-status"]')).to_have_text("Blocked")

    phone.goto(f"/items/{oil.id}")
    expect(phone.locator(f'tr[data-lot-id="{early}"]')).to_contain_text("Blocked")
    expect(phone.locator("#withdraw-lot option:checked")).to_contain_text("now LATE-9")
