"""Maintained per-category figures for the dashboard and list totals (app/services/counters.py)."""

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
