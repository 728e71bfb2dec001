"""The alerts API: open alerts are the low-stock items; resolved ones say who and why."""

import pytest

pytestmark = pytest.mark.core


def test_open_alerts_match_low_items_and_a_restock_resolves_with_who_and_why(api, factory):
    item = factory.item(quantity=12, low_stock_threshold=10)
    factory.item(quantity=1, low_stock_threshold=3)
    assert api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 5}, role="staff").status_code == 200
    summary = api.get("/api/v1/dashboard/summary").get_json()
    open_alerts = api.get("/api/v1/alerts?resolved=false").get_json()
    assert summary["low_stock_items"] == summary["open_alerts"] == open_alerts["total"] == 2

    restock = api.post(f"/api/v1/items/{item.id}/restock", {"quantity": 3}, role="staff")
    assert restock.status_code == 200
    resolved = api.get("/api/v1/alerts?resolved=true").get_json()["items"]
    assert len(resolved) == 1
    alert = resolved[0]
    assert alert["item_id"] == item.id and alert["resolved"] is True
    assert alert["resolved_by_id"] == api.users["staff"].id and alert["resolved_by_log_id"] is not None
    assert alert["resolved_reason"] == "Stock returned to 10 pcs, at or above the threshold of 10 pcs"
    assert api.get("/api/v1/dashboard/summary").get_json()["open_alerts"] == 1
    assert api.get("/api/v1/alerts?resolved=maybe").status_code == 422
