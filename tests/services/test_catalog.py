"""Categories and locations: names unique, in-use refusals, archived locations count as gone."""

from __future__ import annotations

import pytest

from app.errors import DuplicateValue, InUse, NotFound, ValidationFailed
from app.services import catalog, locations

pytestmark = pytest.mark.core


def test_category_name_is_unique_whatever_the_case(factory, ctx):
    factory.category("Tools")
    with pytest.raises(DuplicateValue) as refused:
        catalog.create_category({"name": "TOOLS"})
    assert refused.value.fields == {"name": ["Already in use."]}


def test_delete_category_refused_while_it_holds_active_items(factory, ctx):
    category = factory.category("Paint")
    factory.item(category_id=category.id)
    with pytest.raises(InUse) as refused:
        catalog.delete_category(category.id)
    assert refused.value.extra["item_count"] == 1
    assert catalog.get_category(category.id).name == "Paint"


def test_archived_location_is_not_live_and_its_name_is_free_again(factory, ctx):
    location = factory.location("Annex")
    locations.delete_location(location.id)
    assert locations.live_location(location.id) is None
    with pytest.raises(NotFound):
        locations.get_location(location.id)
    with pytest.raises(ValidationFailed) as refused:
        locations.require_live_location(location.id, "destination_location_id")
    assert list(refused.value.fields) == ["destination_location_id"]
    assert locations.create_location({"name": "Annex"}).id != location.id


def test_delete_location_refused_while_it_is_an_items_home(factory, ctx):
    location = factory.location("Shelf A")
    factory.item(location=location, quantity=0)
    with pytest.raises(InUse):
        locations.delete_location(location.id)
    assert locations.live_location(location.id) is not None


def test_rename_location_to_a_taken_name_is_refused(factory, ctx):
    factory.location("North")
    south = factory.location("South")
    with pytest.raises(DuplicateValue):
        locations.update_location(south.id, {"name": "north"})
    assert locations.get_location(south.id).name == "South"
