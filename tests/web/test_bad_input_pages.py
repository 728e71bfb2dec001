"""Pages answer hostile input with a message next to the field (422), never a 500."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Item

pytestmark = pytest.mark.core


def test_nul_byte_in_a_new_items_name_shows_next_to_the_name(app, as_role, factory):
    location = factory.location("Main")
    client = as_role("manager")
    data = {"sku": "NUL-1", "name": "Ham\x00mer", "location_id": location.id, "unit": "pcs", "price": "1"}
    data["low_stock_threshold"] = "0"
    response = client.post("/items/new", data)
    assert response.status_code == 422
    assert 'id="name-error"' in response.text and "NUL" in response.text
    with app.app_context():
        assert db.session.query(Item).count() == 0


def test_nul_byte_in_a_restock_note_shows_next_to_the_note(app, as_role, factory):
    item = factory.item(quantity=3)
    client = as_role("staff")
    response = client.post(
        f"/items/{item.id}/restock",
        {"restock-quantity": "2", "restock-location_id": item.location_id, "restock-note": "box\x00"},
    )
    assert response.status_code == 422
    assert 'id="restock-note-error"' in response.text and "NUL" in response.text


def test_nul_byte_in_the_login_email_shows_next_to_the_email(client):
    from tests.helpers.pages import csrf_from

    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"email": "a\x00@example.com", "password": "x", "csrf_token": token})
    assert response.status_code == 422
    assert 'id="email-error"' in response.text and "NUL" in response.text


def test_nul_byte_in_the_inventory_search_is_a_clear_422(as_role):
    response = as_role("staff").get("/items?q=ham%00")
    assert response.status_code == 422
    assert "NUL" in response.text and "q" in response.text


@pytest.mark.parametrize("number", ["\u0663", "1\u0663", "\uff13"])  # ٣, 1٣, fullwidth ３
def test_a_quantity_or_price_in_other_digits_shows_next_to_the_field_and_changes_nothing(app, as_role, factory, number):
    item = factory.item(quantity=3)
    client = as_role("manager")
    response = client.post(
        f"/items/{item.id}/restock", {"restock-quantity": number, "restock-location_id": item.location_id}
    )
    assert response.status_code == 422
    assert 'id="restock-quantity-error"' in response.text and "digits 0-9" in response.text
    location = factory.location("Digits")
    data = {"sku": "DIG-1", "name": "Digits", "location_id": location.id, "unit": "pcs", "price": number}
    data["low_stock_threshold"] = "0"
    response = client.post("/items/new", data)
    assert response.status_code == 422
    assert 'id="price-error"' in response.text and "digits 0-9" in response.text
    with app.app_context():
        assert db.session.query(Item).count() == 1
        assert db.session.get(Item, item.id).quantity == 3
