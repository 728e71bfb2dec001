"""Live updates over Socket.IO: domain events reach the browsers (and API clients) after commit.

- init_app() binds the `socketio` extension: threading mode (gunicorn gthread), Redis as the
  message queue when REDIS_URL is set so every web process and worker reaches every client,
  in-process only otherwise.
- connections.py accepts an authenticated, active user (session cookie or access token) and
  puts the connection in its rooms; broadcast.py turns committed events into emits.
- emit_external() sends from a process that has no app (scripts, other services).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import current_user

from app.extensions import socketio
from app.realtime.broadcast import EVENT_AUDIENCE, emit_external, on_event
from app.realtime.connections import connected_clients, on_access_event, register_handlers

__all__ = ["EVENT_AUDIENCE", "client_config", "connected_clients", "emit_external", "init_app"]

# SOCKETIO_TRANSPORT -> the transports the server accepts (and the pages try, in order).
TRANSPORTS = {
    "websocket": ["websocket"],
    "polling-sticky": ["polling", "websocket"],
}


def init_app(app: Flask) -> None:
    from app import events

    transport = app.config.get("SOCKETIO_TRANSPORT") or "websocket"
    if transport not in TRANSPORTS:
        raise RuntimeError(f"SOCKETIO_TRANSPORT must be one of {sorted(TRANSPORTS)}, got {transport!r}")
    options: dict[str, Any] = {"async_mode": "threading", "transports": TRANSPORTS[transport]}
    if app.config.get("REDIS_URL"):
        options["message_queue"] = app.config["REDIS_URL"]
        options["channel"] = app.config.get("SOCKETIO_CHANNEL") or "inventory-socketio"
    register_handlers()
    socketio.init_app(app, **options)
    events.subscribe(app, on_event)
    events.subscribe(app, on_access_event)
    app.context_processor(lambda: {"realtime_client_config": client_config})


def client_config() -> dict[str, Any]:
    """What live.html hands to live.js: transports in order and the signed-in user."""
    from flask import current_app

    transport = current_app.config.get("SOCKETIO_TRANSPORT") or "websocket"
    return {
        "path": "/socket.io",
        "transports": TRANSPORTS.get(transport, ["websocket"]),
        "userEmail": current_user.email if current_user.is_authenticated else None,
        "currencySymbol": current_app.config.get("CURRENCY_SYMBOL") or "$",
    }
