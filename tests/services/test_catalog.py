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


def test_ensure_category_waits_for_a_rival_creating_it_and_returns_theirs(app, ctx):
    """Two imports create one new category at the same moment: the second waits on the first's
    row, then files under it instead of failing (and leaving its import running)."""
    import threading

    import sqlalchemy as sa

    from app.extensions import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("a rival transaction holding the name: PostgreSQL only")
    with db.engine.connect() as other:
        other.execute(
            sa.text("INSERT INTO categories (name, created_at, updated_at) VALUES ('Hardware', now(), now())")
        )
        found: list = []

        def ensure() -> None:
            with app.app_context():
                try:
                    found.append(catalog.ensure_category("Hardware"))
                except Exception as exc:
                    found.append(exc)
                finally:
                    db.session.remove()

        waiting = threading.Thread(target=ensure)
        waiting.start()
        # Commit only once the other transaction is blocked on our uncommitted row.
        with db.engine.connect() as watch:
            while (
                waiting.is_alive()
                and not watch.execute(
                    sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                ).scalar()
            ):
                watch.rollback()
        other.commit()
        waiting.join(timeout=60)
    theirs = db.session.execute(sa.text("SELECT id FROM categories WHERE name = 'Hardware'")).scalar_one()
    assert found == [theirs]


def test_ensure_category_finds_one_in_another_letter_case(factory, ctx):
    tools = factory.category("Tools")
    assert catalog.ensure_category("TOOLS") == tools.id
    assert catalog.ensure_category("Paint") == catalog.ensure_category("paint")
