"""Carts: lines merge, bounds and references are checked, a line is its owner's only."""

from __future__ import annotations

import pytest

from app.errors import NotFound, ValidationFailed
from app.limits import MAX_QUANTITY
from app.services import locations
from app.services.requests import carts

pytestmark = pytest.mark.core


def test_same_item_and_location_again_adds_to_the_line(factory, ctx):
    item = factory.item(quantity=10)
    user = factory.actor("staff")
    carts.add_line(user, item.id, 2)
    line = carts.add_line(user, item.id, 3)
    cart = carts.get_cart(user)
    assert [(ln.id, ln.quantity) for ln in cart.lines] == [(line.id, 5)]
    assert not line.short and line.available == 10


def test_line_asking_more_than_available_is_flagged_short(factory, ctx):
    item = factory.item(quantity=1)
    line = carts.add_line(factory.actor("staff"), item.id, 4)
    assert line.short and line.available == 1


def test_quantity_above_the_maximum_is_refused(factory, ctx):
    item = factory.item(quantity=1)
    user = factory.actor("staff")
    carts.add_line(user, item.id, MAX_QUANTITY)
    with pytest.raises(ValidationFailed) as refused:
        carts.add_line(user, item.id, 1)
    assert "quantity" in refused.value.fields
    assert carts.get_cart(user).total_quantity == MAX_QUANTITY


def test_archived_source_location_is_refused(factory, ctx):
    item = factory.item(quantity=1)
    spare = factory.location()
    locations.delete_location(spare.id)
    with pytest.raises(ValidationFailed) as refused:
        carts.add_line(factory.actor("staff"), item.id, 1, spare.id)
    assert list(refused.value.fields) == ["location_id"]


def test_another_users_line_is_not_found(factory, ctx):
    item = factory.item(quantity=5)
    owner, other = factory.actor("staff"), factory.actor("staff")
    line = carts.add_line(owner, item.id, 1)
    carts.add_line(other, item.id, 1)
    with pytest.raises(NotFound):
        carts.remove_line(other, line.id)
    assert carts.get_cart(owner).line_count == 1


def test_clear_empties_the_cart(factory, ctx):
    item = factory.item(quantity=5)
    user = factory.actor("staff")
    carts.add_line(user, item.id, 1)
    carts.clear(user)
    assert carts.get_cart(user).lines == []
