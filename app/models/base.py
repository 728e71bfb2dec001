"""Column helpers shared by the models."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

_frozen_now: ContextVar[datetime | None] = ContextVar("frozen_now", default=None)


def utcnow() -> datetime:
    """The current time; the demo seeder may set it to replay past weeks."""
    return _frozen_now.get() or datetime.now(UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    token = _frozen_now.set(moment)
    try:
        yield
    finally:
        _frozen_now.reset(token)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow, nullable=False
    )


class Quantity(sa.types.TypeDecorator):
    """An exact quantity of an item's unit: NUMERIC(18, 3) in the database, Decimal in Python.

    Read back normalised ("2.5", not "2.500"), and a whole number as an int, so an item
    counted in pieces shows and serialises exactly as it did before decimals existed.
    """

    impl = sa.Numeric(18, 3)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value

    def process_result_value(self, value, dialect):
        return normalise(value)


def normalise(value):
    """Decimal('5.000') -> 5, Decimal('2.500') -> Decimal('2.5'); None and ints unchanged."""
    if value is None or isinstance(value, int):
        return value
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()
