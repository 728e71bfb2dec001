"""Who may connect, which rooms they join, and how many are connected (per process).

A connection is checked when it opens, and again whenever its user's access changes: a
deactivated user, or one whose role changed, is disconnected at once by the process that
made the change, and by every other process at its next sweep (every
SOCKETIO_REVALIDATE_SECONDS, 30 by default). A reconnect is checked afresh, so a
changed role rejoins the rooms it now allows and an inactive user stays out.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, request
from flask_jwt_extended import decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room
from jwt import PyJWTError

from app.auth import _load_user
from app.extensions import db, socketio
from app.models.user import User
from app.permissions import can
from app.realtime.broadcast import ALL_ROOM, audience_permissions, permission_room, user_room

log = logging.getLogger(__name__)

_lock = threading.Lock()
_connected: dict[str, tuple[int, str]] = {}  # sid -> (user id, role when it connected)
_registered = False
_sweeping = False


def connected_clients() -> int:
    """Socket.IO clients connected to THIS process (sum over processes for the whole site)."""
    with _lock:
        return len(_connected)


def authenticate(auth: Any) -> User | None:
    """The active user behind a connection: an access token in `auth`, else the session cookie."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if token:
        try:
            claims = decode_token(str(token))
        except (JWTExtendedException, PyJWTError, ValueError, TypeError):
            return None
        if claims.get("type") != "access":
            return None
        return _load_user(claims.get("sub"))
    if current_user.is_authenticated:  # the login manager only loads active users
        return current_user._get_current_object()
    return None


def on_connect(auth: Any = None) -> None:
    user = authenticate(auth)
    if user is None:
        raise ConnectionRefusedError("unauthorized")
    join_room(ALL_ROOM)
    join_room(user_room(user.id))
    for permission in audience_permissions():
        if can(user, permission):
            join_room(permission_room(permission))
    with _lock:
        _connected[request.sid] = (user.id, user.role)
    _start_sweeper(current_app._get_current_object())


def on_disconnect(reason: Any = None) -> None:
    with _lock:
        _connected.pop(request.sid, None)


def revalidate(user_ids: list[int] | None = None) -> int:
    """Disconnect this process's connections whose user is gone, inactive or has another
    role now (all users, or only `user_ids`). Needs an app context; returns how many."""
    with _lock:
        held = {sid: who for sid, who in _connected.items() if user_ids is None or who[0] in user_ids}
    if not held:
        return 0
    ids = sorted({user_id for user_id, _role in held.values()})
    # Its own short connection: this runs after a commit (the session cannot read then) or in
    # the sweeper thread (which must not leave a transaction open).
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(User.id, User.role).where(User.id.in_(ids), User.is_active.is_(True)))
        current = {row.id: row.role for row in rows}
    stale = [sid for sid, (user_id, role) in held.items() if current.get(user_id) != role]
    for sid in stale:
        socketio.server.disconnect(sid, namespace="/", ignore_queue=True)
        with _lock:
            _connected.pop(sid, None)
    return len(stale)


def on_access_event(name: str, payload: dict[str, Any]) -> None:
    """events.subscribe() callback: a user's role or active flag changed (after commit)."""
    if name == "user_access_changed":
        revalidate([payload["user_id"]])


def _start_sweeper(app: Flask) -> None:
    """Once per process, when the first client connects: revalidate every connection periodically
    (catches changes committed by other processes)."""
    global _sweeping
    with _lock:
        if _sweeping:
            return
        _sweeping = True
    interval = float(app.config.get("SOCKETIO_REVALIDATE_SECONDS") or 30)

    def sweep() -> None:
        while True:
            socketio.sleep(interval)
            try:
                with app.app_context():
                    revalidate()
            except Exception:  # keep sweeping; the next round may succeed (database back up)
                log.exception("revalidating live connections failed")

    socketio.start_background_task(sweep)


def register_handlers() -> None:
    """Attach the handlers to the shared `socketio` object once per process."""
    global _registered
    if _registered:
        return
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    _registered = True
