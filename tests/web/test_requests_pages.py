"""The cart page, "add to cart", my requests, the approval queue and a request's page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.helpers.factories import as_actor

pytestmark = pytest.mark.core


def _quantity(app, item_id: int) -> int:
    from app.extensions import db
    from app.models import Item

    with app.app_context():
        try:
            return db.session.scalar(sa.select(Item.quantity).where(Item.id == item_id))
        finally:
            db.session.remove()


def _submit_cart(page_client, item, quantity: int, **form) -> int:
    added = page_client.post("/cart/add", {"item_id": item.id, "quantity": quantity, "next": f"/items/{item.id}"})
    assert added.status_code == 302 and added.headers["Location"].endswith(f"/items/{item.id}")
    response = page_client.post("/cart/submit", {"kind": "pick", **form})
    assert response.status_code == 302, response.text[:500]
    return int(re.search(r"/requests/(\d+)$", response.headers["Location"]).group(1))


def test_add_to_cart_flags_over_stock_line_on_cart_page(as_role, factory):
    item = factory.item(quantity=3, name="Hex bolt M8")
    staff = as_role("staff")
    staff.post("/cart/add", {"item_id": item.id, "quantity": 5, "next": "/items"})
    page = staff.get("/cart")
    assert page.status_code == 200
    assert "Hex bolt M8" in page.text and "Short: 3 available" in page.text
    assert "Submit request" in page.text

    line_id = int(re.search(r'id="cart-line-(\d+)"', page.text).group(1))
    staff.post(f"/cart/lines/{line_id}", {"quantity": 2, "location_id": item.location_id})
    assert "Short:" not in staff.get("/cart").text
    staff.post(f"/cart/lines/{line_id}/remove")
    assert "Your cart is empty" in staff.get("/cart").text


def test_add_to_cart_form_renders_for_an_item_with_its_locations(app, factory):
    from flask import render_template
    from flask_login import login_user

    from app.extensions import db
    from app.models import Item

    item = factory.item(quantity=4)
    user = factory.user("staff")
    with app.test_request_context(f"/items/{item.id}"):
        login_user(as_actor(user))
        html = render_template(
            "carts/_add_to_cart.html",
            item=db.session.get(Item, item.id),
            stock_rows=[{"location_id": item.location_id, "location_name": "Shelf A", "quantity": 4}],
        )
        db.session.remove()
    assert 'action="/cart/add"' in html and f'value="{item.id}"' in html
    assert "Shelf A (4)" in html and f'name="next" value="/items/{item.id}"' in html


def test_staff_submits_transfer_and_sees_it_under_my_requests(as_role, factory):
    a, b = factory.location("Aisle 1"), factory.location("Van 2")
    item = factory.item(quantity=10, location=a)
    staff = as_role("staff")
    staff.post("/cart/add", {"item_id": item.id, "quantity": 4})

    missing = staff.post("/cart/submit", {"kind": "transfer", "destination_location_id": ""})
    assert missing.status_code == 422 and "Required for a transfer." in missing.text

    response = staff.post("/cart/submit", {"kind": "transfer", "destination_location_id": b.id, "note": "For job 12"})
    assert response.status_code == 302
    detail = staff.get(response.headers["Location"])
    assert "submitted" in detail.text and "Van 2" in detail.text and "For job 12" in detail.text
    assert "Cancel this request" in detail.text and "Approve and move stock" not in detail.text
    mine = staff.get("/requests")
    assert "My requests" in mine.text and re.search(r"#\d+</a>", mine.text)


def test_queue_shows_short_lines_before_approval_and_refused_approval_moves_nothing(app, as_role, factory):
    scarce = factory.item(quantity=1, sku="SCARCE-1")
    staff, manager = as_role("staff"), as_role("manager")
    request_id = _submit_cart(staff, scarce, 3)

    queue = manager.get("/requests")
    assert "Approval queue" in queue.text
    assert "SCARCE-1" in queue.text and "3 asked, 1 available" in queue.text

    refused = manager.post(f"/requests/{request_id}/approve", follow_redirects=True)
    assert "Not approved, nothing moved" in refused.text and "SCARCE-1" in refused.text
    assert _quantity(app, scarce.id) == 1
    from_queue = manager.post(f"/requests/{request_id}/approve", {"from": "queue"})
    assert from_queue.headers["Location"].endswith("/requests?view=queue")


def test_manager_approves_from_detail_page_and_history_shows_each_step(app, as_role, factory):
    item = factory.item(quantity=10)
    staff, manager = as_role("staff"), as_role("manager")
    request_id = _submit_cart(staff, item, 4)

    done = manager.post(f"/requests/{request_id}/approve", follow_redirects=True)
    assert f"Request #{request_id} approved" in done.text
    assert _quantity(app, item.id) == 6
    fulfilled = staff.post(f"/requests/{request_id}/fulfil", follow_redirects=True)
    assert "marked fulfilled" in fulfilled.text
    history = re.search(r'<ol class="request-history">(.*?)</ol>', fulfilled.text, re.S).group(1)
    assert [s for s in ("submitted", "approved", "fulfilled") if f"<strong>{s}</strong>" in history] == [
        "submitted",
        "approved",
        "fulfilled",
    ]


def test_reject_needs_a_reason_on_the_page(app, as_role, factory):
    item = factory.item(quantity=10)
    staff, manager = as_role("staff"), as_role("manager")
    request_id = _submit_cart(staff, item, 2)
    blank = manager.post(f"/requests/{request_id}/reject", {"reason": ""})
    assert blank.status_code == 422 and "Give a reason." in blank.text
    rejected = manager.post(f"/requests/{request_id}/reject", {"reason": "Wrong site"}, follow_redirects=True)
    assert "rejected" in rejected.text and "Wrong site" in rejected.text
    assert _quantity(app, item.id) == 10


def test_staff_cannot_approve_nor_see_or_cancel_anothers_request(app, as_role, factory):
    item = factory.item(quantity=10)
    author, other = as_role("staff"), as_role("staff")
    request_id = _submit_cart(author, item, 2)
    assert other.post(f"/requests/{request_id}/approve").status_code == 403
    assert other.get(f"/requests/{request_id}").status_code == 403
    other.post(f"/requests/{request_id}/cancel")
    assert "submitted" in author.get(f"/requests/{request_id}").text
    cancelled = author.post(f"/requests/{request_id}/cancel", follow_redirects=True)
    assert "cancelled" in cancelled.text
    assert _quantity(app, item.id) == 10


def test_cart_post_without_csrf_token_changes_nothing(as_role, factory):
    item = factory.item(quantity=10)
    staff = as_role("staff")
    staff.post("/cart/add", {"item_id": item.id, "quantity": 1}, csrf=False)
    assert "Your cart is empty" in staff.get("/cart").text


def test_approve_is_not_offered_while_lines_are_short_and_the_page_says_why(app, as_role, factory):
    scarce = factory.item(quantity=1, sku="SCARCE-2", name="Masking tape", unit="roll")
    staff, manager = as_role("staff"), as_role("manager")
    request_id = _submit_cart(staff, scarce, 3)
    detail = manager.get(f"/requests/{request_id}").text
    assert "Approve and move stock" not in detail
    assert "Approving is not possible yet: 1 line is short" in detail
    assert "3 roll asked, 1 available" in detail and "Restock or transfer stock there first" in detail
    queue = manager.get("/requests").text
    assert f'action="/requests/{request_id}/approve"' not in queue
    assert "Cannot approve while lines are short." in queue
    from app.services import stock

    with app.app_context():
        stock.restock(scarce.id, 5, actor=as_actor(manager.user))
    assert "Approve and move stock" in manager.get(f"/requests/{request_id}").text


def test_a_second_add_to_cart_says_what_was_added_not_the_line_total(as_role, factory):
    item = factory.item(quantity=100, decimals=1, unit="m", name="Cable")
    staff = as_role("staff")
    staff.post("/cart/add", {"item_id": item.id, "quantity": "10.5", "next": "/cart"})
    page = staff.post("/cart/add", {"item_id": item.id, "quantity": "10.5", "next": "/cart"}, follow_redirects=True)
    assert "Added to your cart: 10.5 m of Cable" in page.text
    assert "Added to your cart: 21 m" not in page.text and "The line now holds 21 m." in page.text
