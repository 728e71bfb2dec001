"""Inventory pages: the list, an item's page, create/edit/delete and stock movements."""

from app.web.items import detail, editing, listing, options  # noqa: F401  (their routes attach to bp)
from app.web.items.blueprint import bp

__all__ = ["bp"]
