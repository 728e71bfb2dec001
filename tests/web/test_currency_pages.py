"""Money is shown in the configured currency (CURRENCY_CODE, CURRENCY_SYMBOL) everywhere it appears."""

import json
import re
from decimal import Decimal


def test_money_carries_the_configured_symbol_on_every_page(app, as_role, factory, monkeypatch):
    monkeypatch.setitem(app.config, "CURRENCY_CODE", "EUR")
    monkeypatch.setitem(app.config, "CURRENCY_SYMBOL", "€")
    item = factory.item(quantity=1000, price=Decimal("2.50"), name="Paint")
    manager = as_role("manager")
    assert "€2.50" in manager.get("/items").text
    detail = manager.get(f"/items/{item.id}").text
    assert "€2.50" in detail and "€2,500.00" in detail
    dashboard = manager.get("/dashboard").text
    assert re.search(r'data-stat="total_value">€2,500.00<', dashboard)
    config = json.loads(dashboard.split('id="live-config">')[1].split("</script>")[0])
    assert config["currencySymbol"] == "€"  # live.js formats refreshed cards with it


def test_default_currency_is_dollars(as_role, factory):
    factory.item(quantity=2, price=Decimal("1.25"))
    assert re.search(r'data-stat="total_value">\$2.50<', as_role("manager").get("/dashboard").text)


def test_report_summary_uses_the_currency(app, ctx, factory, monkeypatch):
    from app.services import reports

    monkeypatch.setitem(app.config, "CURRENCY_SYMBOL", "£")
    factory.item(quantity=4, price=Decimal("3.00"))
    report = reports.create_valuation_report()
    assert "4 units worth £12.00" in report.summary
