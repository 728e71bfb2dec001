"""Every refusal says, in plain words, what to do about the field (the same words on pages and in the API)."""

import pytest

from tests.helpers.api import error_of

pytestmark = pytest.mark.core

HUGE = 10**12
RANGE_0 = "Enter a quantity from 0 to 1,000,000,000."
RANGE_1 = "Enter a quantity above 0 and at most 1,000,000,000."
SAME_PLACE = "Choose a different location to move to: this is where the stock comes from."


def test_huge_initial_quantity_names_the_allowed_range(api, factory):
    loc = factory.location("Main")
    response = api.post("/api/v1/items", {"sku": "BIG-1", "name": "Big", "location_id": loc.id, "quantity": HUGE})
    assert response.status_code == 422
    assert error_of(response)["fields"]["quantity"] == [RANGE_0]


def test_huge_restock_and_threshold_name_the_allowed_range(api, factory):
    item = factory.item(quantity=1)
    restock = api.post(f"/api/v1/items/{item.id}/restock", {"quantity": HUGE}, role="staff")
    assert error_of(restock)["fields"]["quantity"] == [RANGE_1]
    edit = api.patch(f"/api/v1/items/{item.id}", {"low_stock_threshold": -1, "version": 1})
    assert error_of(edit)["fields"]["low_stock_threshold"] == [RANGE_0]


def test_transfer_to_the_same_place_says_so_in_plain_words(api, factory):
    item = factory.item(quantity=5)
    response = api.post(
        f"/api/v1/items/{item.id}/transfer",
        {"from_location_id": item.location_id, "to_location_id": item.location_id, "quantity": 1},
        role="staff",
    )
    assert response.status_code == 422
    error = error_of(response)
    assert error["fields"]["to_location_id"] == [SAME_PLACE]
    assert "from_location_id" not in error["message"] and "Must differ" not in str(error)


def test_sku_differing_only_in_case_is_refused_by_the_api(api, factory):
    existing = factory.item(sku="Rope-10")
    response = api.post("/api/v1/items", {"sku": "ROPE-10", "name": "Rope", "location_id": existing.location_id})
    assert response.status_code == 409
    assert error_of(response)["fields"]["sku"] == ["Another item already uses this SKU (letter case does not matter)."]


def test_an_edit_without_a_version_says_what_to_send(api, factory):
    item = factory.item(quantity=5)
    edit = api.patch(f"/api/v1/items/{item.id}", {"name": "Renamed"})
    assert error_of(edit)["fields"]["version"] == ["Send the version number you read with the item."]
