"""Categories (locations live in app.services.locations)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.errors import DuplicateValue, InUse
from app.extensions import db
from app.models import Category, CategoryStat, Item, StockCount
from app.services import counters
from app.services.lookup import get_or_404
from app.services.pagination import Page
from app.services.uow import unit_of_work


def list_categories() -> list[tuple[Category, int]]:
    """Every category with its number of active items (from the maintained counters)."""
    return [(category, int(count)) for category, count in db.session.execute(_with_counts()).all()]


def page_categories(*, page: int = 1, per_page: int = 50) -> Page:
    """One page of list_categories()'s rows, by name (the Categories page: there may be thousands)."""
    total = db.session.execute(sa.select(sa.func.count(Category.id))).scalar_one()
    rows = db.session.execute(_with_counts().limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=[(category, int(count)) for category, count in rows], total=total, page=page, per_page=per_page)


def _with_counts() -> sa.Select:
    counts = (
        sa.select(CategoryStat.category_key, sa.func.sum(CategoryStat.item_count).label("n"))
        .group_by(CategoryStat.category_key)
        .subquery()
    )
    return (
        sa.select(Category, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.category_key == Category.id)
        .order_by(Category.name, Category.id)
    )


def category_names() -> dict[int, str]:
    """Category id -> name, alphabetically (for menus and labels; no counting)."""
    return dict(db.session.execute(sa.select(Category.id, Category.name).order_by(Category.name)).all())


def get_category(category_id: int) -> Category:
    """Raises NotFound."""
    return get_or_404(Category, category_id)


def category_item_count(category_id: int) -> int:
    return counters.active_count(category_id=category_id)


def create_category(data: dict[str, Any]) -> Category:
    """Raises DuplicateValue."""
    with unit_of_work():
        _check_category_name(data["name"])
        category = Category(**data)
        db.session.add(category)
    return category


def ensure_category(name: str) -> int:
    """The id of the category called `name` in any letter case, created when missing.

    Safe when another transaction creates the same name at the same moment (two imports):
    our INSERT waits on their row, fails on the unique name once they commit, and the
    savepoint lets this transaction carry on with their category instead.
    """
    with unit_of_work():
        found = _category_id(name)
        if found is not None:
            return found
        try:
            with db.session.begin_nested():
                category = Category(name=name)
                db.session.add(category)
            return category.id  # flushed by the savepoint's end: the id is known here
        except sa.exc.IntegrityError:
            found = _category_id(name)
            if found is None:
                raise
            return found


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
    """Raises NotFound, InUse (still holds active items; the scope of a stock count)."""
    with unit_of_work():
        category = get_category(category_id)
        count = category_item_count(category_id)
        if count:
            raise InUse(
                f"Category {category.name!r} still holds {count} active item(s); move or delete them first.",
                item_count=count,
            )
        # A count, even a cancelled one, keeps the scope it was opened with: its history names it.
        counted = db.session.scalars(
            sa.select(StockCount.id).where(StockCount.category_id == category_id).order_by(StockCount.id)
        ).all()
        if counted:
            shown = ", ".join(f"#{n}" for n in counted[:5]) + ("…" if len(counted) > 5 else "")
            raise InUse(
                f"Category {category.name!r} is the scope of {len(counted)} stock count(s) ({shown}), "
                "which keep it for their history; rename it instead.",
                count_ids=counted[:5],
                stock_count_count=len(counted),
            )
        # Deleted items keep their history but let go of the category.
        db.session.execute(sa.update(Item).where(Item.category_id == category_id).values(category_id=None))
        db.session.delete(category)


def _category_id(name: str) -> int | None:
    return db.session.execute(sa.select(Category.id).where(sa.func.lower(Category.name) == name.lower())).scalar()


def _check_category_name(name: str) -> None:
    if _category_id(name) is not None:
        raise DuplicateValue(f"A category named {name!r} already exists.", fields={"name": ["Already in use."]})
