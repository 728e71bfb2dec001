"""Check a pooled database connection before use only when it has sat idle.

SQLAlchemy's `pool_pre_ping` pings on every checkout: one round trip on every request. A
connection that was in use a moment ago is almost surely alive; one that sat idle for longer
may have been cut by a database restart or a proxy's idle timeout, so it is pinged first and,
if dead, replaced by the pool (which retries the checkout with a new connection). A restarted
database then costs no failed request, as with pre-ping, unless it went down and came back
within `idle_seconds` of a connection's last use.
"""

from __future__ import annotations

import time

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool

_RETURNED = "returned_at"


def install(pool: Pool, idle_seconds: float) -> None:
    """Ping a connection at checkout when it was last returned more than `idle_seconds` ago (or never)."""

    def checkout(dbapi_connection, record, _proxy) -> None:
        returned = record.info.get(_RETURNED)
        if returned is not None and time.monotonic() - returned < idle_seconds:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except Exception as exc:  # whatever the driver raises for a dead connection
            raise DisconnectionError("The pooled connection failed its liveness check.") from exc

    def checkin(_dbapi_connection, record) -> None:
        record.info[_RETURNED] = time.monotonic()

    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)
