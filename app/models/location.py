"""Location: a place that holds stock; archived (deleted_at), never erased."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TimestampMixin

# Byte order ("C" collation) on PostgreSQL, SQLite's default: the range that finds a subtree
# ('/1/5/' <= key < '/1/50') must compare characters, not a language's collation rules.
PathKey = sa.String(1000).with_variant(sa.String(1000, collation="C"), "postgresql")
SEPARATOR = " / "


class Location(TimestampMixin, db.Model):
    """A place in the location tree (site, aisle, shelf, bin), stored as a materialized path.

    `path_key` is the chain of ids from the root ("/1/5/12/"): a subtree is one index range
    scan. `path` is the chain of names shown to people ("Main Warehouse / Aisle A / Bin B2").
    Both are rewritten for the whole subtree when a location is renamed or moved.
    """

    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    address: Mapped[str | None] = mapped_column(sa.Text)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    path_key: Mapped[str] = mapped_column(PathKey, nullable=False, default="", index=True)
    path: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    depth: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=0)
    # Structural locations (a site, an aisle) group others and never hold stock.
    is_structural: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # Locations are archived, not erased: the immutable ledger still points at them.
    deleted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Cycle counting: counted every N days (None: not scheduled); when a count last was approved here.
    count_frequency_days: Mapped[int | None] = mapped_column(sa.Integer)
    last_counted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


def subtree_upper(path_key: str) -> str:
    """The exclusive upper end of the key range holding `path_key` and its descendants."""
    return path_key[:-1] + "0"  # '/' sorts just before '0'


# Names are unique among live siblings (roots are siblings of each other), case-insensitively.
sa.Index(
    "uq_locations_sibling_name",
    sa.func.coalesce(Location.parent_id, 0),
    sa.func.lower(Location.name),
    unique=True,
    postgresql_where=sa.text("deleted_at IS NULL"),
    sqlite_where=sa.text("deleted_at IS NULL"),
)
