"""Exports over HTTP: the list as filtered and sorted, the ledger by date, history, stock; formulas neutralised."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.helpers.api import error_of

pytestmark = pytest.mark.core


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.data[:300]
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_items_export_follows_the_list_filters_and_sort(api, factory):
    store, other = factory.location("Store"), factory.location("Other")
    tools = factory.category("Tools")
    factory.item(sku="B-1", name="Bolt", quantity=5, location=store, category_id=tools.id)
    factory.item(sku="A-1", name="Anchor", quantity=2, location=store, category_id=tools.id)
    factory.item(sku="C-1", name="Clamp", quantity=9, location=other)

    rows = _csv(api.get(f"/api/v1/items/export?format=csv&location_id={store.id}&sort_by=name&order=desc"))
    assert rows[0][:4] == ["SKU", "Name", "Category", "Location"]
    assert [r[0] for r in rows[1:]] == ["B-1", "A-1"]
    assert rows[1][2:4] == ["Tools", "Store"]
    assert rows[1][-1] == "5"

    listed = api.get(f"/api/v1/items?location_id={store.id}&sort_by=name&order=desc").get_json()
    assert [i["sku"] for i in listed["items"]] == [r[0] for r in rows[1:]]

    rows = _csv(api.get("/api/v1/items/export?search=clamp"))
    assert [r[0] for r in rows[1:]] == ["C-1"]


def test_items_export_writes_every_page(api, factory):
    store = factory.location()
    for n in range(25):
        factory.item(sku=f"P-{n:02d}", location=store)
    rows = _csv(api.get("/api/v1/items/export?per_page=10&page=2&sort_by=sku"))
    assert len(rows) == 26 and rows[1][0] == "P-00"


def test_items_export_as_xlsx(api, factory):
    factory.item(sku="X-1", name="Xylophone", quantity=3, price=Decimal("12.50"))
    response = api.get("/api/v1/items/export?format=xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "SKU"
    assert rows[1][:2] == ["X-1", "Xylophone"]
    assert rows[1][6] == 12.5 and rows[1][-1] == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_neutralises_formulas(api, factory, fmt):
    factory.item(sku="F-1", name='=HYPERLINK("http://x","y")', description="+cmd|' /C calc'!A0", quantity=1)
    factory.item(sku="F-2", name="@SUM(A1)", description="-2+3", quantity=1)
    response = api.get(f"/api/v1/items/export?format={fmt}&sort_by=sku")
    if fmt == "csv":
        rows = _csv(response)
    else:
        sheet = load_workbook(io.BytesIO(response.data)).active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert rows[1][1].startswith("'=") and rows[1][8].startswith("'+")
    assert rows[2][1] == "'@SUM(A1)" and rows[2][8] == "'-2+3"


def test_export_refuses_an_unknown_format(api, factory):
    response = api.get("/api/v1/items/export?format=pdf")
    assert response.status_code == 422
    assert "format" in str(error_of(response))


def test_logs_export_by_date_range(api, factory):
    item = factory.item(sku="L-1", quantity=4)
    api.post(f"/api/v1/items/{item.id}/restock", {"quantity": 2})
    rows = _csv(api.get("/api/v1/logs/export?format=csv&from=2000-01-01&to=2999-12-31"))
    assert rows[0][:4] == ["When", "SKU", "Item", "Action"]
    assert [r[3] for r in rows[1:]] == ["create", "restock"]
    assert [r[7] for r in rows[1:]] == ["4", "2"]
    assert _csv(api.get("/api/v1/logs/export?from=2000-01-01&to=2000-01-02"))[1:] == []
    bad = api.get("/api/v1/logs/export?from=yesterday")
    assert bad.status_code == 422


def test_item_history_and_stock_per_location_export(api, factory):
    a, b = factory.location("A"), factory.location("B")
    item = factory.item(sku="H-1", quantity=4, location=a)
    api.post(f"/api/v1/items/{item.id}/transfer", {"from_location_id": a.id, "to_location_id": b.id, "quantity": 1})
    history = _csv(api.get(f"/api/v1/items/{item.id}/history/export"))
    assert [r[3] for r in history[1:]] == ["create", "transfer", "transfer"]
    stock = _csv(api.get("/api/v1/stock/export"))
    assert stock[1:] == [["A", "H-1", item.name, "3", "pcs"], ["B", "H-1", item.name, "1", "pcs"]]
    assert api.get("/api/v1/items/999999/history/export").status_code == 404


def test_staff_cannot_export(api, factory):
    response = api.get("/api/v1/items/export", role="staff")
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


@pytest.mark.parametrize("sort", ["category", "location", "quantity", "price"])
def test_items_export_sorts_like_the_list(api, factory, sort):
    tools = factory.category("Tools")
    factory.item(sku="S-1", category_id=tools.id, location=factory.location("Zed"), quantity=3)
    factory.item(sku="S-2", location=factory.location("Alpha"), quantity=1)
    listed = [i["sku"] for i in api.get(f"/api/v1/items?sort_by={sort}").get_json()["items"]]
    exported = [r[0] for r in _csv(api.get(f"/api/v1/items/export?sort_by={sort}"))[1:]]
    assert exported == listed
