"""The dashboard never adds units of different kinds (issue 36): pieces, metres and boxes are
shown each under its own unit, and the charts count items and movements, not mixed units."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

pytestmark = pytest.mark.core


def test_units_of_different_kinds_are_never_summed(as_role, factory):
    factory.item(quantity=10, unit="pcs", name="Bolts")
    factory.item(quantity=Decimal("2.5"), decimals=1, unit="m", name="Cable")
    factory.item(quantity=3, unit="boxes", name="Nails")
    factory.item(quantity=4, unit="pcs", name="Nuts")
    html = as_role("manager").get("/dashboard").text
    figures = html.split('id="figures"')[1].split('id="recent-heading"')[0]
    assert "14 pcs" in figures and "2.5 m" in figures and "3 boxes" in figures
    assert not re.search(r">\s*19\.5\s*<", figures)  # 14 + 2.5 + 3, the old "Units in stock"
    charts = json.loads(html.split('id="chart-data"')[1].split(">", 1)[1].split("</script>")[0])
    assert {c["name"]: c["item_count"] for c in charts["categories"]} == {"Uncategorised": 4}
    assert "Units" not in html.split('id="chart-data"')[0].split("cat-heading")[1]
    assert "Units in and out" not in html
    assert all({"moves_in", "moves_out"} <= set(day) for day in charts["movements"])
    assert sum(day["moves_in"] for day in charts["movements"]) == 4  # four items created with stock
