"""Pages run a fixed number of SQL statements whatever the catalogue holds (no count per menu entry)."""

from __future__ import annotations

import pytest

from tests.helpers.queries import counted_queries

pytestmark = pytest.mark.core


def test_inventory_page_runs_the_same_queries_for_2_or_8_locations(app, factory, as_role):
    page = as_role("manager")
    factory.item(quantity=1, location=factory.location(), category_id=factory.category().id)
    page.get("/items")
    with counted_queries(app) as few:
        assert page.get("/items").status_code == 200
    for _ in range(6):
        factory.item(quantity=1, location=factory.location(), category_id=factory.category().id)
    with counted_queries(app) as many:
        response = page.get("/items")
    assert response.status_code == 200 and response.get_data(as_text=True).count("<tr") >= 8
    assert len(many) == len(few)
