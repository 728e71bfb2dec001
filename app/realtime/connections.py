"""Who may connect, which rooms they join, and how many are connected (per process)."""

from __future__ import annotations

import threading
from typing import Any

from flask import request
from flask_jwt_extended import decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room
from jwt import PyJWTError

from app.auth import _load_user
from app.extensions import socketio
from app.models.user import User
from app.permissions import can
from app.realtime.broadcast import ALL_ROOM, audience_permissions, permission_room, user_room

_lock = threading.Lock()
_connected: set[str] = set()
_registered = False


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
        _connected.add(request.sid)


def on_disconnect(reason: Any = None) -> None:
    with _lock:
        _connected.discard(request.sid)


def register_handlers() -> None:
    """Attach the handlers to the shared `socketio` object once per process."""
    global _registered
    if _registered:
        return
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    _registered = True
