"""The Locations page's tree at any size: the whole tree while it is small, else the sites with
their children loaded one level at a time as people open them, and a search over every path.

With 10,000 bins the whole tree is 600 KB of HTML and 50,000 px of phone screen; one level of it
is a few rows, each read with its subtree figures (app/services/location_counters.py) in one
statement per level.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from app.extensions import db
from app.models import Location
from app.services import location_counters
from app.services.locations import INLINE_CHOICES, Totals, get_location, matching_paths
from app.services.pagination import Page

SEARCH_RESULTS = 50
LEVEL_PAGE = 100  # one level of the tree is read and shown this many at a time ("Show more")


@dataclass
class TreeNode:
    location: Location
    totals: Totals
    children: list[TreeNode] = field(default_factory=list)
    has_children: bool = False  # children not loaded yet (a big tree): opened on demand


def is_small() -> bool:
    """Few enough live locations to show the whole tree in one page."""
    live = sa.select(Location.id).where(Location.deleted_at.is_(None)).limit(INLINE_CHOICES + 1)
    return len(db.session.execute(live).all()) <= INLINE_CHOICES


def tree() -> list[TreeNode]:
    """The whole live tree with subtree totals for every node (from the maintained figures)."""
    locations = list(
        db.session.execute(
            sa.select(Location).where(Location.deleted_at.is_(None)).order_by(Location.path_key)
        ).scalars()
    )
    by_id = {
        loc_id: Totals(items, units) for loc_id, (items, _placed, units) in location_counters.every_subtree().items()
    }
    nodes = {loc.id: TreeNode(loc, by_id.get(loc.id, Totals())) for loc in locations}
    roots = []
    for loc in locations:
        parent = nodes.get(loc.parent_id) if loc.parent_id is not None else None
        (parent.children if parent else roots).append(nodes[loc.id])
    for node in nodes.values():
        node.children.sort(key=lambda n: n.location.name.lower())
        node.has_children = bool(node.children)
    roots.sort(key=lambda n: n.location.name.lower())
    return roots


def level(parent_id: int | None) -> list[TreeNode]:
    """The live children of a location (the sites for None), by name, each with its subtree figures
    and whether it has children of its own; their children are not loaded. Raises NotFound."""
    return _level_nodes(_level_query(parent_id))


def level_page(parent_id: int | None, *, page: int = 1, per_page: int = LEVEL_PAGE) -> Page:
    """One page of a location's live children (the sites for None; level()'s rows), for its page
    and the tree's "Show more": a shelf may hold thousands of bins. Raises NotFound."""
    query = _level_query(parent_id)
    total = db.session.execute(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    nodes = _level_nodes(query.limit(per_page).offset((page - 1) * per_page))
    return Page(items=nodes, total=total, page=page, per_page=per_page)


def _level_query(parent_id: int | None) -> sa.Select:
    if parent_id is not None:
        get_location(parent_id)
    parent = Location.parent_id.is_(None) if parent_id is None else Location.parent_id == parent_id
    child = sa.orm.aliased(Location)
    has_children = (
        sa.select(child.id).where(child.parent_id == Location.id, child.deleted_at.is_(None)).exists().label("inside")
    )
    return (
        sa.select(Location, has_children)
        .where(parent, Location.deleted_at.is_(None))
        .order_by(Location.name, Location.id)
    )


def _level_nodes(query: sa.Select) -> list[TreeNode]:
    rows = db.session.execute(query).all()
    figures = location_counters.subtrees(loc.id for loc, _inside in rows)
    return [_node(loc, figures, has_children=inside) for loc, inside in rows]


def search(query: str) -> list[TreeNode]:
    """Up to SEARCH_RESULTS live locations whose path holds every word typed, by path."""
    found = dict(matching_paths(query, limit=SEARCH_RESULTS))
    if not found:
        return []
    locations = db.session.execute(sa.select(Location).where(Location.id.in_(found)).order_by(Location.path)).scalars()
    figures = location_counters.subtrees(found)
    return [_node(loc, figures) for loc in locations]


def _node(location: Location, figures: dict, *, has_children: bool = False) -> TreeNode:
    items, _placed, units = figures.get(location.id, (0, 0, 0))
    return TreeNode(location, Totals(items, units), has_children=has_children)
