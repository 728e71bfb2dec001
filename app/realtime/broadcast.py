"""Committed domain events -> Socket.IO emits, to the rooms allowed to see them.

Rooms: "all" (every authenticated connection), "perm:<permission>" (connections whose
role grants that permission, from the one table in app/permissions.py) and
"user:<id>" (one user's connections, e.g. the author of a stock request).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import threading
from typing import Any

from flask_socketio import SocketIO

from app import jsonio
from app.extensions import socketio
from app.permissions import Permission

log = logging.getLogger(__name__)

ALL_ROOM = "all"

# Event name -> the permission a client needs to receive it (None: any authenticated user).
EVENT_AUDIENCE: dict[str, Permission | None] = {
    "item_created": None,
    "item_updated": None,
    "item_deleted": None,
    "stock_changed": None,
    "low_stock_alert": Permission.ALERTS_READ,
    "alert_acknowledged": Permission.ALERTS_READ,
    "alert_resolved": Permission.ALERTS_READ,
    # Jobs a person started from the Backups and Reports pages (both pages are for alerts:read).
    "backup_started": Permission.ALERTS_READ,
    "backup_finished": Permission.ALERTS_READ,
    "report_started": Permission.ALERTS_READ,
    "report_ready": Permission.ALERTS_READ,
    "request_submitted": Permission.REQUESTS_READ_ALL,
    "request_decided": Permission.REQUESTS_READ_ALL,
    "purchase_order_updated": Permission.PURCHASING_READ,  # staff receive, managers buy
    # Everyone who may look at a count; the payload never carries expected quantities or
    # variances (blind counts), pages re-read the count through their role's view.
    "count_updated": Permission.COUNTS_COUNT,
}
# Request events also go to their author, whichever of these keys the payload carries.
OWNER_KEYS = ("author_id", "requester_id", "user_id")

_emitters: dict[tuple[str, str], SocketIO] = {}
_emitters_lock = threading.Lock()


def permission_room(permission: Permission | str) -> str:
    return f"perm:{Permission(permission).value}"


def user_room(user_id: int | str) -> str:
    return f"user:{user_id}"


def audience_permissions() -> list[Permission]:
    return sorted({p for p in EVENT_AUDIENCE.values() if p is not None})


def rooms_for(event: str, payload: dict[str, Any]) -> list[str] | None:
    """The rooms an event goes to, or None for events that are not sent live."""
    if event not in EVENT_AUDIENCE:
        return None
    permission = EVENT_AUDIENCE[event]
    rooms = [ALL_ROOM if permission is None else permission_room(permission)]
    if event.startswith("request_"):
        owner = next((payload[key] for key in OWNER_KEYS if payload.get(key) is not None), None)
        if owner is not None:
            rooms.append(user_room(owner))
    return rooms


def on_event(name: str, payload: dict[str, Any]) -> None:
    """events.subscribe() callback: runs after commit, in web processes and workers alike.

    Only queues the event: the request's thread answers at once, and one sender thread per
    process emits in commit order (below)."""
    rooms = rooms_for(name, payload)
    if rooms is None:
        return
    _sender().put((name, payload, rooms if len(rooms) > 1 else rooms[0]))


def flush(timeout: float = 5.0) -> bool:
    """Wait until this process has emitted everything queued so far; False on timeout."""
    with _sender_lock:
        sender = _sender_state.get("queue") if _sender_state.get("pid") == os.getpid() else None
    if sender is None:
        return True
    done = threading.Event()
    sender.put(done)
    return done.wait(timeout)


# One sender thread per process (re-created after a fork: a Celery prefork child has none).
# An emit is once per room: Socket.IO encodes the packet once and, through Redis, each web
# process writes it to its own clients in the room; nothing here loops over sockets.
_sender_lock = threading.Lock()
_sender_state: dict[str, Any] = {}


def _sender() -> queue.SimpleQueue:
    with _sender_lock:
        if _sender_state.get("pid") != os.getpid():
            pending: queue.SimpleQueue = queue.SimpleQueue()
            threading.Thread(target=_send_forever, args=(pending,), name="socketio-sender", daemon=True).start()
            _sender_state.update(pid=os.getpid(), queue=pending)
        return _sender_state["queue"]


def _send_forever(pending: queue.SimpleQueue) -> None:
    while True:
        entry = pending.get()
        if isinstance(entry, threading.Event):  # flush() marker: everything before it is sent
            entry.set()
            continue
        name, payload, to = entry
        try:
            # Through Redis when configured: reaches the clients of every process.
            socketio.emit(name, _jsonable(payload), to=to)
        except Exception:  # Redis down: this event is lost, the next ones may go through
            log.exception("emitting %s failed", name)


# A script or task that exits right after its commit still sends what it queued.
atexit.register(flush)


def emit_external(
    event: str,
    payload: dict[str, Any],
    *,
    to: str | list[str] | None = None,
    redis_url: str | None = None,
    channel: str | None = None,
) -> None:
    """Emit from a process without the app (a script, another service) through Redis.

    Uses a write-only SocketIO bound to REDIS_URL and SOCKETIO_CHANNEL (from the
    settings unless given). Raises RuntimeError when there is no Redis to go through.
    """
    if redis_url is None or channel is None:
        from app.config import get_config

        settings = get_config()
        redis_url = redis_url or settings.REDIS_URL
        channel = channel or settings.SOCKETIO_CHANNEL
    if not redis_url:
        raise RuntimeError("emit_external needs REDIS_URL: without Redis only the web process itself can emit.")
    key = (redis_url, channel or "inventory-socketio")
    with _emitters_lock:
        emitter = _emitters.get(key)
        if emitter is None:
            emitter = SocketIO(message_queue=key[0], channel=key[1], async_mode="threading")
            _emitters[key] = emitter
    rooms = to or rooms_for(event, payload) or ALL_ROOM
    emitter.emit(event, _jsonable(payload), to=rooms)


def _jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    # Exact decimals are written as numbers with their own digits (2.25); Socket.IO's encoder
    # then writes the same shortest digits back, so the browser reads 2.25, never "2.25".
    return json.loads(jsonio.dumps(payload, default=str))
