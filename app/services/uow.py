"""Transaction helpers shared by the services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import Session

from app.extensions import db


@contextmanager
def unit_of_work(*, keep_loaded: bool = False) -> Iterator[Session]:
    """Commit once at the end, roll back everything on any error.

    keep_loaded: the objects the transaction wrote keep their (committed) values after
    the commit instead of being expired, so answering with them needs no reload.
    """
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = expire and not keep_loaded
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.expire_on_commit = expire


def is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def take_write_lock(table: sa.Table, row_id: int) -> None:
    """On SQLite, start the write transaction before reading.

    SQLite ignores FOR UPDATE; a no-op UPDATE takes its database write lock (waiting
    on the busy timeout), so the rows read afterwards cannot change under us.
    """
    if is_sqlite():
        db.session.execute(sa.update(table).where(table.c.id == row_id).values(id=table.c.id))


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None
