"""The links our QR codes carry, and the Scan page."""

from __future__ import annotations


def test_our_links_open_the_item_and_location_pages(as_role, factory):
    shelf = factory.location("Shelf 9")
    item = factory.item(location=shelf)
    client = as_role("staff")
    response = client.get(f"/s/I{item.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/items/{item.id}")
    response = client.get(f"/s/L{shelf.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/locations/{shelf.id}")
    assert client.get("/s/I99999").status_code == 404
