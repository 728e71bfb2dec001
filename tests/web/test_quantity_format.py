"""One way to show a quantity (issue 36): every template writes quantities through the `qty`
filter (app.services.quantities.show), never with %d, |int, "%.1f" or the raw Decimal."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from app.services.quantities import show

pytestmark = pytest.mark.core

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Attribute names that hold a quantity or a change of one.
QUANTITY = re.compile(
    r"\.(quantity|quantity_after|quantity_before|delta|counted|expected|on_hand|on_order|received|remaining"
    r"|low_stock_threshold|total_quantity|available|difference|units_in|units_out)\b"
)
EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)
OTHER_WAYS = re.compile(r"%[+\d.]*[df]|\|\s*int\b|\|\s*round\b|'\{:[^}]*\}'\.format")


def offending() -> list[str]:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in EXPRESSION.finditer(text):
            expression = match.group(1)
            # a form field's markup, id or name (row.quantity.id) is not a quantity being shown
            field_part = re.search(r"form\.|field\(|\|\s*money|\.(id|name|label|errors)\s*$", expression.strip())
            if not QUANTITY.search(expression) or field_part:
                continue
            if "|qty" not in expression.replace(" ", "") or OTHER_WAYS.search(expression):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {{{{{expression}}}}}")
    return found


def test_every_template_writes_quantities_through_the_qty_filter():
    assert offending() == []


def test_show_writes_decimals_units_and_signs():
    assert show(Decimal("281.000")) == "281"
    assert show(Decimal("2.250"), "m") == "2.25 m"
    assert show(Decimal("-12.75"), sign=True) == "\u221212.75"
    assert show(Decimal("40.25"), sign=True) == "+40.25"
    assert show(Decimal("0"), sign=True) == "0"
    assert show(281.0) == "281" and show(1234) == "1,234" and show(Decimal("1234.50"), grouped=False) == "1234.5"


def test_history_activity_and_dashboard_show_the_decimals_of_a_change(as_role, factory):
    item = factory.item(quantity=100, decimals=2, unit="m", name="Cable")
    manager = as_role("manager")
    taken = manager.post(
        f"/items/{item.id}/withdraw", {"withdraw-quantity": "12.75", "withdraw-location_id": item.location_id}
    )
    assert taken.status_code in (200, 302, 303)
    manager.post(f"/items/{item.id}/restock", {"restock-quantity": "40.25", "restock-location_id": item.location_id})
    for page in (f"/items/{item.id}", "/activity", "/dashboard"):
        html = manager.get(page).text
        assert "\u221212.75" in html and "+40.25" in html, page
        assert "\u221212<" not in html and "+40<" not in html, page
    history = manager.get(f"/items/{item.id}").text
    assert '<td class="num">127.5</td>' in history  # the level after both, as the API gives it
