"""Every page, for every role, at desktop, tablet (820 px) and phone (390 px) width: axe-core
finds nothing serious or critical, nothing scrolls the page sideways, touch targets are 44 px.

One browser context per role, reused for all its pages; the window is resized between sizes.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.audit import SIZES, audit, audit_at_every_size
from tests.browser.launch import log_in, watch_csp

pytestmark = pytest.mark.browser

ROLES = ("staff", "manager", "admin")
# path template -> the lowest role that may open it (as in tests/web/test_page_access.py)
PAGES = {
    "/dashboard": "staff",
    "/items": "staff",
    "/items?location={main}&low_stock=1": "staff",
    "/items/{hammer}": "staff",
    "/items/{tape}": "staff",
    "/items/{oil}": "staff",  # a lot-tracked item: its lots, the lot pickers (issue 27)
    "/lots/{lot}": "staff",  # a lot's recall page (issue 27)
    "/items/new": "manager",
    "/items/{hammer}/edit": "staff",
    "/items/{hammer}/delete": "manager",
    "/cart": "staff",
    "/requests?view=mine": "staff",
    "/requests?view=queue": "manager",
    "/requests?view=all": "manager",
    "/requests/{request}": "staff",
    "/categories": "staff",
    "/categories/{tools}/edit": "manager",
    "/locations": "staff",
    "/locations/{main}": "staff",
    "/locations/{main}/edit": "manager",
    "/alerts": "manager",
    "/activity": "manager",
    "/users": "manager",
    "/users/{staff}": "manager",
    "/reports": "manager",
    "/imports": "manager",
    "/imports/{import}": "manager",  # the preview, one cell marked bad
    "/scan": "staff",
    "/counts": "staff",
    "/counts/{count}": "staff",  # counting (an open, blind count with a line counted)
    "/counts/{review_count}/review": "manager",  # a submitted count with a variance
    "/backups": "manager",
    "/outbox": "admin",
    "/purchasing/suppliers": "staff",
    "/purchasing/suppliers/{supplier}": "staff",
    "/purchasing/suggestions": "manager",
    "/purchasing/orders": "staff",
    "/purchasing/orders/{sent_order}": "staff",  # the receiving forms
    "/purchasing/orders/{draft_order}": "manager",  # lines editable
    "/no-such-page": "staff",  # the 404 page
}
# GET routes that are not pages of their own: fragments and files a page loads, redirects,
# the login page (tests/browser/test_touch_and_keyboard.py) and third-party Swagger UI.
NOT_PAGES = {
    "/",
    "/login",
    "/docs",
    "/favicon.ico",
    "/health",
    "/health/live",
    "/metrics",
    "/dashboard/charts",
    "/dashboard/figures",
    "/counts/<int:count_id>/lines",  # the lines table the counting page reloads
    "/locations/options",  # JSON: paths matching what was typed in a long location filter
    "/items/options",  # JSON: the item picker's choices for what was typed
    "/purchasing/suppliers/options",  # JSON: the supplier picker's choices for what was typed
    "/locations/<int:obj_id>/children",  # one level of a big tree, fetched when a node is opened
    "/reports/<int:report_id>.csv",
    "/lots/<int:lot_id>/trace.csv",  # a file: the recall page's CSV export
    "/lots/<int:lot_id>/label.pdf",  # a file: the lot's label PDF
    "/s/I<int:item_id>",
    "/s/L<int:location_id>",
}


def test_every_page_route_is_audited(app):
    """A new page joins PAGES (or NOT_PAGES, saying why), so no page escapes the audit."""
    import re

    audited = {template.split("?")[0] for template in PAGES}
    missing = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static/", "/vendor/")):
            continue
        if rule.rule in NOT_PAGES:
            continue
        pattern = r"\{\w+\}".join(re.escape(part) for part in re.split(r"<[^>]+>", rule.rule))
        if not any(re.fullmatch(pattern, path) for path in audited):
            missing.append(rule.rule)
    assert missing == []


@pytest.fixture()
def shop(app, factory, tmp_path):
    """A small shop with something on every page: a low-stock alert, carts, a request, a
    report, a backup and an email, all made through the services."""
    from app.extensions import db
    from app.models import User
    from app.services import backups, reports, stock
    from app.services.counts import counting as counts
    from app.services.imports import runs as imports
    from app.services.mailer import Email, deliver
    from app.services.requests import carts
    from app.services.requests import workflow as requests

    people = {role: factory.user(role) for role in ROLES}
    main = factory.location("Main Warehouse", address="12 Dock Road, Harbour Industrial Estate")
    store = factory.location("Downtown Store", address="5 Market Street")
    tools = factory.category("Hand Tools", description="Hammers, tape measures and other tools")
    manager = people["manager"]
    hammer = factory.item(
        name="Claw Hammer 16 oz with Fibreglass Handle",
        sku="HAN-00001",
        category_id=tools.id,
        location=main,
        quantity=1240,
        low_stock_threshold=20,
        actor=manager,
    )
    tape = factory.item(
        name="Tape Measure 8 m",
        sku="HAN-00002",
        category_id=tools.id,
        location=main,
        quantity=12,
        low_stock_threshold=10,
        actor=manager,
    )
    oil = factory.item(name="Olive Oil 1 l", sku="OIL-00001", tracking="lot", location=main, actor=manager)
    app.config["BACKUP_DIR"] = str(tmp_path / "backups")
    with app.app_context():
        user = {role: db.session.get(User, p.id) for role, p in people.items()}
        stock.transfer(hammer.id, main.id, store.id, 40, actor=user["manager"], note="Weekly rebalancing for the store")
        stock.withdraw(tape.id, 5, actor=user["staff"], note="Site job")  # below its threshold: an alert
        soon = date.today() + timedelta(days=12)
        lot = stock.restock(oil.id, 6, actor=user["manager"], lot="OIL-2612", expires_on=soon).lots[0]["lot_id"]
        stock.restock(oil.id, 9, actor=user["manager"], lot="OIL-2706", expires_on=soon + timedelta(days=200))
        stock.withdraw(oil.id, 2, actor=user["staff"], note="Kitchen")
        carts.add_line(user["staff"], hammer.id, 3)
        carts.add_line(user["staff"], tape.id, 2)
        req = requests.submit(user["staff"], kind="pick", note="For the Elm Street job")
        for role in ROLES:
            carts.add_line(user[role], hammer.id, 2, location_id=store.id)
            carts.add_line(user[role], tape.id, 9)  # more than is there: a short line
        reports.create_valuation_report()
        backups.run_backup()
        deliver("layout-test:1", Email(to=user["admin"].email, subject="Low stock: Tape Measure 8 m", text="7 left."))
        sheet = b"SKU,Name,Location,Quantity\nHAN-00003,Spirit Level 60 cm,Main Warehouse,8\nHAN-00004,,Nowhere,lots\n"
        upload = imports.upload("new-tools.csv", sheet, actor=user["manager"])
        purchasing_ids = _purchasing(user["manager"], hammer.id, tape.id)
        count = counts.open_count(location_id=main.id, actor=user["manager"], blind=True)
        counts.record_line(count.id, item_id=tape.id, location_id=main.id, counted=7, actor=user["staff"])
        review = counts.open_count(location_id=store.id, actor=user["manager"])
        counts.record_line(review.id, item_id=hammer.id, location_id=store.id, counted=38, actor=user["staff"])
        counts.submit(review.id, actor=user["staff"])
        return {
            "people": people,
            "ids": {
                "hammer": hammer.id,
                "tape": tape.id,
                "oil": oil.id,
                "lot": lot,
                "main": main.id,
                "tools": tools.id,
                "request": req.id,
                "staff": people["staff"].id,
                "import": upload.id,
                **purchasing_ids,
                "count": count.id,
                "review_count": review.id,
            },
        }


def _purchasing(manager, hammer_id: int, tape_id: int) -> dict[str, int]:
    """A supplier offering both items, the tape due for reordering (nothing of it is on a sent order),
    a draft and a sent order."""
    from decimal import Decimal

    from app.services import items
    from app.services.purchasing import orders as purchasing
    from app.services.purchasing import suppliers

    supplier = suppliers.create_supplier(
        {
            "name": "Harbour Tool Supply Co.",
            "contact": "Ann Lee",
            "email": "orders@harbour-tools.example",
            "lead_time_days": 6,
        }
    )
    for item_id, price in ((hammer_id, "11.40"), (tape_id, "3.15")):
        suppliers.add_offer(
            item_id,
            {
                "supplier_id": supplier.id,
                "supplier_sku": f"HT-{item_id}",
                "pack_size": Decimal(6),
                "unit_price": Decimal(price),
            },
        )
    tape = items.get_item(tape_id)
    items.update_item(tape_id, {"max_stock": Decimal(40)}, actor=manager, expected_version=tape.version, partial=True)
    lines = [{"item_id": hammer_id, "quantity": Decimal(24)}, {"item_id": tape_id, "quantity": Decimal(12)}]
    draft = purchasing.create_order(
        {"supplier_id": supplier.id, "lines": lines, "note": "Deliver to dock 2"}, actor=manager
    )
    sent = purchasing.create_order({"supplier_id": supplier.id, "lines": lines[:1]}, actor=manager)
    purchasing.send(sent.id, actor=manager)
    return {"supplier": supplier.id, "draft_order": draft.id, "sent_order": sent.id}


def _context(chromium, live_server):
    context = chromium.new_context(base_url=live_server, viewport=SIZES["desktop"])
    context.set_default_timeout(10_000)
    return context, watch_csp(context)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_and_fits_at_every_size(chromium, live_server, shop, role):
    context, csp = _context(chromium, live_server)
    page = context.new_page()
    problems = []
    try:
        log_in(page, shop["people"][role])
        for template, lowest in PAGES.items():
            if ROLES.index(role) < ROLES.index(lowest):
                continue
            path = template.format(**shop["ids"])
            response = page.goto(path)
            expected = 404 if path == "/no-such-page" else 200
            assert response.status == expected, path
            page.wait_for_load_state("networkidle")
            problems += audit_at_every_size(page)
        if role == "staff":  # the page a role sees where it may not go
            assert page.goto("/users").status == 403
            problems += audit_at_every_size(page)
    finally:
        context.close()
    assert csp == []
    assert problems == [], "\n".join(problems)


def test_login_page_passes_axe_and_fits_at_every_size(chromium, live_server, factory):
    context, csp = _context(chromium, live_server)
    page = context.new_page()
    try:
        page.goto("/login")
        problems = audit_at_every_size(page)
        page.get_by_label("Email").fill("nobody@example.com")
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#login-error")).to_be_visible()
        problems += audit_at_every_size(page)
    finally:
        context.close()
    assert csp == []
    assert problems == [], "\n".join(problems)


def test_form_errors_are_tied_to_their_fields_and_only_invalid_fields_say_so(page, factory):
    factory.location("Main Warehouse")
    log_in(page, factory.user("manager"))
    page.goto("/items/new")
    form = page.locator("form.item-form")
    for field in form.locator("input:not([type=hidden]), select, textarea").all():
        assert field.get_attribute("aria-invalid") is None
        assert field.get_attribute("aria-describedby") in (None, f"{field.get_attribute('id')}-hint")
    page.get_by_label("Name").fill("Spirit Level")
    page.get_by_label("Unit price").fill("-3")
    page.get_by_role("button", name="Create item").click()
    sku, price, name = page.get_by_label("SKU"), page.get_by_label("Unit price"), page.get_by_label("Name")
    for invalid in (sku, price):
        expect(invalid).to_have_attribute("aria-invalid", "true")
        error = page.locator(f"#{invalid.get_attribute('aria-describedby').split()[0]}")
        expect(error).to_be_visible()
        expect(error).to_have_class("field-error")
    expect(sku).to_have_accessible_description(page.locator("#sku-error").inner_text())
    assert name.get_attribute("aria-invalid") is None
    page.set_viewport_size(SIZES["phone"])
    assert audit(page, "phone") == []
