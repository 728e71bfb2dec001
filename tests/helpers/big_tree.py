"""A warehouse-sized location tree for page tests: a site with one aisle, `shelves` structural
shelves and `bins_per_shelf` bins on each (10,000 bins by default), made by one SQL statement
per level (PostgreSQL only: ids, keys and paths are computed in the database)."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db

_LEVEL = """
WITH made AS (
    SELECT nextval('locations_id_seq') AS id, p.id AS parent, p.path_key AS key, p.path AS path,
           p.depth AS depth, g.n AS n
    FROM locations p CROSS JOIN generate_series(1, :per_parent) AS g(n)
    WHERE {parents}
)
INSERT INTO locations (id, name, parent_id, path_key, path, depth, is_structural, created_at, updated_at)
SELECT id, :word || ' ' || lpad(n::text, :width, '0'), parent, key || id || '/',
       path || ' / ' || :word || ' ' || lpad(n::text, :width, '0'), depth + 1, :structural, now(), now()
FROM made
"""


def big_tree(factory, *, shelves: int = 100, bins_per_shelf: int = 100) -> dict:
    """{"site", "aisle"}: live ORM rows; the shelves and bins below the aisle exist only as rows
    (no items yet, so the location figures have nothing to count)."""
    site = factory.location("Big Site", is_structural=True)
    aisle = factory.location("Aisle Z", parent_id=site.id, is_structural=True)
    with factory.app.app_context(), db.engine.begin() as connection:
        shelf_level = {"per_parent": shelves, "word": "Shelf", "width": 3, "structural": True, "aisle": aisle.id}
        connection.execute(sa.text(_LEVEL.format(parents="p.id = :aisle")), shelf_level)
        bin_level = {"per_parent": bins_per_shelf, "word": "Bin", "width": 3, "structural": False, "aisle": aisle.id}
        connection.execute(sa.text(_LEVEL.format(parents="p.parent_id = :aisle")), bin_level)
    return {"site": site, "aisle": aisle}


def bin_id(app, shelf: int, bin_: int) -> int:
    """The id of "Big Site / Aisle Z / Shelf NNN / Bin NNN"."""
    path = f"Big Site / Aisle Z / Shelf {shelf:03d} / Bin {bin_:03d}"
    with app.app_context():
        return db.session.execute(sa.text("SELECT id FROM locations WHERE path = :p"), {"p": path}).scalar_one()
