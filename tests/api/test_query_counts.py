"""List and detail endpoints run a fixed number of SQL statements (no N+1), totals stay exact,
and the hand-written list serializer answers exactly what the schema would."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.helpers.queries import counted_queries

pytestmark = pytest.mark.core


def _make_items(factory, n: int, *, category, location, actor) -> None:
    for i in range(n):
        factory.item(
            quantity=i % 4,
            low_stock_threshold=3,
            category_id=category.id,
            location=location,
            actor=actor,
            price=Decimal("1.50"),
            description=None if i % 2 else f"Box of {i}",
        )


LIST_PATHS = [
    "/api/v1/items?per_page=50",
    "/api/v1/items?per_page=50&category_id={cat}&below_threshold=true&sort_by=quantity",
    "/api/v1/items?per_page=50&search=widget",
    "/api/v1/items?per_page=50&location_id={loc}&sort_by=price&order=desc",
    "/api/v1/dashboard/summary",
    "/api/v1/dashboard/category-breakdown",
]


@pytest.mark.parametrize("template", LIST_PATHS)
def test_list_endpoints_run_the_same_few_queries_for_3_or_15_items(app, api, factory, template):
    manager = factory.user("manager")
    cat, loc = factory.category(), factory.location()
    api.as_("manager")
    _make_items(factory, 3, category=cat, location=loc, actor=manager)
    path = template.format(cat=cat.id, loc=loc.id)
    api.get(path)  # warm caches (user row, mapper configuration)
    with counted_queries(app) as few:
        assert api.get(path).status_code == 200
    _make_items(factory, 12, category=cat, location=loc, actor=manager)
    with counted_queries(app) as many:
        response = api.get(path)
    assert response.status_code == 200
    assert len(many) == len(few) <= 4  # the caller, the total (unless a counter has it), the rows, alerts


@pytest.mark.parametrize("path", ["/api/v1/locations", "/api/v1/categories"])
def test_catalog_lists_count_items_in_one_statement_whatever_the_number_of_rows(app, api, factory, path):
    manager = factory.user("manager")
    api.as_("manager")
    factory.item(quantity=1, location=factory.location(), category_id=factory.category().id, actor=manager)
    api.get(path)
    with counted_queries(app) as few:
        assert len(api.get(path).get_json()) == 1
    for _ in range(5):
        factory.item(quantity=1, location=factory.location(), category_id=factory.category().id, actor=manager)
    with counted_queries(app) as many:
        assert len(api.get(path).get_json()) == 6
    assert len(many) == len(few) <= 2  # the caller, then every row with its count


def test_item_detail_runs_three_queries(app, api, factory):
    manager = factory.user("manager")
    item = factory.item(quantity=5, actor=manager)
    api.get(f"/api/v1/items/{item.id}")
    with counted_queries(app) as statements:
        assert api.get(f"/api/v1/items/{item.id}").status_code == 200
    assert len(statements) == 3  # the caller, the item with its stock per location, its barcodes


def test_a_movement_runs_five_statements_on_postgresql(app, api, factory):
    """The caller, the item's lock, its levels' lock, one write (level, total, ledger row), the
    counters at commit (both tables in one statement on PostgreSQL)."""
    manager = factory.user("manager")
    item = factory.item(quantity=5, actor=manager)
    api.post(f"/api/v1/items/{item.id}/withdraw", json={"quantity": 1})
    with counted_queries(app) as statements:
        assert api.post(f"/api/v1/items/{item.id}/withdraw", json={"quantity": 1}).status_code == 200
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    # SQLite: its write lock first, three writes, two counter upserts
    assert len(statements) == (9 if sqlite else 5), statements


def test_hand_written_detail_and_movement_answers_match_their_schemas(app, factory):
    from app.extensions import db
    from app.models import InventoryLog, Item
    from app.schemas.item import ItemDetailSchema, ItemView, MovementSchema, dump_item_detail, dump_movement
    from app.services import stock

    manager = factory.user("manager")
    item = factory.item(quantity=Decimal("0"), actor=manager, price=Decimal("2.50"))
    with app.app_context():
        loaded, rows = stock.item_with_stock(item.id)
        view = ItemView(loaded, stock=rows, barcodes=["4006381333931", "QR-1"])
        assert dump_item_detail(loaded, rows, ["4006381333931", "QR-1"]) == ItemDetailSchema().dump(view)
        entries = db.session.scalars(sa.select(InventoryLog).where(InventoryLog.item_id == item.id)).all()
        moved = ItemView(db.session.get(Item, item.id), stock=rows, movements=entries, alert_id=7)
        assert dump_movement(moved._item, rows, entries, 7) == MovementSchema().dump(moved)


def test_list_totals_exact_for_counter_and_counted_filters(api, factory):
    manager = factory.user("manager")
    cat, other, loc = factory.category(), factory.category(), factory.location()
    _make_items(factory, 9, category=cat, location=loc, actor=manager)
    _make_items(factory, 4, category=other, location=loc, actor=manager)
    everything = api.get("/api/v1/items?per_page=100").get_json()["items"]
    assert api.get("/api/v1/items").get_json()["total"] == len(everything) == 13
    cases = {
        f"category_id={cat.id}": lambda i: i["category_id"] == cat.id,
        "below_threshold=true": lambda i: i["is_low_stock"],
        f"category_id={cat.id}&below_threshold=true": lambda i: i["category_id"] == cat.id and i["is_low_stock"],
        "min_quantity=2": lambda i: i["quantity"] >= 2,
        "search=widget": lambda i: "widget" in i["name"].lower(),
    }
    for query, keep in cases.items():
        body = api.get(f"/api/v1/items?{query}&per_page=5&page=2").get_json()
        assert body["total"] == sum(1 for i in everything if keep(i)), query
    first = everything[0]
    api.delete(f"/api/v1/items/{first['id']}")
    assert api.get("/api/v1/items").get_json()["total"] == 12


def test_deep_page_returns_the_same_rows_as_walking_there(api, factory):
    manager = factory.user("manager")
    cat, loc = factory.category(), factory.location()
    _make_items(factory, 11, category=cat, location=loc, actor=manager)
    base = f"/api/v1/items?category_id={cat.id}&sort_by=quantity&order=desc&per_page=3"
    walked = [i["id"] for page in (1, 2, 3, 4) for i in api.get(f"{base}&page={page}").get_json()["items"]]
    everything = [i["id"] for i in api.get(f"{base[: base.index('&per_page')]}&per_page=100").get_json()["items"]]
    assert walked == everything
    beyond = api.get(f"{base}&page=2000").get_json()
    assert beyond["items"] == [] and beyond["total"] == 11 and beyond["pages"] == 4


def test_hand_written_list_serializer_matches_the_schema(app, factory):
    from app.schemas.item import ItemPageSchema, dump_item_page
    from app.services import item_list

    manager = factory.user("manager")
    cat, loc = factory.category(), factory.location()
    _make_items(factory, 4, category=cat, location=loc, actor=manager)
    factory.item(quantity=0, location=loc, actor=manager, price=Decimal("0"))  # no category
    with app.app_context():
        page = item_list.list_items(per_page=10)
        assert dump_item_page(page) == ItemPageSchema().dump(page)
        assert len(page.items) == 5
