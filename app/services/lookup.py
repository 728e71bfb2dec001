"""One row by id, or a 404: the look-up and the row lock every service shares.

The message is always "<What> <id> not found." (the API's and the pages' 404 text), so a
service names what it looks for and never writes the sentence itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

import sqlalchemy as sa

from app.errors import NotFound
from app.extensions import db
from app.services.uow import locked, take_write_lock

T = TypeVar("T")


def not_found(what: str, row_id: Any) -> NotFound:
    """The NotFound for a row that is not there (or not the caller's): "Cart line 7 not found."."""
    return NotFound(f"{what} {row_id} not found.")


def get_or_404(model: type[T], row_id: int, what: str | None = None, *, where: Iterable[Any] = ()) -> T:
    """The row of `model` with this id that also meets `where` (e.g. not deleted). Raises NotFound.

    Without `where` the session's identity map answers when it already holds the row (no query).
    """
    conditions = list(where)
    if conditions:
        query = sa.select(model).where(model.id == row_id, *conditions)  # type: ignore[attr-defined]
        row = db.session.execute(query).scalar_one_or_none()
    else:
        row = db.session.get(model, row_id)
    if row is None:
        raise not_found(what or model.__name__, row_id)
    return row


def lock_or_404(
    model: type[T], row_id: int, what: str | None = None, *, where: Iterable[Any] = (), sqlite_lock: bool = False
) -> T:
    """The row locked FOR UPDATE, its values re-read under the lock. Raises NotFound.

    sqlite_lock: first take SQLite's database write lock, since SQLite ignores FOR UPDATE
    (see take_write_lock). Its no-op UPDATE also sets an `updated_at` column, so it is
    asked for where the transaction writes the row anyway.
    """
    if sqlite_lock:
        take_write_lock(model.__table__, row_id)  # type: ignore[attr-defined]
    query = locked(sa.select(model).where(model.id == row_id, *where))  # type: ignore[attr-defined]
    row = db.session.execute(query).scalar_one_or_none()
    if row is None:
        raise not_found(what or model.__name__, row_id)
    return row
