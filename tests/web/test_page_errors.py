"""The pages' one error path: a service's refusal shows next to the field or as a message; a
missing subject is the 404 page; a page form and the API accept the same input."""

from __future__ import annotations

import pytest

from app.limits import ADDRESS_LENGTH, DESCRIPTION_LENGTH

pytestmark = pytest.mark.core


def test_duplicate_category_name_is_shown_next_to_the_name_field(as_role, factory):
    factory.category("Tools")
    response = as_role("manager").post("/categories", {"name": "tools"})
    assert response.status_code == 422
    assert "Already in use." in response.text


def test_withdrawing_more_than_held_shows_on_the_quantity_field_and_moves_nothing(as_role, factory):
    item = factory.item(quantity=2)
    staff = as_role("staff")
    response = staff.post(
        f"/items/{item.id}/withdraw", {"withdraw-quantity": 5, "withdraw-location_id": item.location_id}
    )
    assert response.status_code == 409
    assert "Not enough stock" in response.text or "available" in response.text
    assert staff.get(f"/items/{item.id}").status_code == 200


def test_changing_the_role_of_a_missing_account_is_the_404_page(as_role):
    response = as_role("manager").post("/users/999999/role", {"role": "staff"})
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_acknowledging_a_missing_alert_is_the_404_page(as_role):
    response = as_role("manager").post("/alerts/999999/acknowledge")
    assert response.status_code == 404 and "Page not found" in response.text


def test_refused_button_action_is_a_flash_message_after_the_redirect(as_role, factory):
    category = factory.category("Busy")
    factory.item(category_id=category.id)
    response = as_role("manager").post(f"/categories/{category.id}/delete", follow_redirects=True)
    assert "Cannot delete:" in response.text and "still holds 1 active item" in response.text


@pytest.mark.parametrize(("field", "limit"), [("address", ADDRESS_LENGTH), ("description", DESCRIPTION_LENGTH)])
def test_location_page_form_and_api_accept_the_same_lengths(as_role, factory, client, field, limit):
    manager = as_role("manager")
    headers = factory.headers("manager")
    at_limit, over = "x" * limit, "x" * (limit + 1)
    assert manager.post("/locations", {"name": "Page at limit", field: at_limit}).status_code == 302
    assert (
        client.post("/api/v1/locations", json={"name": "API at limit", field: at_limit}, headers=headers).status_code
        == 201
    )
    assert manager.post("/locations", {"name": "Page over", field: over}).status_code == 422
    assert client.post("/api/v1/locations", json={"name": "API over", field: over}, headers=headers).status_code == 422
