"""Fly.io edge routing: writes arriving in a replica region are replayed in the primary.

Fly's proxy acts on the `fly-replay` response header: it drops this response and sends
the original request again to an instance in the named region. Reads stay local (the
regional database replica answers them). The body is for anything not behind Fly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Socket.IO long-polling POSTs belong to a connection held by THIS instance; replaying them
# elsewhere would break it. Its handlers change no data.
LOCAL_PREFIXES = ("/socket.io",)


class FlyReplay:
    """WSGI middleware: answers 409 with `fly-replay: region=<primary>` to every write.

    It wraps the whole app, so a replayed request touches no session, database, CSRF
    check or rate limit here; the primary does all of that once.
    """

    def __init__(self, wsgi_app: Callable, primary_region: str, here: str) -> None:
        self.wsgi_app = wsgi_app
        self.primary_region = primary_region
        self.here = here

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if method in READ_METHODS or environ.get("PATH_INFO", "").startswith(LOCAL_PREFIXES):
            return self.wsgi_app(environ, start_response)
        body = f"Writes are handled in region {self.primary_region}; replaying there from {self.here}.\n".encode()
        start_response(
            "409 Conflict",
            [
                ("fly-replay", f"region={self.primary_region}"),
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]


def register_edge(app: Flask) -> None:
    """Install FlyReplay when FLY_REGION is set and is not PRIMARY_REGION."""
    primary, here = app.config.get("PRIMARY_REGION"), app.config.get("FLY_REGION")
    if primary and here and primary != here:
        app.wsgi_app = FlyReplay(app.wsgi_app, primary, here)
