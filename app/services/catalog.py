"""Categories and locations."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.errors import DuplicateValue, InUse, NotFound, ValidationFailed
from app.extensions import db
from app.models import Category, CategoryStat, Item, Location, StockLevel
from app.models.base import utcnow
from app.services import counters
from app.services.uow import unit_of_work


def list_categories() -> list[tuple[Category, int]]:
    """Every category with its number of active items (from the maintained counters)."""
    counts = (
        sa.select(CategoryStat.category_key, sa.func.sum(CategoryStat.item_count).label("n"))
        .group_by(CategoryStat.category_key)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Category, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.category_key == Category.id)
        .order_by(Category.name)
    ).all()
    return [(category, int(count)) for category, count in rows]


def _placements() -> sa.Select:
    """(location_id, item_id) for every active item at a location: homed there, or holding
    stock there. The one definition behind the locations list and the delete check."""
    return sa.union(
        sa.select(Item.location_id.label("location_id"), Item.id.label("item_id")).where(sa.not_(Item.is_deleted)),
        sa.select(StockLevel.location_id, StockLevel.item_id)
        .join(Item, Item.id == StockLevel.item_id)
        .where(StockLevel.quantity > 0, sa.not_(Item.is_deleted)),
    )


def list_locations() -> list[tuple[Location, int]]:
    """Every live location with its number of active items, all counted in one grouped statement."""
    placements = _placements().subquery()
    counts = (
        sa.select(placements.c.location_id, sa.func.count().label("n")).group_by(placements.c.location_id).subquery()
    )
    rows = db.session.execute(
        sa.select(Location, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.location_id == Location.id)
        .where(Location.deleted_at.is_(None))
        .order_by(Location.name)
    ).all()
    return [(location, int(count)) for location, count in rows]


def category_names() -> dict[int, str]:
    """Category id -> name, alphabetically (for menus and labels; no counting)."""
    return dict(db.session.execute(sa.select(Category.id, Category.name).order_by(Category.name)).all())


def location_names() -> dict[int, str]:
    """Live location id -> name, alphabetically (for menus and labels; no counting)."""
    return dict(
        db.session.execute(
            sa.select(Location.id, Location.name).where(Location.deleted_at.is_(None)).order_by(Location.name)
        ).all()
    )


def get_category(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound(f"Category {category_id} not found.")
    return category


def get_location(location_id: int) -> Location:
    """Raises NotFound (archived counts as gone)."""
    location = live_location(location_id)
    if location is None:
        raise NotFound(f"Location {location_id} not found.")
    return location


def live_location(location_id: int | None) -> Location | None:
    """The location, or None when there is none by that id or it is archived: the one test of "a live location"."""
    location = db.session.get(Location, location_id) if location_id is not None else None
    return location if location is not None and location.deleted_at is None else None


def require_live_location(location_id: int, field: str = "location_id") -> Location:
    """A live location named by input field `field`. Raises ValidationFailed (on that field)."""
    location = live_location(location_id)
    if location is None:
        raise ValidationFailed("Unknown location.", fields={field: [f"Location {location_id} does not exist."]})
    return location


def category_item_count(category_id: int) -> int:
    return counters.active_count(category_id=category_id)


def location_item_count(location_id: int) -> int:
    placements = _placements().subquery()
    return db.session.execute(
        sa.select(sa.func.count()).select_from(placements).where(placements.c.location_id == location_id)
    ).scalar_one()


def create_category(data: dict[str, Any]) -> Category:
    """Raises DuplicateValue."""
    with unit_of_work():
        _check_category_name(data["name"])
        category = Category(**data)
        db.session.add(category)
    return category


def update_category(category_id: int, data: dict[str, Any]) -> Category:
    """Raises NotFound, DuplicateValue."""
    with unit_of_work():
        category = get_category(category_id)
        if "name" in data and data["name"] != category.name:
            _check_category_name(data["name"])
        for name, value in data.items():
            setattr(category, name, value)
    return category


def delete_category(category_id: int) -> None:
    """Raises NotFound, InUse (still holds active items)."""
    with unit_of_work():
        category = get_category(category_id)
        count = category_item_count(category_id)
        if count:
            raise InUse(
                f"Category {category.name!r} still holds {count} active item(s); move or delete them first.",
                item_count=count,
            )
        # Deleted items keep their history but let go of the category.
        db.session.execute(sa.update(Item).where(Item.category_id == category_id).values(category_id=None))
        db.session.delete(category)


def create_location(data: dict[str, Any]) -> Location:
    """Raises DuplicateValue."""
    with unit_of_work():
        _check_location_name(data["name"])
        location = Location(**data)
        db.session.add(location)
    return location


def update_location(location_id: int, data: dict[str, Any]) -> Location:
    """Raises NotFound, DuplicateValue."""
    with unit_of_work():
        location = get_location(location_id)
        if "name" in data and data["name"] != location.name:
            _check_location_name(data["name"])
        for name, value in data.items():
            setattr(location, name, value)
    return location


def delete_location(location_id: int) -> None:
    """Archive a location. Raises NotFound, InUse (home of, or holding, active items)."""
    with unit_of_work():
        location = get_location(location_id)
        count = location_item_count(location_id)
        if count:
            raise InUse(
                f"Location {location.name!r} still holds {count} active item(s); move or delete them first.",
                item_count=count,
            )
        location.deleted_at = utcnow()


def _check_category_name(name: str) -> None:
    if db.session.execute(sa.select(Category.id).where(sa.func.lower(Category.name) == name.lower())).first():
        raise DuplicateValue(f"A category named {name!r} already exists.", fields={"name": ["Already in use."]})


def _check_location_name(name: str) -> None:
    exists = db.session.execute(
        sa.select(Location.id).where(sa.func.lower(Location.name) == name.lower(), Location.deleted_at.is_(None))
    ).first()
    if exists:
        raise DuplicateValue(f"A location named {name!r} already exists.", fields={"name": ["Already in use."]})
