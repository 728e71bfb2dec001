"""Maintained figures for the dashboard, list totals and location subtrees (app/services/counters.py)."""

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class CategoryStat(db.Model):
    """Active-item figures of one category (0 = uncategorised), split into stripes.

    A movement updates only the stripe of its item (item id modulo STRIPES), so
    movements of different items rarely wait on the same counter row; readers add the
    stripes up (a few thousand rows at most).
    """

    __tablename__ = "category_stats"

    category_key: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    stripe: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    item_count: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    total_units: Mapped[Decimal] = mapped_column(sa.Numeric(24, 3), nullable=False, default=0)
    total_value: Mapped[Decimal] = mapped_column(sa.Numeric(38, 5), nullable=False, default=Decimal("0"))
    low_stock_count: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)


class LocationStat(db.Model):
    """What one location's whole subtree holds, split into stripes by item id (like CategoryStat).

    `items`: distinct active items with stock somewhere in the subtree; `placed`: distinct
    active items homed there or holding stock there (what the inventory list's location
    filter matches); `units`: the units of active items there. Kept by app/services/counters.py.
    """

    __tablename__ = "location_stats"

    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), primary_key=True, autoincrement=False)
    stripe: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    items: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    placed: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    units: Mapped[Decimal] = mapped_column(sa.Numeric(24, 3), nullable=False, default=0)
    # The value of those units (at the items' prices), and distinct items with stock there whose
    # total is below their threshold: the site-narrowed dashboard's figures.
    value: Mapped[Decimal] = mapped_column(sa.Numeric(38, 5), nullable=False, default=Decimal("0"))
    low: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)


class LocationRecount(db.Model):
    """A location whose figures (location_stats) must be counted again: the locations above a
    moved subtree, queued by the move and cleared by app/services/location_recount.py.

    `version` grows each time the location is queued again, so a recount that started before
    a second move does not clear the second move's request."""

    __tablename__ = "location_recounts"

    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=1)
