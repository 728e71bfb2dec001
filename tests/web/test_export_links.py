"""Export buttons on the pages carry the page's own state into the file's URL."""

from __future__ import annotations

import csv
import io
import re
from html import unescape


def _links(html: str, needle: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', html) if needle in href]


def test_inventory_export_link_keeps_the_filters_and_sort(as_role, factory):
    store = factory.location("Store")
    factory.item(sku="K-1", name="Kettle", location=store)
    factory.item(sku="K-2", name="Knife", location=store)
    factory.item(sku="Z-9", name="Zip", location=factory.location())
    client = as_role("manager")
    page = client.get(f"/items?q=k&location={store.id}&sort=sku&order=desc").text
    csv_link = _links(page, "/api/v1/items/export")[0]
    assert "search=k" in csv_link and f"location_id={store.id}" in csv_link
    assert "sort_by=sku" in csv_link and "order=desc" in csv_link and "format=csv" in csv_link
    rows = list(csv.reader(io.StringIO(client.get(csv_link).data.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["K-2", "K-1"]


def test_staff_see_no_export_links(as_role, factory):
    item = factory.item()
    client = as_role("staff")
    assert _links(client.get("/items").text, "/export") == []
    assert _links(client.get(f"/items/{item.id}").text, "/export") == []


def test_activity_and_history_export_links(as_role, factory):
    item = factory.item(quantity=3)
    client = as_role("manager")
    page = client.get("/activity?since=2020-01-01&until=2999-01-01").text
    link = _links(page, "/api/v1/logs/export")[0]
    assert "from=2020-01-01" in link and "to=2999-01-01" in link
    rows = list(csv.reader(io.StringIO(client.get(link).data.decode("utf-8-sig"))))
    assert rows[1][1] == item.sku
    history = _links(client.get(f"/items/{item.id}").text, "/history/export")
    assert len(history) == 2 and client.get(history[0]).status_code == 200
