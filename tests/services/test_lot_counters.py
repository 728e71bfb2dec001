"""Lot movements keep the location figures exact (issue 27): a FEFO split or a lot transfer is one
apply_movement per lot, and each location's subtree figures still equal a full count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import Location
from app.services import stock
from tests.services.test_location_counters import _agree

pytestmark = pytest.mark.core


def test_fefo_splits_and_lot_transfers_keep_the_location_figures_exact(factory, ctx):
    site = factory.location("Site", is_structural=True)
    a = factory.location("A", parent_id=site.id)
    b = factory.location("B", parent_id=site.id)
    manager = factory.actor("manager")
    item = factory.item(tracking="lot", location=db.session.get(Location, a.id), actor=manager)
    for n, days in enumerate((40, 10, 20)):
        stock.restock(item.id, 2, actor=manager, lot=f"L{n}", expires_on=date.today() + timedelta(days=days))
    places = [site.id, a.id, b.id]
    _agree(*places)
    moved = stock.transfer(item.id, a.id, b.id, 5, actor=manager)
    assert [entry["lot"] for entry in moved.lots] == ["L1", "L2", "L0"]
    _agree(*places)
    taken = stock.withdraw(item.id, 4, actor=manager, location_id=b.id)
    assert [(entry["lot"], entry["quantity"]) for entry in taken.lots] == [("L1", 2), ("L2", 2)]
    _agree(*places)
