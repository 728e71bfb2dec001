"""Transaction helpers shared by the services: every write runs in a unit_of_work().

One style everywhere: a service function opens `with unit_of_work():`, changes what it
must, and the block commits once (or rolls everything back). A unit of work opened
inside another joins it, so composed services (a movement and its stored idempotent
answer, an item and its initial stock) still commit once. Where a slow external call
(an email, an upload) sits between two writes, the service calls
before_external_call() first and writes the outcome in a second, short unit of work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db

_OPEN = "unit_of_work_open"


@contextmanager
def unit_of_work(*, keep_loaded: bool = False) -> Iterator[Session]:
    """Commit once at the end, roll back everything on any error; inside another, join it.

    keep_loaded: the objects the transaction wrote keep their (committed) values after
    the commit instead of being expired, so answering with them needs no reload (the
    outermost unit of work decides).
    """
    session = db.session()
    if session.info.get(_OPEN):
        yield session  # the enclosing unit of work commits or rolls back
        return
    expire = session.expire_on_commit
    session.expire_on_commit = expire and not keep_loaded
    session.info[_OPEN] = True
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_OPEN, None)
        session.expire_on_commit = expire


def locked(statement: sa.Select, **for_update: object) -> sa.Select:
    """`statement` as SELECT ... FOR UPDATE whose rows replace what the session already holds.

    Without populate_existing an object loaded earlier in the same session (the caller, a
    page's subject, a worker's import) keeps the values it had before the lock was granted,
    and a check made under the lock would read them.
    """
    return statement.with_for_update(**for_update).execution_options(populate_existing=True)


def before_external_call() -> None:
    """End the session's transaction (it only read) before a slow call to the outside world.

    No snapshot, row lock or pooled connection is held while an email or an upload is
    on its way; what the call changed is written afterwards in its own unit_of_work().
    """
    db.session.rollback()


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
    # g lives on the app context: a task (an import) tags its ledger rows the same way a request does.
    return g.get("request_id") if has_app_context() else None


# Notes kept on the session until its transaction ends, each tagged with the (nested) transaction
# that made it, so that a rolled-back savepoint drops its own: the counters' pending deltas and
# the stock core's objects written by SQL use them.


def tag(session: Session, key: str, value: object) -> None:
    """Keep `value` in session.info[key], tagged with the innermost open transaction."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(key, []).append((transaction, value))


def drop_rolled_back(session: Session, key: str, previous: SessionTransaction) -> list:
    """after_soft_rollback: remove what `previous` (and savepoints inside it) tagged; return it."""
    if previous.parent is None:
        return [value for _t, value in session.info.pop(key, [])]
    kept, dropped = [], []
    for transaction, value in session.info.get(key, []):
        (dropped if _inside(transaction, previous) else kept).append((transaction, value))
    session.info[key] = kept
    return [value for _t, value in dropped]


def forget_at_end(session: Session, key: str, transaction: SessionTransaction) -> None:
    """after_transaction_end: the outermost transaction's end forgets every note."""
    if transaction.parent is None:
        session.info.pop(key, None)


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None and transaction is not outer:
        transaction = transaction.parent
    return transaction is not None
