"""GET /api/v1/items with a cursor (issue 32): page N reached by keyset is page N by offset,
for the sorts that offer one, in a location's subtree, a search and a category; bad cursors
are a 422 on the field; a cursor page costs the statements page 1 costs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.helpers.queries import counted_queries

pytestmark = pytest.mark.core


@pytest.fixture()
def stocked(factory):
    """13 items in two bins of a site (quantities and prices with ties, to test the id tie-break)."""
    manager = factory.user("manager")
    site = factory.location("Cursor site", is_structural=True)
    bins = [factory.location(f"Bin {n}", parent_id=site.id) for n in (1, 2)]
    category = factory.category()
    for n in range(13):
        factory.item(
            quantity=n % 4,
            price=Decimal("1.50") if n % 3 else Decimal("0.75"),
            name=f"Bolt {n % 5}",  # names tie too
            category_id=category.id if n % 2 else None,
            location=bins[n % 2],
            actor=manager,
        )
    return {"site": site, "category": category}


def _walk_by_cursor(api, base: str) -> list[list[dict]]:
    pages, body = [], api.get(base).get_json()
    pages.append(body)
    while body["next_cursor"]:
        body = api.get(f"{base}&cursor={body['next_cursor']}").get_json()
        pages.append(body)
    return pages


@pytest.mark.parametrize(
    "query",
    [
        "sort_by=name",
        "sort_by=quantity&order=desc",
        "sort_by=price",
        "sort_by=updated_at&order=desc",
        "sort_by=sku&search=bolt",
        "sort_by=low_stock_threshold",
    ],
)
def test_page_n_by_cursor_is_page_n_by_offset(api, stocked, query):
    for scope in ("", f"&location_id={stocked['site'].id}", f"&category_id={stocked['category'].id}"):
        base = f"/api/v1/items?{query}{scope}&per_page=3"
        by_cursor = _walk_by_cursor(api, base)
        pages = by_cursor[0]["pages"]
        assert len(by_cursor) == pages >= 2, scope
        for number, body in enumerate(by_cursor, start=1):
            by_offset = api.get(f"{base}&page={number}").get_json()
            assert [i["id"] for i in body["items"]] == [i["id"] for i in by_offset["items"]], (scope, number)
            assert (body["page"], body["total"], body["pages"]) == (number, by_offset["total"], pages)
        assert by_cursor[-1]["next_cursor"] is None


def test_offset_pages_still_offer_the_cursor_to_the_next(api, stocked):
    second = api.get("/api/v1/items?sort_by=quantity&per_page=4&page=2").get_json()
    third = api.get(f"/api/v1/items?sort_by=quantity&per_page=4&cursor={second['next_cursor']}").get_json()
    assert [i["id"] for i in third["items"]] == [
        i["id"] for i in api.get("/api/v1/items?sort_by=quantity&per_page=4&page=3").get_json()["items"]
    ]


def test_sorts_by_category_or_location_have_no_cursor(api, stocked):
    for sort in ("category", "location"):
        body = api.get(f"/api/v1/items?sort_by={sort}&per_page=3").get_json()
        assert body["next_cursor"] is None and body["pages"] == 5


def test_a_cursor_of_another_sort_or_garbage_is_refused_on_the_field(api, stocked):
    cursor = api.get("/api/v1/items?sort_by=name&per_page=3").get_json()["next_cursor"]
    for bad in (f"sort_by=quantity&cursor={cursor}", f"order=desc&cursor={cursor}", "cursor=bm90LWpzb24", "cursor=!!"):
        answer = api.get(f"/api/v1/items?per_page=3&{bad}")
        assert answer.status_code == 422, bad
        assert "cursor" in answer.get_json()["error"]["fields"], bad
    assert api.get(f"/api/v1/items?per_page=3&cursor={'x' * 2000}").status_code == 422


def test_a_cursor_page_costs_the_statements_of_page_one(app, api, stocked):
    base = f"/api/v1/items?location_id={stocked['site'].id}&sort_by=quantity&per_page=2"
    first = api.get(base).get_json()
    with counted_queries(app) as page_one:
        api.get(base)
    with counted_queries(app) as deep:
        body = api.get(f"{base}&cursor={first['next_cursor']}").get_json()
    assert body["page"] == 2 and len(body["items"]) == 2
    assert len(deep) == len(page_one)
