"""Page messages in plain words about the field (the same words as the API: tests/api/test_plain_messages.py)."""

HUGE = 10**12
RANGE_0 = "Enter a quantity from 0 to 1,000,000,000."
SAME_PLACE = "Choose a different location to move to: this is where the stock comes from."


def test_pages_use_the_same_words(as_role, factory):
    loc, other = factory.location("Main"), factory.location("Shop")
    client = as_role("manager")
    created = client.post(
        "/items/new",
        {
            "sku": "BIG-1",
            "name": "Big",
            "location_id": loc.id,
            "unit": "pcs",
            "price": "1",
            "low_stock_threshold": "0",
            "quantity": str(HUGE),
        },
    )
    assert created.status_code == 422 and RANGE_0 in created.text and "Must be 0 or more" not in created.text
    item = factory.item(quantity=5, location=loc)
    moved = client.post(
        f"/items/{item.id}/transfer",
        {"transfer-quantity": "1", "transfer-from_location_id": loc.id, "transfer-to_location_id": loc.id},
    )
    assert SAME_PLACE in moved.text and "Must differ" not in moved.text
    assert other  # a second place exists, so the form offers a real choice
