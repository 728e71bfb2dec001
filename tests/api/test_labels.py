"""GET /api/v1/labels/items.pdf and /locations.pdf: the codes printed are the chosen items' and locations' links."""

from __future__ import annotations

import pytest

from tests.helpers.api import error_of
from tests.helpers.codes import read_pdf_codes

pytestmark = pytest.mark.core


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/pdf"
    # Across then down, page by page: the order labels were printed in.
    return [f.text for f in sorted(read_pdf_codes(response.data), key=lambda f: (f.page, round(f.y), f.x))]


def test_item_labels_for_chosen_ids_in_the_order_given(api, factory, app):
    base = app.config["APP_BASE_URL"].rstrip("/")
    first, second, third = factory.item(), factory.item(), factory.item()
    response = api.get(f"/api/v1/labels/items.pdf?ids={third.id},{first.id}", role="staff")
    assert _codes(response) == [f"{base}/s/I{third.id}", f"{base}/s/I{first.id}"]
    # Repeated ids parameters work too (the inventory list's checkboxes).
    response = api.get(f"/api/v1/labels/items.pdf?ids={second.id}&ids={first.id}&layout=letter-3x10", role="staff")
    assert _codes(response) == [f"{base}/s/I{second.id}", f"{base}/s/I{first.id}"]


def test_item_labels_for_the_list_filters(api, factory, app):
    base = app.config["APP_BASE_URL"].rstrip("/")
    hammer = factory.item(name="Hammer big")
    factory.item(name="Saw")
    mallet = factory.item(name="Hammer small")
    response = api.get("/api/v1/labels/items.pdf?search=hammer&layout=a4-3x7&copies=2&skip=1", role="staff")
    assert _codes(response) == [f"{base}/s/I{i}" for i in (hammer.id, hammer.id, mallet.id, mallet.id)]


def test_location_labels_for_a_shelf_and_its_bins(api, factory, app):
    base = app.config["APP_BASE_URL"].rstrip("/")
    shelf = factory.location("Shelf A", is_structural=True)
    bins = [factory.location(f"Bin {n}", parent_id=shelf.id) for n in (1, 2)]
    other = factory.location("Elsewhere")
    response = api.get(f"/api/v1/labels/locations.pdf?ids={shelf.id}&subtree=true", role="staff")
    assert _codes(response) == [f"{base}/s/L{loc.id}" for loc in (shelf, *bins)]
    response = api.get(f"/api/v1/labels/locations.pdf?ids={other.id}&layout=thermal-62x29", role="staff")
    assert _codes(response) == [f"{base}/s/L{other.id}"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("ids=abc", "ids"),
        ("ids=999999", "ids"),
        ("layout=a5-2x2", "layout"),
        ("skip=24", "skip"),
        ("copies=0", "copies"),
        ("copies=101", "copies"),
    ],
)
def test_bad_label_options_are_422_naming_the_parameter(api, factory, query, field):
    factory.item()
    response = api.get(f"/api/v1/labels/items.pdf?{query}", role="staff")
    assert response.status_code == 422, response.data[:200]
    assert field in error_of(response)["fields"]


def test_location_labels_need_ids(api):
    response = api.get("/api/v1/labels/locations.pdf", role="staff")
    assert response.status_code == 422
    assert "ids" in error_of(response)["fields"]
