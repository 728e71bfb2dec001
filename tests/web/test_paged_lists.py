"""Lists that grow are paged, 50 to a page (issue 32): suppliers, categories, a location's
children, and the reports' accuracy and spend tables."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import StockCount, StockCountLine
from app.models.base import utcnow
from tests.helpers.purchasing import supplier

pytestmark = pytest.mark.core


def _rows(html: str, row_id: str) -> list[str]:
    return re.findall(rf'<tr id="{row_id}-(\d+)"', html)


def test_suppliers_list_shows_fifty_then_the_rest_on_page_two(app, as_role):
    for n in range(53):
        supplier(app, n=f"{n:03d}")
    staff = as_role("staff")
    first = staff.get("/purchasing/suppliers").text
    assert len(_rows(first, "supplier")) == 50
    assert "Supplier 049" in first and "Supplier 050" not in first
    assert 'rel="next"' in first and "53 total" in first
    second = staff.get("/purchasing/suppliers?page=2").text
    assert len(_rows(second, "supplier")) == 3 and "Supplier 052" in second
    searched = staff.get("/purchasing/suppliers?search=Supplier 05").text
    assert len(_rows(searched, "supplier")) == 3 and 'rel="next"' not in searched


def test_categories_page_shows_fifty_then_the_rest(factory, as_role):
    for n in range(52):
        factory.category(f"Cat {n:03d}")
    manager = as_role("manager")
    first = manager.get("/categories").text
    assert "Cat 049" in first and "Cat 050" not in first and "52 total" in first
    second = manager.get("/categories?page=2").text
    assert "Cat 050" in second and "Cat 051" in second and "Cat 049" not in second


def test_a_locations_page_pages_its_children(factory, as_role):
    shelf = factory.location("Long shelf", is_structural=True)
    for n in range(105):
        factory.location(f"Bin {n:03d}", parent_id=shelf.id)
    staff = as_role("staff")
    first = staff.get(f"/locations/{shelf.id}").text  # 100 a page, as the tree's "Show more"
    assert "Bin 099" in first and "Bin 100" not in first and "105 total" in first
    second = staff.get(f"/locations/{shelf.id}?page=2").text
    assert "Bin 104" in second and "Bin 000" not in second
    assert staff.get(f"/locations/{shelf.id}?page=x").status_code == 200  # a bad page falls back to the first


def test_reports_accuracy_table_is_grouped_and_paged(app, factory, as_role):
    site = factory.location("Counted site", is_structural=True)
    places = [factory.location(f"Bin {n:03d}", parent_id=site.id) for n in range(52)]
    item = factory.item(quantity=0, location=places[0])
    decided = utcnow() - timedelta(days=1)
    with app.app_context():
        for place in places:
            count = StockCount(location_id=place.id, state="approved", decided_at=decided)
            db.session.add(count)
            db.session.flush()
            db.session.add_all(  # two lines: one exact, one off by -1 worth 2.50
                [
                    StockCountLine(
                        count_id=count.id, item_id=item.id, location_id=place.id, counted=5, applied_delta=0
                    ),
                    StockCountLine(
                        count_id=count.id,
                        item_id=item.id,
                        location_id=site.id,
                        counted=4,
                        applied_delta=-1,
                        variance_value=Decimal("-2.50"),
                    ),
                ]
            )
        db.session.commit()
    manager = as_role("manager")
    first = manager.get("/reports").text
    table = first.split('id="accuracy-table"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 51  # the header and 50 rows
    assert "Counted site / Bin 000" in table and "Counted site / Bin 050" not in table
    assert "50.0%" in table and "-$2.50" in table
    assert 'aria-label="Accuracy pages"' in first and "52 total" in first
    second = manager.get("/reports?page=2").text.split('id="accuracy-table"', 1)[1].split("</table>", 1)[0]
    assert "Counted site / Bin 050" in second and "Counted site / Bin 051" in second and "Bin 049" not in second


def test_the_requests_page_reads_its_lines_in_a_few_statements_whatever_the_number_of_requests(app, factory, as_role):
    """The list used to describe each request's lines on its own (three statements a request)."""
    from app.models import User
    from app.services.requests import carts
    from app.services.requests import workflow as requests
    from tests.helpers.queries import counted_queries

    manager_client = as_role("manager")
    with app.app_context():
        manager = factory.actor("manager")
        short = factory.item(quantity=1, actor=manager, name="Scarce part")
        plenty = factory.item(quantity=50, actor=manager, name="Common part")

        def submit(count: int) -> None:
            author = db.session.get(User, manager.id)
            for _ in range(count):
                carts.add_line(author, plenty.id, 1)
                carts.add_line(author, short.id, 3)  # more than the one unit there: "Short"
                requests.submit(author, kind="pick")

        submit(2)
        with counted_queries(app) as few:
            manager_client.get("/requests")
        submit(10)
        with counted_queries(app) as many:
            more = manager_client.get("/requests").text
    assert more.count('<span class="badge badge-warn">Short</span>') == 12
    assert len(_rows(more, "request")) == 12
    assert len(many) == len(few)


def test_purchase_orders_next_page_starts_after_the_last_order_shown(app, factory, as_role):
    from tests.helpers.purchasing import order

    manager = factory.user("manager")
    item = factory.item(quantity=1, name="Ordered part")
    made = supplier(app, n="Keyset")
    ids = [order(app, made.id, [(item.id, 1)], actor_id=manager.id) for _ in range(30)]
    staff = as_role("staff")
    first = staff.get("/purchasing/orders").text
    assert _rows(first, "order") == [str(i) for i in sorted(ids, reverse=True)[:25]]
    following = re.search(r'<a href="([^"]+)"[^>]*rel="next"', first).group(1).replace("&amp;", "&")
    assert f"after={sorted(ids, reverse=True)[24]}" in following
    second = staff.get(following).text
    assert _rows(second, "order") == [str(i) for i in sorted(ids, reverse=True)[25:]]
    assert _rows(staff.get("/purchasing/orders?page=2").text, "order") == _rows(second, "order")  # offset agrees
    assert "30 total" in second
