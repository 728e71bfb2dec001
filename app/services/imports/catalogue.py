"""The categories and locations an import names: read once per pass, created when asked and missing.

Each new one is created once however many rows name it; a category another import is
creating at the same moment is shared (catalog.ensure_category), never created twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from app.extensions import db
from app.models import Category, Location
from app.models.location import SEPARATOR
from app.services import catalog, locations

if TYPE_CHECKING:
    from app.services.imports.rows import RowPlan


class Catalogue:
    """Categories and locations by lower-case name/path, read once per import pass.

    `hold()` keeps the ORM objects referenced: the session's identity map holds them only
    weakly, and the services look each one up by id for every row they create.
    """

    def hold(self) -> None:
        self.held = [
            *db.session.execute(sa.select(Category)).scalars(),
            *db.session.execute(sa.select(Location).where(Location.deleted_at.is_(None))).scalars(),
        ]

    def __init__(self) -> None:
        self.held: list = []
        self.added: list[tuple[dict, str]] = []  # (map, key) of what this pass created, newest last
        self.categories = {
            name.lower(): cid for cid, name in db.session.execute(sa.select(Category.id, Category.name)).all()
        }
        self.locations = {
            path.lower(): (lid, structural)
            for lid, path, structural in db.session.execute(
                sa.select(Location.id, Location.path, Location.is_structural).where(Location.deleted_at.is_(None))
            ).all()
        }

    def forget_since(self, mark: int) -> None:
        """Drop what was created after len(self.added) was `mark`: its savepoint rolled back."""
        while len(self.added) > mark:
            found, key = self.added.pop()
            found.pop(key, None)


def prepare(p: RowPlan, catalogue: Catalogue) -> None:
    """Create the category and the locations the row names, when asked to and missing."""
    if p.new_category is not None:
        key = p.new_category.lower()
        if catalogue.categories.get(key) is None:
            catalogue.categories[key] = catalog.ensure_category(p.new_category)
            catalogue.added.append((catalogue.categories, key))
        p.values["category_id"] = catalogue.categories[key]
        if p.item_id is not None:
            p.changes["category_id"] = catalogue.categories[key]
    if p.new_location is not None:
        p.location_id = _create_path(p.new_location, catalogue)


def _create_path(path: str, catalogue: Catalogue) -> int:
    """The location at `path`, creating the missing part of the chain."""
    parent_id: int | None = None
    walked: list[str] = []
    for name in path.split(SEPARATOR):
        walked.append(name)
        key = SEPARATOR.join(walked).lower()
        if key not in catalogue.locations:
            created = locations.create_location({"name": name, "parent_id": parent_id})
            catalogue.locations[key] = (created.id, False)
            catalogue.added.append((catalogue.locations, key))
        parent_id = catalogue.locations[key][0]
    return parent_id
